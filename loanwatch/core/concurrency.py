"""Optimistic locking for records people edit in forms.

A form carries the version of the record it showed; the service locks the row, compares, and
refuses the save when someone else saved in between — a clear conflict instead of a silent
overwrite of the colleague's changes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

CONFLICT = _(
    "Someone else changed this record while you were editing it. Reload the page to see "
    "their changes, then make yours again."
)


class Versioned(models.Model):
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        abstract = True


def check_and_bump(*, locked: Versioned, expected: int | None) -> None:
    """Call with the row fetched with select_for_update, before changing it."""
    if expected is not None and locked.version != expected:
        raise ValidationError(CONFLICT, code="conflict")
    locked.version += 1
