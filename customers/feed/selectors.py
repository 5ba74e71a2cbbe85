"""Reads of the loan feed's runs, for administrators."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
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


def _floor_and_rank(loans: QuerySet[Loan]) -> QuerySet[Loan]:
    floor = (ClassificationFloor.objects.filter(days_past_due_over__lt=OuterRef("days_past_due"))
             .order_by("-days_past_due_over").values("minimum")[:1])
    return (loans.annotate(floor=Subquery(floor))
            .annotate(rank=_rank("classification"), floor_rank=_rank("floor")))


# Better than the days past due allow. Every floor applies above some days past due (0 or more),
# so only a loan past due can be below one: said literally, the condition lets PostgreSQL read
# the partial index of loans past due instead of every loan.
BELOW_FLOOR = Q(days_past_due__gt=0, floor_rank__gt=F("rank"))


def _outstanding(*, user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(customer_scope_filter(user=user, through="customer__"),
                               balance__gt=0, status=LoanStatus.ACTIVE)


def _review(*, user: User) -> QuerySet[Loan]:
    """Outstanding loans whose classification a person should look at, in the user's scope:
    better than their days past due allow (the feed moved the days, not the classification),
    or better than substandard while another loan of the customer is substandard or worse.
    Computed from the loans as they stand, so a report or a correction that classifies the loan
    takes it off the list."""
    worse_sibling = (Loan.objects.filter(customer_id=OuterRef("customer_id"),
                                         classification__in=Classification.values[SUBSTANDARD:])
                     .exclude(pk=OuterRef("pk")))
    return (_floor_and_rank(_outstanding(user=user))
            .annotate(worse_sibling=Exists(worse_sibling))
            .filter(BELOW_FLOOR | Q(worse_sibling=True, rank__lt=SUBSTANDARD)))


def classification_review(*, user: User, limit: int = 500) -> list[Loan]:
    """The supervisor's review list (`_review`), worst first. One query."""
    loans = (_review(user=user).select_related("customer", "customer__officer")
             .order_by("-days_past_due", "contract_number"))
    return list(loans[:limit])


BANK_REVIEW_KEY = "home:bank-classification-review"
BANK_REVIEW_SECONDS = 60


def bank_review_count(*, user: User) -> int:
    """How many of the bank's loans `_review` lists, counted as two index-led sets (no pass over
    every loan): those past due and below their floor, and the others better than substandard
    of a customer whose worst loan is substandard or worse (the customer's kept figures say so,
    and since this loan is better, another one is that bad). Every administrator sees the same
    number: counted at most once a minute, in the shared cache."""
    count = cache.get(BANK_REVIEW_KEY)
    if count is None:
        past_due = _floor_and_rank(_outstanding(user=user).filter(days_past_due__gt=0))
        beside_worse = _floor_and_rank(_outstanding(user=user).filter(
            customer__figures__worst_rank__gte=SUBSTANDARD))
        count = (past_due.filter(BELOW_FLOOR).count()
                 + beside_worse.filter(Q(rank__lt=SUBSTANDARD)).exclude(BELOW_FLOOR).count())
        cache.set(BANK_REVIEW_KEY, count, BANK_REVIEW_SECONDS)
    return int(count)


def classification_review_card(*, user: User) -> dict[str, Any]:
    """The home card: a supervisor's first items of their team and how many there are; an
    administrator's count of the bank's."""
    if user.role == Role.ADMIN:
        return {"review_loans": [], "review_count": bank_review_count(user=user)}
    rows, count = first_rows_and_count(
        _review(user=user).select_related("customer")
        .order_by("-days_past_due", "contract_number"))
    return {"review_loans": rows, "review_count": count}


def below_floor_readable(*, run: FeedRun) -> list[dict[str, Any]]:
    """The run's loans kept below their floor, the classifications in the reader's language."""
    labels = dict(Classification.choices)
    return [{**item, "classification": str(labels.get(item.get("classification"), "")),
             "floor": str(labels.get(item.get("floor"), ""))} for item in run.below_floor]
