"""Amounts of money as the reader chose to see them: in yuan (24,080,000.00) or in units of
ten thousand yuan (2,408.00 万), the way Chinese banking screens often show a loan book.

The choice is the user's (`User.amount_unit`); a middleware puts it in `reading_unit` for the
request, so that the `money` template filter (loanwatch/core/templatetags/figures.py) can format
without every view passing it down. Files (Excel, CSV) keep exact yuan: a spreadsheet's reader
computes with the figures.
"""

from __future__ import annotations

from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

YUAN = "yuan"
WAN = "wan"
UNITS = [(YUAN, gettext_lazy("yuan (24,080,000.00)")),
         (WAN, gettext_lazy("ten thousand yuan (2,408.00 万)"))]

reading_unit: ContextVar[str] = ContextVar("reading_unit", default=YUAN)

CENTS = Decimal("0.01")


def money(value: object, unit: str | None = None) -> SafeString | str:
    """`value` grouped by thousands with two decimals in the reader's unit; in ten thousands the
    exact amount in yuan is the element's title. None and blanks stay empty for `default`."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    exact = number_format(amount.quantize(CENTS, ROUND_HALF_UP), 2, force_grouping=True)
    if (unit or reading_unit.get()) != WAN:
        return exact
    scaled = number_format((amount / 10_000).quantize(CENTS, ROUND_HALF_UP), 2,
                           force_grouping=True)
    # Translators: an amount in units of ten thousand yuan, as in 2,408.00 万.
    return format_html('<span title="{}">{}</span>', exact,
                       _("%(amount)s ×10k") % {"amount": scaled})
