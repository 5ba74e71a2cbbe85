"""The kinds of notification and their wording.

A notification stores its kind and parameters, not sentences: the words are chosen when it is
shown or mailed, in the reader's language. Apps contribute their kinds in their hooks.py as
(kind, wording) pairs under "notification_kinds".
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import hooks

SYSTEM_MESSAGE = _("%(text)s")


def kinds() -> dict[str, Promise]:
    return {"system.message": SYSTEM_MESSAGE, **dict(hooks.get_hooks("notification_kinds"))}


def render(kind: str, params: dict) -> str:
    wording = kinds().get(kind)
    if wording is None:
        return kind
    try:
        return str(wording) % params
    except (KeyError, TypeError, ValueError):
        return str(wording)
