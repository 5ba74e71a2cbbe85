"""The benchmark's planner item produces its numbers and leaves the database as it found it.
Timings are never compared with a bound here: a slow machine is not a failure."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command

from customers.models import Customer, ImportRun, Loan, RiskGroup
from loanwatch.devtools import bench_import, bench_planner
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit
from visits.schedule.models import PlannerRun, RevisitTask
from visits.schedule.planner import plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_book(officer):
    for _ in range(3):
        customer = CustomerFactory(officer=officer)
        LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
        # A visit made: the periodic task is due at the visit + the group's interval.
        VisitFactory(customer=customer, visited_on=datetime.date(2026, 10, 1),
                     status=Visit.Status.SUBMITTED, submitted_by=officer,
                     submitted_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC))
    plan()
    return {task.pk: task.due_on for task in RevisitTask.objects.all()}


def test_the_planner_item_times_both_sides_and_rolls_back(planned_book):
    runs = PlannerRun.objects.count()
    intervals = list(RiskGroup.objects.values_list("default_interval_days", flat=True))

    bench = bench_planner.run(rounds=2)

    assert bench.statements > 5 and bench.second_statements > 5
    # Every interval a day shorter: the three periodic tasks move; the second run finds nothing.
    assert bench.changes["moved"] == 3 and bench.second_changes == 0
    for series in (bench.planner_ms, bench.floor_ms, bench.second_planner_ms,
                   bench.second_floor_ms):
        assert len(series) == 2 and all(ms > 0 for ms in series)
    assert bench.slowest
    assert {task.pk: task.due_on for task in RevisitTask.objects.all()} == planned_book
    assert PlannerRun.objects.count() == runs
    assert list(RiskGroup.objects.values_list("default_interval_days", flat=True)) == intervals


def test_the_command_reports_the_planner_against_its_floor(planned_book, tmp_path):
    out = io.StringIO()
    target = tmp_path / "results.json"
    call_command("bench", only=["planner"], planner_rounds=1, output=str(target), stdout=out)

    results = {r["item"]: r for r in json.loads(target.read_text())["results"]}
    planner, floor = results["planner: whole portfolio"], results["planner floor: its SQL"]
    assert planner["floor"] == "planner floor: its SQL"
    assert planner["queries"] == floor["queries"] > 5
    assert planner["p50_ms"] > 0 and floor["p50_ms"] > 0 and planner["ratio_to_floor"] > 0
    assert results["planner: second run"]["floor"] == "planner floor: 2nd run's SQL"
    assert "planner: whole portfolio" in out.getvalue()


def test_the_import_bench_imports_its_file_and_leaves_nothing(officer, admin_user):
    bench = bench_import.run(customers=40, rounds=1)
    assert (bench.created_customers, bench.created_loans) == (40, 100) == (40, bench.loans)
    assert len(bench.job_ms) == len(bench.floor_ms) == 1
    assert all(ms > 0 for ms in bench.job_ms + bench.floor_ms)
    assert not Customer.objects.exists() and not Loan.objects.exists()
    assert not ImportRun.objects.exists()
