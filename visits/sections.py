"""The customer sheet's "Visits" and "Risk signals" sections (registered in apps.py).

Each builds its context in a fixed number of queries, whatever the customer holds."""

from __future__ import annotations

from customers.models import RiskSignal

from .models import Visit

SHOWN = 5
SIGNALS_SHOWN = 10


def visits_section(*, customer, user) -> dict:
    visits = list(Visit.objects.filter(customer=customer).select_related("officer")
                  .order_by("-visited_on", "-pk")[:SHOWN + 1])
    return {"visits": visits[:SHOWN], "more_visits": len(visits) > SHOWN,
            "can_log": user.pk == customer.officer_id}


def signals_section(*, customer, user) -> dict:
    # A visit corrected by a submitted amendment speaks through the amendment's signals.
    superseded = Visit.objects.filter(customer=customer,
                                      amendments__status=Visit.Status.SUBMITTED).values("pk")
    signals = list(RiskSignal.objects.filter(customer=customer)
                   .exclude(source=RiskSignal.Source.VISIT, source_id__in=superseded)
                   .order_by("-raised_at", "-pk")[:SIGNALS_SHOWN + 1])
    return {"signals": signals[:SIGNALS_SHOWN], "more_signals": len(signals) > SIGNALS_SHOWN}
