"""Reads for record checks, every one scoped through the customers the user may see."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.cache import cache
from django.db.models import Count, F, OuterRef, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone

from customers.models import Customer, CustomerRelation, Person
from customers.selectors import customer_scope, customer_scope_filter
from loanwatch.accounts.models import Team
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.keyset import Column, KeysetPage, after_q, keyset_page
from loanwatch.core.rows import instances, json_rows, set_prefetched

from .models import CheckSubject, Finding, RecordCheck, RecordPolicy
from .providers import Subject

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

# The related parties whose records are checked: the people (or companies) behind a corporate
# customer, the companies an individual borrower runs or owns, and outside guarantors.
CHECKED_ROLES = (CustomerRelation.Role.LEGAL_REPRESENTATIVE,
                 CustomerRelation.Role.ACTUAL_CONTROLLER, CustomerRelation.Role.SHAREHOLDER,
                 CustomerRelation.Role.GUARANTOR)
DUE_SHOWN = 500


def check_scope(*, user: User) -> QuerySet[RecordCheck]:
    return RecordCheck.objects.filter(customer__in=customer_scope(user=user))


def check_get_for_user(*, user: User, pk: int) -> RecordCheck:
    check = (check_scope(user=user).select_related("customer", "person", "checked_by")
             .prefetch_related("entries", "findings").filter(pk=pk).first())
    if check is None:
        raise Http404
    return check


def subjects_for(*, customer: Customer) -> list[Subject]:
    """The customer itself, then each of its checked related parties once (in one query)."""
    persons = (Person.objects.filter(relations__customer=customer,
                                     relations__role__in=CHECKED_ROLES)
               .distinct().order_by("name", "pk"))
    return [Subject(customer=customer), *(Subject(customer=customer, person=p) for p in persons)]


def subject_get(*, customer: Customer, key: str) -> Subject | None:
    for subject in subjects_for(customer=customer):
        if subject.key == key:
            return subject
    return None


def roles_by_person(*, customer: Customer) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = {}
    for relation in customer.relations.filter(role__in=CHECKED_ROLES):
        roles.setdefault(relation.person_id, []).append(relation.get_role_display())
    return roles


def latest_checks(*, customer: Customer) -> list[RecordCheck]:
    """The latest check of each subject of the customer, with its findings carried in the same
    query (one query)."""
    checks = list(RecordCheck.objects.filter(customer=customer)
                  .order_by(F("person_id").asc(nulls_first=True), "-checked_on", "-pk")
                  .distinct("person_id").select_related("customer", "person", "checked_by")
                  .annotate(finding_rows=json_rows(
                      Finding.objects.filter(record_check=OuterRef("pk")),
                      ["id", "record_check", "kind", "serious", "params"])))
    for check in checks:
        set_prefetched(check, "findings", instances(Finding, check.finding_rows))
    # The annotation's extra attribute is carried into the findings above; callers see checks.
    return cast("list[RecordCheck]", checks)


def checks_of_customer(*, customer: Customer) -> list[RecordCheck]:
    """Every check of the customer's subjects, newest first (three queries)."""
    return list(RecordCheck.objects.filter(customer=customer)
                .select_related("customer", "person", "checked_by")
                .prefetch_related("findings", "entries").order_by("-checked_on", "-pk"))


@dataclass(frozen=True)
class DueSubject:
    customer: Customer
    person: Person | None
    last_checked_on: datetime.date | None
    # The day the next check fell due; empty when the subject was never checked.
    due_on: datetime.date | None = None

    @property
    def key(self) -> str:
        return f"p{self.person.pk}" if self.person is not None else f"c{self.customer.pk}"


def due_cutoff(policy: RecordPolicy | None = None) -> datetime.date:
    days = (policy or RecordPolicy.current()).interval_days
    return timezone.localdate() - datetime.timedelta(days=days)


def _due_rows(*, cutoff: datetime.date) -> QuerySet[CheckSubject]:
    """Subjects of active customers never checked or last checked before `cutoff`. Read from
    each subject's kept last check date (CheckSubject), whose index gives the oldest first;
    `due_order` is that date with "never" as the earliest day, so one range of the index."""
    return CheckSubject.objects.filter(customer__status=Customer.Status.ACTIVE,
                                       due_order__lt=cutoff)


def due_rows_for_user(*, user: User, team_id: int | None = None,
                      policy: RecordPolicy | None = None) -> QuerySet[CheckSubject]:
    """The due subjects in the user's scope (and the administrator's chosen team), unordered.

    The scope is read on the subject's own copies of its customer's officer and team, so that
    PostgreSQL walks that scope's index (`check_subject_team_due`, `check_subject_officer_due`)
    in the list's order from the page's key and stops after the page, at any size of the book.
    """
    policy = policy or RecordPolicy.current()
    rows = _due_rows(cutoff=due_cutoff(policy)).filter(customer_scope_filter(user=user))
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    return rows


def due_subjects_for_user(*, user: User, team_id: int | None = None,
                          policy: RecordPolicy | None = None) -> list[DueSubject]:
    """Subjects whose last check is older than the policy's interval, or never checked; the
    oldest first, at most DUE_SHOWN. One query whatever the portfolio (two without `policy`)."""
    policy = policy or RecordPolicy.current()
    rows = due_rows_for_user(user=user, team_id=team_id, policy=policy)
    interval = datetime.timedelta(days=policy.interval_days)
    return [DueSubject(row.customer, row.person, row.last_checked_on,
                       row.last_checked_on + interval if row.last_checked_on else None)
            for row in rows.select_related("customer__officer", "person")
            .order_by("due_order", "id")[:DUE_SHOWN]]


@dataclass(frozen=True)
class DueRow:
    """One line of the due list, shaped in the query: names and dates, no model instances."""

    id: int
    due_order: datetime.date
    customer_id: int
    customer_name: str
    person_id: int | None
    person_name: str | None
    last_checked_on: datetime.date | None
    due_on: datetime.date | None
    officer: str

    @property
    def key(self) -> str:
        return f"p{self.person_id}" if self.person_id is not None else f"c{self.customer_id}"


# Never checked first, then the longest since the last check; the id breaks ties.
DUE_ORDER = [Column("due_order", kind="date"), Column("id", kind="int")]
DUE_COUNT_SECONDS = 300
_DUE_FIELDS = ("id", "due_order", "customer_id", "customer__name", "person_id", "person__name",
               "last_checked_on", "customer__officer__full_name",
               "customer__officer__username")


def due_page_for_user(*, user: User, query: QueryDict, size: int, team_id: int | None = None,
                      policy: RecordPolicy | None = None) -> KeysetPage:
    """One page of the due list (rows of `DueRow`), starting after the previous page's last
    subject (keyset on the kept `due_order`: no OFFSET). Counted for an officer, a team or an
    administrator's chosen team; across the bank counted at most once in five minutes and
    shown as "about". Two queries (three when the bank-wide count is not kept)."""
    policy = policy or RecordPolicy.current()
    rows = due_rows_for_user(user=user, team_id=team_id, policy=policy)
    interval = datetime.timedelta(days=policy.interval_days)

    def fetch(columns: Sequence[Column], key: list[Any] | None, limit: int) -> list[DueRow]:
        found = rows if key is None else rows.filter(after_q(columns, key))
        return [DueRow(id=r[0], due_order=r[1], customer_id=r[2], customer_name=r[3],
                       person_id=r[4], person_name=r[5], last_checked_on=r[6],
                       due_on=r[6] + interval if r[6] else None, officer=r[7] or r[8])
                for r in found.order_by(*(c.order() for c in columns))
                .values_list(*_DUE_FIELDS)[:limit]]

    def count() -> tuple[int, bool]:
        if user.role != Role.ADMIN or team_id is not None:
            return rows.count(), False
        sql, params = rows.order_by().values("pk").query.sql_with_params()
        key = "due-list-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        return cast(int, cache.get_or_set(key, rows.count, DUE_COUNT_SECONDS)), True

    return keyset_page(fetch=fetch, key_of=lambda row: [row.due_order, row.id],
                       columns=DUE_ORDER, order="records-due", query=query, size=size,
                       count=count)


def due_teams() -> list[tuple[int, str]]:
    """The teams an administrator's due list can be narrowed to (one query)."""
    return list(Team.objects.order_by("code").values_list("pk", "name"))


def due_counts_by_officer() -> dict[int, int]:
    """How many subjects are due per officer, over the whole bank (two queries)."""
    counts = (_due_rows(cutoff=due_cutoff()).values("customer__officer_id")
              .annotate(n=Count("id")).values_list("customer__officer_id", "n"))
    return dict(counts)


# --- Home cards --------------------------------------------------------------------------------

FINDINGS_DAYS = 30


def findings_card(*, user: User) -> dict[str, Any]:
    """Findings of the last FINDINGS_DAYS on the user's customers, serious first."""
    since = timezone.localdate() - datetime.timedelta(days=FINDINGS_DAYS)
    findings = (Finding.objects.filter(record_check__customer__in=customer_scope(user=user),
                                       record_check__checked_on__gte=since)
                .select_related("record_check__customer")
                .only("kind", "serious", "params", "record_check__customer__name")
                .order_by("-serious", "-record_check__checked_on"))
    rows, count = first_rows_and_count(findings)
    return {"findings": rows, "finding_count": count, "findings_days": FINDINGS_DAYS}
