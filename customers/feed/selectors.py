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
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.runs import LIGHT

from .models import FeedRun


def runs_recent(*, limit: int = 20) -> QuerySet[FeedRun]:
    return FeedRun.objects.defer(*LIGHT).select_related("uploaded_by")[:limit]


def run_get(*, pk: int) -> FeedRun:
    return get_object_or_404(FeedRun.objects.defer(*LIGHT).select_related("uploaded_by"),
                             pk=pk)


def _rank(field: str) -> Case:
    return Case(*(When(**{field: value}, then=Value(n))
                  for n, value in enumerate(Classification.values)),
                default=Value(0), output_field=IntegerField())


SUBSTANDARD = Classification.rank(Classification.SUBSTANDARD)


def _review(*, user: User) -> QuerySet[Loan]:
    """Outstanding loans whose classification a person should look at, in the user's scope:
    better than their days past due allow (the feed moved the days, not the classification),
    or better than substandard while another loan of the customer is substandard or worse.
    Computed from the loans as they stand, so a report or a correction that classifies the loan
    takes it off the list."""
    floor = (ClassificationFloor.objects.filter(days_past_due_over__lt=OuterRef("days_past_due"))
             .order_by("-days_past_due_over").values("minimum")[:1])
    worse_sibling = (Loan.objects.filter(customer_id=OuterRef("customer_id"),
                                         classification__in=Classification.values[SUBSTANDARD:])
                     .exclude(pk=OuterRef("pk")))
    return (Loan.objects.filter(customer_scope_filter(user=user, through="customer__"),
                                balance__gt=0, status=LoanStatus.ACTIVE)
            .annotate(floor=Subquery(floor), worse_sibling=Exists(worse_sibling))
            .annotate(rank=_rank("classification"), floor_rank=_rank("floor"))
            .filter(Q(floor_rank__gt=F("rank")) |
                    Q(worse_sibling=True, rank__lt=SUBSTANDARD)))


def classification_review(*, user: User, limit: int = 500) -> list[Loan]:
    """The supervisor's review list (`_review`), worst first. One query."""
    loans = (_review(user=user).select_related("customer", "customer__officer")
             .order_by("-days_past_due", "contract_number"))
    return list(loans[:limit])


def classification_review_card(*, user: User) -> dict[str, Any]:
    """The home card: a supervisor's first items of their team and how many there are; an
    administrator's count of the bank's. One query."""
    if user.role == Role.ADMIN:
        return {"review_loans": [], "review_count": _review(user=user).count()}
    rows, count = first_rows_and_count(
        _review(user=user).select_related("customer")
        .order_by("-days_past_due", "contract_number"))
    return {"review_loans": rows, "review_count": count}


def below_floor_readable(*, run: FeedRun) -> list[dict[str, Any]]:
    """The run's loans kept below their floor, the classifications in the reader's language."""
    labels = dict(Classification.choices)
    return [{**item, "classification": str(labels.get(item.get("classification"), "")),
             "floor": str(labels.get(item.get("floor"), ""))} for item in run.below_floor]
