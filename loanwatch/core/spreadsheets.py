"""What every CSV and Excel file the application writes puts in its cells.

A spreadsheet reads text that starts with =, +, -, @, a tab or a carriage return as a formula
(or, for the last two, after trimming them) — a customer named '=HYPERLINK("http://…")' or
'-2+3+cmd|…' would run in the reader's Excel. Each cell therefore goes through `safe_cell`,
which keeps such text as text with a leading apostrophe, the mark spreadsheets read as "text,
not a formula". Numbers stay numbers, negative ones included.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Text that is a plain number (-12.5, +3, 1e6): a spreadsheet reads it as the number, never as a
# formula, so it is left for the reader to add up.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as a spreadsheet cell that cannot become a formula: formula-like text gains a
    leading apostrophe; numbers, dates and other text are returned as they are."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
