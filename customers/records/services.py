"""Writes for record checks: record a reading, compare it, raise signals and revisit tasks."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from customers.models import Customer, Person, RiskSignal
from loanwatch.accounts.models import User
from loanwatch.core import hooks
from loanwatch.core.services import notification_create

from . import diff, spread, subjects
from .models import RESOLVED_KINDS, Finding, RecordCheck, RecordEntry, RecordPolicy
from .providers import CheckData, EntryData, RecordProvider, Subject
from .selectors import due_counts_by_officer

RULE_PREFIX = "record_"


# The reading's fields stored on the check as they are.
CHECK_FIELDS = ("licence_status", "annual_report_year", "abnormal_listed", "tax_abnormal",
                "legal_representative", "registered_capital", "registered_address",
                "business_scope")
ENTRY_FIELDS = ("kind", "case_number", "court", "amount", "filed_on", "closed", "cause", "stage")


def reading_of(check: RecordCheck) -> CheckData:
    """A stored check as a reading (entries must be prefetched or are read here)."""
    return CheckData(
        checked_on=check.checked_on, shareholders=tuple(check.shareholders),
        entries=tuple(EntryData(**{f: getattr(e, f) for f in ENTRY_FIELDS})
                      for e in check.entries.all()),
        **{f: getattr(check, f) for f in CHECK_FIELDS})


def check_previous(*, subject: Subject, on: datetime.date) -> RecordCheck | None:
    """The subject's latest check on or before `on`. A related party is one subject whichever
    customer it was checked through, so that a fact about it is found once."""
    checks = (RecordCheck.objects.filter(person=subject.person) if subject.person is not None
              else RecordCheck.objects.filter(customer=subject.customer, person__isnull=True))
    return (checks.filter(checked_on__lte=on)
            .prefetch_related("entries").order_by("-checked_on", "-pk").first())


def _same(a: CheckData, b: CheckData) -> bool:
    key = lambda e: (e.kind, e.case_number)  # noqa: E731
    return (a.checked_on == b.checked_on
            and all(getattr(a, f) == getattr(b, f) for f in CHECK_FIELDS)
            and sorted(a.shareholders) == sorted(b.shareholders)
            and sorted(a.entries, key=key) == sorted(b.entries, key=key))


def thresholds_of(policy: RecordPolicy) -> diff.Thresholds:
    return diff.Thresholds(lawsuit=policy.lawsuit_serious_amount,
                           penalty=policy.penalty_serious_amount,
                           tax=policy.tax_serious_amount)


@transaction.atomic
def check_record(*, subject: Subject, data: CheckData, source: str, acting_user: User,
                 skip_repeat: bool = False) -> RecordCheck | None:
    """Store a reading as a check, compare it with the subject's previous check, store the
    findings, raise a risk signal per kind of finding and a revisit task per serious finding.

    With `skip_repeat`, a reading identical to the subject's latest check of the same date is
    not stored again (the same feed imported twice); returns None then.
    """
    # Checks of one customer are recorded one at a time, so that each compares with the last;
    # a party is one subject whichever customer it is read through, so it is locked too.
    Customer.objects.select_for_update().filter(pk=subject.customer.pk).first()
    if subject.person is not None:
        Person.objects.select_for_update().filter(pk=subject.person.pk).first()
    previous = check_previous(subject=subject, on=data.checked_on)
    previous_data = reading_of(previous) if previous else None
    if skip_repeat and previous_data is not None and _same(previous_data, data):
        return None
    check = RecordCheck.objects.create(
        customer=subject.customer, person=subject.person, checked_on=data.checked_on,
        checked_by=acting_user, source=source, shareholders=list(data.shareholders),
        **{f: getattr(data, f) for f in CHECK_FIELDS})
    RecordEntry.objects.bulk_create([
        RecordEntry(record_check=check, **{f: getattr(e, f) for f in ENTRY_FIELDS})
        for e in data.entries])
    policy = RecordPolicy.current()
    found = diff.compare(previous=previous_data, current=data, is_company=subject.is_company,
                         thresholds=thresholds_of(policy))
    rows = Finding.objects.bulk_create([Finding(record_check=check, kind=f.kind,
                                                serious=f.serious, params=f.params)
                                        for f in found])
    subjects.subject_checked(customer_id=subject.customer.pk,
                             person_id=subject.person.pk if subject.person else None,
                             on=data.checked_on)
    _signals_raise(check=check, subject=subject, findings=found, acting_user=acting_user)
    _tasks_raise(subject=subject, findings=found, policy=policy)
    spread.spread(subject=subject, findings=[(row, f) for row, f in zip(rows, found, strict=True)
                                             if f.serious], acting_user=acting_user)
    return check


@transaction.atomic
def spread_standing(*, customer: Customer, acting_user: User, person: Person | None = None,
                    company: Customer | None = None, **_more: Any) -> int:
    """A party linked to `customer` after its trouble was found (a new guarantor, controller,
    shareholder or legal representative): what the party's latest check still shows that is
    serious reaches this customer as it reached the others, once per fact. Returns 1 when the
    customer was reached, else 0. Called through the `party_linked` hook."""
    if person is not None:
        checks = RecordCheck.objects.filter(person=person)
    elif company is not None:
        checks = RecordCheck.objects.filter(customer=company, person__isnull=True)
    else:
        return 0
    latest = (checks.select_related("customer", "person").prefetch_related("entries")
              .order_by("-checked_on", "-pk").first())
    if latest is None:
        return 0
    subject = Subject(customer=latest.customer, person=latest.person)
    standing = [f for f in diff.compare(previous=None, current=reading_of(latest),
                                        is_company=subject.is_company,
                                        thresholds=thresholds_of(RecordPolicy.current()))
                if f.serious]
    if not standing:
        return 0
    # Each standing fact is the one a finding reported when it was first read: the reached
    # customer's "related parties' findings" link to that finding and its date.
    first: dict[tuple[str, str], Finding] = {}
    for row in Finding.objects.filter(record_check__in=checks, serious=True).order_by("pk"):
        first.setdefault((row.kind, row.params.get("case", "")), row)
    pairs = [(first[(f.kind, f.params.get("case", ""))], f) for f in standing
             if (f.kind, f.params.get("case", "")) in first]
    return min(1, spread.spread(subject=subject, findings=pairs, acting_user=acting_user,
                                only_customer=customer.pk))


def _signals_raise(*, check: RecordCheck, subject: Subject, findings: list[diff.FindingData],
                   acting_user: User) -> None:
    by_kind: dict[str, list[diff.FindingData]] = defaultdict(list)
    for finding in findings:
        by_kind[finding.kind].append(finding)
    signals = []
    for kind, items in by_kind.items():
        serious = any(f.serious for f in items)
        severity = (RiskSignal.Severity.SERIOUS if serious
                    else RiskSignal.Severity.NOTICE if kind in RESOLVED_KINDS
                    else RiskSignal.Severity.WARNING)
        params = {"subject": subject.name, "count": len(items),
                  "cases": ", ".join(f.params.get("case", "") for f in items
                                     if f.params.get("case")),
                  "year": items[0].params.get("year", ""),
                  "new": items[0].params.get("new", "")}
        signals.append(RiskSignal(customer=subject.customer, source=RiskSignal.Source.RECORD_CHECK,
                                  source_id=check.pk, rule=RULE_PREFIX + kind, severity=severity,
                                  params=params, raised_by=acting_user))
    # The database keeps one signal per (check, rule), whoever calls twice.
    RiskSignal.objects.bulk_create(signals, ignore_conflicts=True)


# The kind of the task note a serious finding leaves (worded by hooks.py, in the reader's
# language).
FINDING_NOTE = "records.finding"


def finding_note(params: dict[str, Any]) -> str:
    return f"{params['subject']}: {diff.finding_message(params['kind'], params['params'])}"


def _tasks_raise(*, subject: Subject, findings: list[diff.FindingData],
                 policy: RecordPolicy) -> None:
    serious = [f for f in findings if f.serious]
    if not serious:
        return
    due_on = timezone.localdate() + datetime.timedelta(days=policy.task_due_days)
    # The note is read in the bank's language, whoever's browser the import came from.
    with translation.override(settings.LANGUAGE_CODE):
        for finding in serious:
            note = f"{subject.name}: {diff.finding_message(finding.kind, finding.params)}"
            # Announced, not done here: the revisit schedule raises the task.
            hooks.call("serious_finding_recorded", customer=subject.customer, due_on=due_on,
                       note=note, source_key=finding.source_key(subject.key),
                       note_kind=FINDING_NOTE, note_params={
                           "subject": subject.name, "kind": finding.kind,
                           "params": finding.params})


def check_from_provider(*, subject: Subject, acting_user: User,
                        provider: RecordProvider) -> RecordCheck | None:
    """Ask the provider about a subject and record what it says (call outside a transaction)."""
    data = provider.fetch(subject=subject)
    if data is None:
        return None
    return check_record(subject=subject, data=data, source=provider.source,
                        acting_user=acting_user, skip_repeat=True)


@transaction.atomic
def policy_save(*, acting_user: User, data: dict[str, Any]) -> RecordPolicy:
    policy = RecordPolicy.objects.select_for_update().order_by("pk").first() or RecordPolicy()
    for name in ("interval_days", "task_due_days", "lawsuit_serious_amount",
                 "penalty_serious_amount", "tax_serious_amount"):
        if name in data:
            setattr(policy, name, data[name])
    policy.save()
    return policy


def reminders_send() -> int:
    """Tell each officer how many of their subjects are due for a check; returns how many
    officers were told. Run daily by beat."""
    # Subjects written around the ORM since yesterday (bulk loads) join the due list first.
    subjects.sync()
    counts = due_counts_by_officer()
    url = reverse("records:due_list")
    with transaction.atomic():
        for officer in User.objects.filter(pk__in=counts, is_active=True):
            notification_create(recipient=officer, kind="records.due",
                                params={"n": counts[officer.pk]}, url=url)
    return len(counts)
