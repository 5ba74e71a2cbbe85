"""A planner run cut off by a database outage is tried again, and a day whose run did not
finish is planned by the hourly catch-up."""

from __future__ import annotations

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
from celery.signals import beat_init, worker_ready
from django.conf import settings
from django.db import OperationalError, connection
from django.utils import timezone

from tests.customers.factories import CustomerFactory, LoanFactory
from visits.schedule.models import PlannerRun, RevisitTask
from visits.schedule.planner import plan_if_missed
from visits.schedule.tasks import plan_revisits, plan_revisits_if_missed

pytestmark = pytest.mark.django_db


def _borrower():
    customer = CustomerFactory()
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    return customer


class _DatabaseGoesAwayOnce:
    """Fails the planner's first statement as a PostgreSQL restart does, then lets all through."""

    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if not self.failed and "pg_advisory_xact_lock" in sql:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_a_planner_run_cut_off_by_the_database_is_retried_and_completes(settings):
    customer = _borrower()
    outage = _DatabaseGoesAwayOnce()
    with connection.execute_wrapper(outage):
        result = plan_revisits.apply()
    assert outage.failed == 1
    assert result.successful(), result.traceback
    assert result.get()["created"] == 1
    assert RevisitTask.objects.filter(customer=customer, reason="periodic").count() == 1
    # The cut-off run stays on record as unfinished; the retry's run finished.
    runs = list(PlannerRun.objects.order_by("started_at").values_list("finished_at", flat=True))
    assert len(runs) == 2 and runs[0] is None and runs[1] is not None


def test_the_planner_gives_up_after_a_few_retries():
    class DatabaseDown:
        calls = 0

        def __call__(self, execute, sql, params, many, context):
            if "pg_advisory_xact_lock" in sql:
                DatabaseDown.calls += 1
                raise OperationalError("could not connect to server")
            return execute(sql, params, many, context)

    with connection.execute_wrapper(DatabaseDown()):
        result = plan_revisits.apply()
    assert result.failed() and DatabaseDown.calls == 1 + plan_revisits.max_retries
    assert not PlannerRun.objects.filter(finished_at__isnull=False).exists()


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute),
                                     tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_day_whose_run_died_is_planned_by_the_catch_up():
    customer = _borrower()
    today = datetime.date(2026, 11, 30)
    PlannerRun.objects.create(started_at=_at(today, "06:15"), planned_for=today, trigger="beat")
    # Before the planner time, the morning's run is still to come: nothing to catch up.
    assert plan_if_missed(now=_at(today, "05:45")) is None
    assert not RevisitTask.objects.exists()

    result = plan_if_missed(now=_at(today, "07:45"))
    assert result is not None and result.created == 1
    assert RevisitTask.objects.filter(customer=customer, reason="periodic").count() == 1
    finished = PlannerRun.objects.get(finished_at__isnull=False)
    assert (finished.planned_for, finished.trigger) == (today, "catch-up")
    # Once today's run finished, the later checks leave the day alone.
    assert plan_if_missed(now=_at(today, "08:45")) is None
    assert PlannerRun.objects.count() == 2


def test_yesterdays_run_does_not_count_for_today():
    _borrower()
    today = datetime.date(2026, 11, 30)
    yesterday = today - datetime.timedelta(days=1)
    PlannerRun.objects.create(started_at=_at(yesterday, "06:15"), planned_for=yesterday,
                              finished_at=_at(yesterday, "06:16"), trigger="beat")
    assert plan_if_missed(now=_at(today, "09:45")) is not None
    assert PlannerRun.objects.filter(planned_for=today, finished_at__isnull=False).exists()


def test_the_hourly_catch_up_is_scheduled_and_runs_todays_plan(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["revisit-planner-catch-up"]
    assert entry["task"] == plan_revisits_if_missed.name
    settings.REVISIT_PLANNER_TIME = "00:00"
    customer = _borrower()
    first = plan_revisits_if_missed.apply().get()
    assert first["created"] == 1 and "due_soon" in first
    assert plan_revisits_if_missed.apply().get() is None
    assert PlannerRun.objects.get().planned_for == timezone.localdate()
    assert RevisitTask.objects.filter(customer=customer).count() == 1


def test_beat_started_after_the_planner_time_runs_todays_plan(celery_worker, settings):
    """A beat container recreated after the planner time, its schedule file gone, would wait
    for tomorrow: at its start it asks for today's run, which the worker carries out."""
    settings.REVISIT_PLANNER_TIME = "00:00"
    customer = _borrower()
    beat_init.send(sender=None)
    deadline = time.monotonic() + 30
    while not PlannerRun.objects.filter(planned_for=timezone.localdate(),
                                        finished_at__isnull=False).exists():
        assert time.monotonic() < deadline, "today's plan did not run"
        time.sleep(0.2)
    assert RevisitTask.objects.filter(customer=customer, status="open").exists()
    # A second start finds today's run finished and plans nothing again.
    runs = PlannerRun.objects.count()
    worker_ready.send(sender=None)
    time.sleep(1)
    assert PlannerRun.objects.count() == runs
