"""A serious loan-feed signal asks the customer's officer for a visit within a week, once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from customers.models import RiskSignal
from tests.customers.factories import LoanFactory
from tests.customers.feed.helpers import csv_bytes, line, run_file
from visits.schedule.models import RevisitTask
from visits.schedule.services import LOAN_ARREARS_TASK_DAYS

pytestmark = pytest.mark.django_db


def test_a_loan_over_90_days_past_due_raises_one_task_and_a_rerun_none():
    serious = LoanFactory(contract_number="HT-1")
    LoanFactory(contract_number="HT-2")
    night = [line("HT-1", days_past_due=95, classification="substandard"),
             line("HT-2", days_past_due=35, classification="special_mention")]
    run_file(csv_bytes(night))
    [task] = RevisitTask.objects.all()
    signal = RiskSignal.objects.get(severity="serious")
    assert (task.customer_id, task.officer_id, task.reason, task.source_key) == (
        serious.customer_id, serious.customer.officer_id, "risk_event", f"signal:{signal.pk}")
    assert task.due_on == timezone.localdate() + datetime.timedelta(days=LOAN_ARREARS_TASK_DAYS)
    assert "HT-1" in task.note
    run_file(csv_bytes(night))
    run_file(csv_bytes([[*row[:1], "2026-11-30", *row[2:]] for row in night]))
    assert RevisitTask.objects.count() == 1
