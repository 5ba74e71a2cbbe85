"""The customer sheet's "Visits" and "Risk signals" sections (contributed in hooks.py).

Each builds its context in a fixed number of queries, whatever the customer holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import OuterRef

from customers.models import Customer, RiskSignal
from loanwatch.core.rows import instances, json_rows

from .models import Visit

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

SHOWN = 5
SIGNALS_SHOWN = 10
# What the sheet shows of a visit.
VISIT_FIELDS = ["id", "customer", "officer", "visited_on", "method", "status", "kind"]


def _sheet_rows(customer) -> dict:
    """The customer's latest visits and latest signals, read together in one query for both
    sections and kept on the customer for the second of them."""
    rows = customer.__dict__.get("_visits_sheet_rows")
    if rows is None:
        # A visit corrected by a submitted amendment speaks through the amendment's signals.
        superseded = Visit.objects.filter(customer=customer,
                                          amendments__status=Visit.Status.SUBMITTED).values("pk")
        signals = (RiskSignal.objects.filter(customer=OuterRef("pk"))
                   .exclude(source=RiskSignal.Source.VISIT, source_id__in=superseded)
                   .order_by("-raised_at", "-pk")[:SIGNALS_SHOWN + 1])
        visits = (Visit.objects.filter(customer=OuterRef("pk"))
                  .order_by("-visited_on", "-pk")[:SHOWN + 1])
        found = Customer.objects.filter(pk=customer.pk).values(
            visit_rows=json_rows(visits, VISIT_FIELDS, {"officer": ["id", "username",
                                                                    "full_name"]}),
            signal_rows=json_rows(signals, [f.name for f in RiskSignal._meta.concrete_fields]),
        ).get()
        rows = {"visits": instances(Visit, found["visit_rows"], ("officer",)),
                "signals": instances(RiskSignal, found["signal_rows"])}
        customer.__dict__["_visits_sheet_rows"] = rows
    return rows


def visits_section(*, customer, user: User) -> dict:
    visits = _sheet_rows(customer)["visits"]
    return {"visits": visits[:SHOWN], "more_visits": len(visits) > SHOWN,
            "can_log": user.pk == customer.officer_id}


def signals_section(*, customer, user: User) -> dict:
    signals = _sheet_rows(customer)["signals"]
    return {"signals": signals[:SIGNALS_SHOWN], "more_signals": len(signals) > SIGNALS_SHOWN}
