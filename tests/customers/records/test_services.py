"""Recording a check: findings stored, risk signals raised, revisit tasks opened once."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from customers.models import RiskSignal
from customers.records import services
from customers.records.models import Finding, RecordCheck, RecordPolicy
from customers.records.providers import (
    EntryData,
    FileFeedProvider,
    RecordProvider,
    provider_get,
)
from loanwatch.core.models import Notification
from visits.schedule.models import RevisitTask

from .helpers import company_with_controller, reading, subject

pytestmark = pytest.mark.django_db


def _record(customer, data, officer, person=None, **kwargs):
    return services.check_record(subject=subject(customer, person), data=data, source="manual",
                                 acting_user=officer, **kwargs)


def test_no_change_stores_no_finding_signal_or_task(officer):
    customer, _person = company_with_controller(officer)
    _record(customer, reading(date(2026, 9, 1)), officer)
    check = _record(customer, reading(date(2026, 10, 1)), officer)
    assert check.findings.count() == 0
    assert not RiskSignal.objects.filter(customer=customer).exists()
    assert not RevisitTask.objects.filter(customer=customer).exists()


def test_a_new_case_raises_a_serious_signal_and_one_task(officer):
    customer, _person = company_with_controller(officer)
    RecordPolicy.objects.create(interval_days=30, task_due_days=10)
    _record(customer, reading(date(2026, 9, 1)), officer)
    check = _record(customer, reading(date(2026, 10, 1), "（2026）京0108执9号"), officer)
    finding = Finding.objects.get(record_check=check)
    assert finding.kind == "new_case" and finding.serious
    signal = RiskSignal.objects.get(customer=customer)
    assert (signal.source, signal.source_id, signal.rule, signal.severity) == (
        "record_check", check.pk, "record_new_case", "serious")
    assert "（2026）京0108执9号" in signal.message
    task = RevisitTask.objects.get(customer=customer)
    assert task.reason == "record_finding" and task.officer == officer
    assert task.due_on == timezone.localdate() + timedelta(days=10)
    assert "（2026）京0108执9号" in task.note


def test_a_persons_finding_is_raised_on_the_customer(officer):
    customer, person = company_with_controller(officer)
    data = reading(date(2026, 10, 1), licence_status="", annual_report_year=None)
    dishonest = data.__class__(checked_on=data.checked_on, entries=(
        data.entries + (EntryData(kind="dishonest", case_number="（2026）沪01执5号"),)))
    check = _record(customer, dishonest, officer, person=person)
    assert [f.kind for f in check.findings.all()] == ["newly_dishonest"]
    signal = RiskSignal.objects.get(customer=customer)
    assert person.name in signal.message
    assert RevisitTask.objects.filter(customer=customer).count() == 1


def test_the_same_case_found_again_later_keeps_one_task(officer):
    customer, _person = company_with_controller(officer)
    _record(customer, reading(date(2026, 8, 1), "A-1"), officer)
    _record(customer, reading(date(2026, 9, 1)), officer)  # closed
    _record(customer, reading(date(2026, 10, 1), "A-1"), officer)  # listed again
    assert Finding.objects.filter(kind="new_case").count() == 2
    assert RevisitTask.objects.filter(customer=customer).count() == 1


def test_a_restriction_warns_without_a_task(officer):
    customer, _person = company_with_controller(officer)
    data = reading(date(2026, 10, 1))
    data = data.__class__(checked_on=data.checked_on, licence_status="in_business",
                          annual_report_year=2025, entries=(EntryData(
                              kind="restriction", case_number="R-1"),))
    _record(customer, data, officer)
    assert RiskSignal.objects.get(customer=customer).severity == "warning"
    assert not RevisitTask.objects.exists()


def test_a_repeated_reading_is_skipped_when_asked(officer):
    customer, _person = company_with_controller(officer)
    assert _record(customer, reading(date(2026, 10, 1), "A-1"), officer, skip_repeat=True)
    assert _record(customer, reading(date(2026, 10, 1), "A-1"), officer,
                   skip_repeat=True) is None
    assert RecordCheck.objects.count() == 1


def test_the_file_feed_is_the_configured_provider(officer):
    customer, person = company_with_controller(officer)
    provider = provider_get()
    assert isinstance(provider, FileFeedProvider) and isinstance(provider, RecordProvider)
    feed = FileFeedProvider({(customer.identifier, ""): reading(date(2026, 10, 1), "A-1")})
    check = services.check_from_provider(subject=subject(customer), acting_user=officer,
                                         provider=feed)
    assert check.source == "feed" and check.findings.get().kind == "new_case"
    assert services.check_from_provider(subject=subject(customer, person), acting_user=officer,
                                        provider=feed) is None


def test_officers_hear_how_many_subjects_are_due(officer, officer_b):
    customer, _person = company_with_controller(officer)
    recent = timezone.localdate() - timedelta(days=3)
    _record(customer, reading(recent), officer)
    assert services.reminders_send() == 1  # officer_b has no customers
    note = Notification.objects.get(recipient=officer)
    assert note.kind == "records.due" and note.params == {"n": 1}  # the legal representative
    assert not Notification.objects.filter(recipient=officer_b).exists()


def test_a_plugged_in_provider_checks_the_subjects_due(settings, officer, officer_b):
    settings.RECORDS_PROVIDER = "tests.customers.records.fake_provider.StaticProvider"
    customer, _person = company_with_controller(officer)
    other, _ = company_with_controller(officer_b, n=2)
    out = StringIO()
    call_command("record_checks_fetch", "--as", officer.username, stdout=out)
    assert "1 checks recorded, 1 subjects without an answer" in out.getvalue()
    check = RecordCheck.objects.get()
    assert (check.customer, check.source, check.checked_by) == (customer, "provider", officer)
    assert check.findings.get().kind == "newly_dishonest"
    assert not RecordCheck.objects.filter(customer=other).exists()
    call_command("record_checks_fetch", "--as", officer.username, stdout=StringIO())
    assert RecordCheck.objects.count() == 1  # the same answer is not recorded twice
