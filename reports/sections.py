"""The customer sheet's section listing the customer's risk reports (one query)."""

from __future__ import annotations

from . import selectors

SHEET_LIMIT = 10


def reports_section(*, customer, user) -> dict:
    return {"reports": list(selectors.report_list_for_customer(customer=customer)[:SHEET_LIMIT])}
