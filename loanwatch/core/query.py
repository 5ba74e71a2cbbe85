"""Whole numbers read from a query string or a hidden form value, parsed by a form field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

# Ids are PostgreSQL bigints; no count a page takes comes near.
_POSITIVE = forms.IntegerField(min_value=1, max_value=2**63 - 1)


def query_int(value: str | None) -> int | None:
    """The positive whole number (an id a filter names, a number of weeks) in `value`, or None
    when there is none: empty, not a whole number, or beyond what the database holds. A filter
    that names nothing shows the list unfiltered, as if it had not been asked.

    One parser for every view, because the obvious test lets hostile text through:
    str.isdigit() admits "²", which int() refuses, and a 31-digit id overflows the database.
    """
    try:
        return _POSITIVE.clean(value)
    except ValidationError:
        return None
