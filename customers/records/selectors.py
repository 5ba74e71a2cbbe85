"""Reads for record checks, every one scoped through the customers the user may see."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from customers.models import Customer, CustomerRelation, Person
from customers.selectors import customer_scope
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.rows import instances, json_rows, set_prefetched

from .models import Finding, RecordCheck, RecordPolicy
from .providers import Subject

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

# The people behind a corporate customer whose records are checked.
CHECKED_ROLES = (CustomerRelation.Role.LEGAL_REPRESENTATIVE,
                 CustomerRelation.Role.ACTUAL_CONTROLLER, CustomerRelation.Role.SHAREHOLDER)
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
    """The customer itself, then each person behind it once (in one query)."""
    subjects = [Subject(customer=customer)]
    if customer.is_corporate:
        persons = (Person.objects.filter(relations__customer=customer,
                                         relations__role__in=CHECKED_ROLES)
                   .distinct().order_by("name", "pk"))
        subjects += [Subject(customer=customer, person=p) for p in persons]
    return subjects


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

    @property
    def key(self) -> str:
        return f"p{self.person.pk}" if self.person is not None else f"c{self.customer.pk}"


def _last_check(person_ref: OuterRef | None) -> Subquery:
    subject = Q(person=person_ref) if person_ref is not None else Q(person__isnull=True)
    return Subquery(RecordCheck.objects.filter(subject, customer=OuterRef(
        "customer_id" if person_ref is not None else "pk"))
                    .order_by("-checked_on").values("checked_on")[:1])


def _due_querysets(*, customers: QuerySet[Customer], cutoff: datetime.date
                   ) -> tuple[QuerySet[Any], QuerySet[Any]]:
    active = customers.filter(status=Customer.Status.ACTIVE)
    companies = (active.annotate(last=_last_check(None))
                 .filter(Q(last__isnull=True) | Q(last__lt=cutoff)))
    persons = (CustomerRelation.objects.filter(customer__in=active, role__in=CHECKED_ROLES,
                                               customer__kind=Customer.Kind.CORPORATE)
               .annotate(last=_last_check(OuterRef("person_id")))
               .filter(Q(last__isnull=True) | Q(last__lt=cutoff)))
    return companies, persons


def due_cutoff() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=RecordPolicy.current().interval_days)


def due_subjects_for_user(*, user: User) -> list[DueSubject]:
    """Subjects whose last check is older than the policy's interval, or never checked;
    the oldest first. Three queries whatever the portfolio."""
    companies, persons = _due_querysets(customers=customer_scope(user=user), cutoff=due_cutoff())
    due = [DueSubject(c, None, c.last) for c in
           companies.select_related("officer").order_by(F("last").asc(nulls_first=True),
                                                         "name")[:DUE_SHOWN]]
    seen: set[tuple[int, int]] = set()
    for relation in (persons.select_related("customer__officer", "person")
                     .order_by(F("last").asc(nulls_first=True), "customer__name")[:DUE_SHOWN]):
        if (relation.customer_id, relation.person_id) in seen:
            continue  # a person with two roles is one subject
        seen.add((relation.customer_id, relation.person_id))
        due.append(DueSubject(relation.customer, relation.person, relation.last))
    epoch = datetime.date.min
    due.sort(key=lambda d: (d.last_checked_on or epoch, d.customer.name))
    return due[:DUE_SHOWN]


def due_counts_by_officer() -> dict[int, int]:
    """How many subjects are due per officer, over the whole bank (two queries)."""
    companies, persons = _due_querysets(customers=Customer.objects.all(), cutoff=due_cutoff())
    counts: Counter[int] = Counter()
    counts.update(companies.values_list("officer_id", flat=True))
    counts.update(officer for officer, _c, _p in
                  set(persons.values_list("customer__officer_id", "customer_id", "person_id")))
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
