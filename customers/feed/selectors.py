"""Reads of the loan feed's runs, for administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404

from customers.models import Classification, ClassificationFloor, Loan, LoanStatus
from customers.selectors import customer_scope_filter
from loanwatch.accounts.models import User

from .models import FeedRun

# The run's page never loads the file itself.
_LIGHT = ("content",)


def runs_recent(*, limit: int = 20) -> QuerySet[FeedRun]:
    return FeedRun.objects.defer(*_LIGHT).select_related("uploaded_by")[:limit]


def run_get(*, pk: int) -> FeedRun:
    return get_object_or_404(FeedRun.objects.defer(*_LIGHT).select_related("uploaded_by"),
                             pk=pk)


def run_progress(*, run: FeedRun) -> dict[str, Any]:
    """What the progress bar shows: the counters, the share done, and whether it is over."""
    if run.is_done:
        percent = 100
    elif not run.rows_read:
        percent = 0
    else:
        # Reading is the first tenth, checking the next eight, applying the last.
        percent = 10 + int(80 * run.rows_checked / run.rows_read)
    return {"status": run.status, "status_label": run.get_status_display(),
            "rows_read": run.rows_read, "rows_checked": run.rows_checked,
            "rows_applied": run.rows_applied, "percent": percent, "done": run.is_done}


def _rank(field: str) -> Case:
    return Case(*(When(**{field: value}, then=Value(n))
                  for n, value in enumerate(Classification.values)),
                default=Value(0), output_field=IntegerField())


SUBSTANDARD = Classification.rank(Classification.SUBSTANDARD)


def classification_review(*, user: User, limit: int = 500) -> list[Loan]:
    """Outstanding loans whose classification a person should look at, in the user's scope:
    better than their days past due allow (the feed moved the days, not the classification),
    or better than substandard while another loan of the customer is substandard or worse.
    Computed from the loans as they stand, so a report or a correction that classifies the loan
    takes it off the list. One query."""
    floor = (ClassificationFloor.objects.filter(days_past_due_over__lt=OuterRef("days_past_due"))
             .order_by("-days_past_due_over").values("minimum")[:1])
    worse_sibling = (Loan.objects.filter(customer_id=OuterRef("customer_id"),
                                         classification__in=Classification.values[SUBSTANDARD:])
                     .exclude(pk=OuterRef("pk")))
    loans = (Loan.objects.filter(customer_scope_filter(user=user, through="customer__"),
                                 balance__gt=0, status=LoanStatus.ACTIVE)
             .annotate(floor=Subquery(floor), worse_sibling=Exists(worse_sibling))
             .annotate(rank=_rank("classification"), floor_rank=_rank("floor"))
             .filter(Q(floor_rank__gt=F("rank")) |
                     Q(worse_sibling=True, rank__lt=SUBSTANDARD))
             .select_related("customer", "customer__officer")
             .order_by("-days_past_due", "contract_number"))
    return list(loans[:limit])


def below_floor_readable(*, run: FeedRun) -> list[dict[str, Any]]:
    """The run's loans kept below their floor, the classifications in the reader's language."""
    labels = dict(Classification.choices)
    return [{**item, "classification": str(labels.get(item.get("classification"), "")),
             "floor": str(labels.get(item.get("floor"), ""))} for item in run.below_floor]
