"""The home pages' work cards: each figure equals the same figure counted here from known data,
in the role's scope, at a cost that does not grow with the book."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import selectors as customer_selectors
from customers.models import RiskGroup
from customers.records import selectors as record_selectors
from customers.records.models import Finding, RecordCheck
from reports import selectors as report_selectors
from reports.models import RiskReport
from tests.customers.factories import CustomerFactory
from visits import selectors as visit_selectors
from visits.models import Visit
from visits.schedule import selectors as schedule_selectors
from visits.schedule.models import RevisitTask

pytestmark = pytest.mark.django_db


def _task(officer, *, due_in: int, **extra) -> RevisitTask:
    return RevisitTask.objects.create(
        customer=CustomerFactory(officer=officer), officer=officer, reason="manual",
        due_on=timezone.localdate() + datetime.timedelta(days=due_in), **extra)


def _book(officer, supervisor) -> None:
    _task(officer, due_in=-2)
    _task(officer, due_in=3)
    _task(officer, due_in=30)  # not this week
    _task(officer, due_in=3, status="done", closed_at=timezone.now())
    Visit.objects.create(customer=CustomerFactory(officer=officer), officer=officer,
                         visited_on=timezone.localdate())
    RiskReport.objects.create(customer=CustomerFactory(officer=officer), author=officer,
                              decided_by=supervisor, decided_at=timezone.now(),
                              decision_comment="补充流水")
    RiskReport.objects.create(customer=CustomerFactory(officer=officer), author=officer)
    check = RecordCheck.objects.create(customer=CustomerFactory(officer=officer),
                                       checked_on=timezone.localdate(), checked_by=officer,
                                       source="manual")
    Finding.objects.create(record_check=check, kind="new_case", serious=True)


def test_officer_figures(officer, officer_b, supervisor):
    _book(officer, supervisor)
    _book(officer_b, supervisor)  # another team's officer: none of it counts
    figures = {**schedule_selectors.week_card(user=officer),
               **visit_selectors.drafts_card(user=officer),
               **report_selectors.returned_card(user=officer),
               **record_selectors.findings_card(user=officer)}
    assert figures["week_task_count"] == 2
    assert figures["draft_count"] == 1
    assert figures["returned_count"] == 1
    assert [r.decision_comment for r in figures["returned"]] == ["补充流水"]
    assert figures["finding_count"] == 1


def test_supervisor_figures(officer, officer_b, supervisor, supervisor_b):
    _book(officer, supervisor)
    _book(officer_b, supervisor_b)
    high = RiskGroup.objects.get(code="high")
    raised = CustomerFactory(officer=officer)
    raised.risk_group = high
    raised.warning_level = "red"  # its standing warning (the customer's copy of it)
    raised.save()  # the audit trail now holds normal → high, this month
    RiskReport.objects.create(customer=raised, author=officer, status="approved",
                              warning_level="red", decided_by=supervisor,
                              decided_at=timezone.now())
    figures = {**schedule_selectors.officers_card(user=supervisor),
               **report_selectors.warnings_card(user=supervisor),
               **customer_selectors.risk_rose_card(user=supervisor)}
    assert [row["n"] for row in figures["overdue_by_officer"]] == [1]
    assert {level.value: n for level, n in figures["warning_levels"]}["red"] == 1
    assert figures["risk_rose_count"] == 1 and figures["risk_rose"] == [raised]
    (row,) = figures["on_time"]
    assert (row["total"], row["rate"]) == (1, 100.0)


def test_home_pages_show_the_cards_at_a_fixed_cost(officer_client, supervisor_client, officer,
                                                   supervisor):
    def count(client) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        return len(captured)

    _book(officer, supervisor)
    small = count(officer_client), count(supervisor_client)
    for _ in range(4):
        _book(officer, supervisor)
    assert (count(officer_client), count(supervisor_client)) == small
    page = officer_client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for card in ("work-week", "work-drafts", "work-returned", "work-findings"):
        assert f'id="{card}"' in page
    page = supervisor_client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for card in ("work-overdue-by-officer", "work-warnings", "work-risk-rose", "work-on-time"):
        assert f'id="{card}"' in page
