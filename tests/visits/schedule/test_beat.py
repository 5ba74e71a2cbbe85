"""The beat-scheduled planner job through the real broker and a real worker."""

from __future__ import annotations

import datetime
import time

import pytest
from celery.beat import ScheduleEntry
from django.conf import settings

from loanwatch.celery import app
from tests.customers.factories import CustomerFactory, LoanFactory
from visits.schedule.models import PlannerRun, RevisitTask


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_entry_runs_the_planner_on_a_worker(celery_worker):
    customer = CustomerFactory()
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    entry_conf = settings.CELERY_BEAT_SCHEDULE["revisit-planner"]
    # What beat does when the entry is due: publish the task by name to the broker.
    entry = ScheduleEntry(name="revisit-planner", task=entry_conf["task"],
                          schedule=entry_conf["schedule"], app=app)
    app.send_task(entry.task, args=entry.args, kwargs=entry.kwargs)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not PlannerRun.objects.filter(
            finished_at__isnull=False).exists():
        time.sleep(0.2)
    run = PlannerRun.objects.get()
    assert run.trigger == "beat" and run.created == 1
    assert RevisitTask.objects.filter(customer=customer, reason="periodic").exists()
    # The digest entry is there too, at its configured time.
    assert settings.CELERY_BEAT_SCHEDULE["revisit-overdue-digest"]["task"] == \
        "visits.schedule.tasks.overdue_digest"
