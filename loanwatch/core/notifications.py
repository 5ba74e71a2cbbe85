"""The kinds of notification and their wording.

A notification stores its kind and parameters, not sentences: the words are chosen when it is
shown or mailed, in the reader's language. Apps register their kinds in AppConfig.ready().
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS: dict[str, Promise] = {
    "system.message": _("%(text)s"),
}


def register(kind: str, wording: Promise) -> None:
    KINDS[kind] = wording


def render(kind: str, params: dict) -> str:
    wording = KINDS.get(kind)
    if wording is None:
        return kind
    try:
        return str(wording) % params
    except (KeyError, TypeError, ValueError):
        return str(wording)
