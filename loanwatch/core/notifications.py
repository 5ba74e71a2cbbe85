"""The kinds of notification and their wording.

A notification stores its kind and parameters, not sentences: the words are chosen when it is
shown or mailed, in the reader's language. Apps contribute their kinds in their hooks.py as
(kind, wording) pairs under "notification_kinds".
"""

from __future__ import annotations

import datetime
import re

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import hooks

SYSTEM_MESSAGE = _("%(text)s")
# A day among the parameters is stored as ISO text (2026-11-30) and shown as the reader's
# language writes it (2026年11月30日 / 30 Nov 2026).
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def kinds() -> dict[str, Promise]:
    return {"system.message": SYSTEM_MESSAGE, **dict(hooks.get_hooks("notification_kinds"))}


def render(kind: str, params: dict) -> str:
    wording = kinds().get(kind)
    if wording is None:
        return kind
    try:
        return str(wording) % {name: _shown(value) for name, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return str(wording)


def _shown(value: object) -> object:
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        try:
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return value
