"""The planner's arithmetic and its idempotency, against the real database."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from customers.models import Customer, RiskGroup
from tests.customers.factories import CustomerFactory, IndustryFactory, LoanFactory
from tests.factories import UserFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit
from visits.schedule.models import (
    PlannerRun,
    RevisitPolicy,
    RevisitTask,
    RevisitTaskEvent,
    ScheduleSettings,
)
from visits.schedule.planner import plan
from visits.schedule.services import task_raise

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)
LAST_VISIT = datetime.date(2026, 10, 1)


def _customer(group="normal", kind=Customer.Kind.CORPORATE, high_risk=False, **kwargs):
    industry = IndustryFactory(high_risk=high_risk)
    customer = CustomerFactory(risk_group=RiskGroup.objects.get(code=group), kind=kind,
                               industry=industry, **kwargs)
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    return customer


def _visit(customer, on=LAST_VISIT, method=Visit.Method.ON_SITE, status="submitted"):
    if status == "draft":
        return VisitFactory(customer=customer, visited_on=on, method=method)
    return VisitFactory(customer=customer, visited_on=on, method=method, status=status,
                        submitted_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC),
                        submitted_by=customer.officer)


def _periodic(customer) -> RevisitTask:
    return RevisitTask.objects.get(customer=customer, reason="periodic", status="open")


@pytest.mark.parametrize("group,kind,days", [
    ("normal", "corporate", 90), ("watch", "corporate", 60), ("high", "corporate", 30),
    ("normal", "individual", 90), ("watch", "individual", 60), ("high", "individual", 30),
])
def test_due_is_last_visit_plus_the_groups_interval(group, kind, days):
    customer = _customer(group, kind)
    _visit(customer)
    plan(today=TODAY)
    assert _periodic(customer).due_on == LAST_VISIT + datetime.timedelta(days=days)


def test_the_policy_can_differ_by_kind():
    RevisitPolicy.objects.filter(risk_group__code="normal", customer_kind="individual").update(
        interval_days=120)
    corporate, person = _customer(), _customer(kind="individual")
    _visit(corporate), _visit(person)
    plan(today=TODAY)
    assert (_periodic(corporate).due_on - LAST_VISIT).days == 90
    assert (_periodic(person).due_on - LAST_VISIT).days == 120


def test_a_high_risk_industry_caps_the_interval():
    capped, uncapped = _customer(high_risk=True), _customer()
    _visit(capped), _visit(uncapped)
    plan(today=TODAY)
    assert (_periodic(capped).due_on - LAST_VISIT).days == 30
    assert (_periodic(uncapped).due_on - LAST_VISIT).days == 90
    ScheduleSettings.objects.filter(pk=1).update(high_risk_industry_cap_days=None)
    plan(today=TODAY)
    assert (_periodic(capped).due_on - LAST_VISIT).days == 90


def test_remote_visits_count_only_where_the_policy_says():
    customer = _customer()
    _visit(customer, on=datetime.date(2026, 8, 1))
    _visit(customer, on=LAST_VISIT, method=Visit.Method.PHONE)
    _visit(customer, on=datetime.date(2026, 11, 1), method=Visit.Method.SOCIAL_MEDIA)
    plan(today=TODAY)
    assert _periodic(customer).due_on == datetime.date(2026, 8, 1) + datetime.timedelta(90)
    RevisitPolicy.objects.filter(risk_group__code="normal").update(remote_counts=True)
    result = plan(today=TODAY)
    # The phone call now counts; social media never does.
    assert _periodic(customer).due_on == LAST_VISIT + datetime.timedelta(90)
    assert result.moved == 1


def test_drafts_do_not_count():
    customer = _customer()
    _visit(customer, status="draft")
    plan(today=TODAY)
    # Before any visit: the earliest outstanding disbursement + the first-check days.
    assert _periodic(customer).due_on == datetime.date(2025, 1, 15) + datetime.timedelta(30)
    assert _periodic(customer).overdue_since == TODAY


def test_a_new_loan_gets_a_first_check():
    customer = _customer()
    _visit(customer)
    loan = LoanFactory(customer=customer, disbursed_on=datetime.date(2026, 11, 10))
    result = plan(today=TODAY)
    task = RevisitTask.objects.get(customer=customer, reason="first_check")
    assert task.due_on == datetime.date(2026, 12, 10)
    assert loan.contract_number in task.note
    assert result.first_checks == 1 and result.created == 1


def test_customers_with_nothing_outstanding_lose_their_periodic_task():
    customer = _customer()
    plan(today=TODAY)
    customer.loans.update(balance=0)
    result = plan(today=TODAY)
    assert result.cancelled == 1
    assert not RevisitTask.objects.filter(customer=customer, status="open").exists()


def test_a_second_run_changes_nothing():
    customers = [_customer(g) for g in ("normal", "watch", "high")]
    _visit(customers[0])
    first = plan(today=TODAY)
    before = list(RevisitTask.objects.order_by("pk").values())
    second = plan(today=TODAY)
    assert first.created == 3 and first.overdue == 2
    assert second.changed == 0
    assert list(RevisitTask.objects.order_by("pk").values()) == before
    runs = PlannerRun.objects.order_by("started_at")
    assert [(r.created, r.finished_at is not None) for r in runs] == [(3, True), (0, True)]


def test_a_changed_risk_group_moves_the_task_for_that_customer_only():
    customer, other = _customer(), _customer()
    _visit(customer), _visit(other)
    plan(today=TODAY)
    Customer.objects.filter(pk=customer.pk).update(
        risk_group=RiskGroup.objects.get(code="high"))
    Customer.objects.filter(pk=other.pk).update(risk_group=RiskGroup.objects.get(code="high"))
    result = plan(customer_ids=[customer.pk], today=TODAY)
    assert result.moved == 1
    assert (_periodic(customer).due_on - LAST_VISIT).days == 30
    assert (_periodic(other).due_on - LAST_VISIT).days == 90


def test_the_command_prints_what_changed(capsys):
    _customer()
    call_command("plan_revisits", "--today", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "created: 1" in out and "overdue: 1" in out
    call_command("plan_revisits", "--today", TODAY.isoformat())
    assert "nothing changed" in capsys.readouterr().out.lower()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_create_no_duplicate(django_db_blocker):
    customers = [_customer(g) for g in ("normal", "watch", "high") for _ in range(5)]
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(plan(today=TODAY))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(r.created for r in results) == [0, len(customers)]
    assert RevisitTask.objects.filter(status="open", reason="periodic").count() == len(customers)
    # And the outcome is what one run alone gives.
    before = list(RevisitTask.objects.order_by("pk").values("customer_id", "due_on", "status"))
    assert plan(today=TODAY).changed == 0
    assert list(RevisitTask.objects.order_by("pk").values("customer_id", "due_on",
                                                          "status")) == before


def test_open_tasks_follow_a_reassigned_customer():
    customer = _customer()
    plan(today=TODAY)
    manual, _ = task_raise(customer=customer, reason="manual", due_on=TODAY)
    newcomer = UserFactory(team=customer.team)
    Customer.objects.filter(pk=customer.pk).update(officer=newcomer)
    plan(today=TODAY)
    assert set(RevisitTask.objects.filter(customer=customer, status="open")
               .values_list("officer_id", flat=True)) == {newcomer.pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_killed_halfway_leaves_nothing_and_the_next_run_finishes():
    fresh = _customer()
    waiting, _ = task_raise(customer=_customer(), reason="manual",
                            due_on=datetime.date(2026, 11, 1))
    failures = []

    def run():
        try:
            plan(today=TODAY)
        except OperationalError as exc:  # the backend was terminated under it
            failures.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        # Hold the one task the last step (marking overdue) must update: the run does every
        # earlier step, then waits here, and is killed as a dying worker would be.
        RevisitTask.objects.select_for_update().get(pk=waiting.pk)
        worker = threading.Thread(target=run)
        worker.start()
        pid = None
        for _attempt in range(100):
            with connection.cursor() as cursor:
                # The activity view is read once per transaction unless told to look again.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                               " AND datname = current_database()"
                               " AND query LIKE '%%overdue_since = %%'")
                row = cursor.fetchone()
            if row:
                pid = row[0]
                break
            time.sleep(0.05)
        assert pid, "the run never reached its last step"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        worker.join(10)
    assert failures
    assert not RevisitTask.objects.filter(customer=fresh).exists()
    died = PlannerRun.objects.get()
    assert died.finished_at is None
    result = plan(today=TODAY)
    assert result.created == 2 and result.overdue == 3
    assert RevisitTask.objects.filter(customer=fresh, reason="periodic", status="open").exists()


def test_the_planners_changes_are_in_the_audit_trail():
    customer = _customer()
    plan(today=TODAY)
    task = _periodic(customer)
    assert list(RevisitTaskEvent.objects.filter(pgh_obj=task).values_list(
        "pgh_label", "overdue_since")) == [("insert", None), ("update", TODAY)]
    # Writes after the run, in the same transaction, are recorded by the triggers again.
    manual, _ = task_raise(customer=customer, reason="manual", due_on=TODAY)
    assert RevisitTaskEvent.objects.filter(pgh_obj=manual, pgh_label="insert").exists()
