"""The customer sheet's sections: the customer's risk reports, and the standing warning (one
query each)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import selectors

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

SHEET_LIMIT = 10


def reports_section(*, customer, user: User) -> dict:
    return {"reports": list(selectors.report_list_for_customer(customer=customer)[:SHEET_LIMIT])}


def warning_section(*, customer, user: User) -> dict:
    return {"warning": selectors.warning_for_sheet(customer=customer)}
