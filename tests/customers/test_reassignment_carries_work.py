"""A reassigned customer's open work goes with it: revisit tasks and measures land with the new
officer in the same transaction, and the people concerned are told."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from customers import services
from customers.services import CUSTOMER_FIELDS
from loanwatch.accounts.roles import Role
from loanwatch.core.models import Notification
from reports import services as report_services
from reports.models import FollowUp
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory
from tests.reports.factories import measure, submitted_report
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan
from visits.schedule.services import task_raise

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(team_a):
    return UserFactory(username="officer_a2", team=team_a, role=Role.OFFICER)


def _customer_with_open_work(*, officer, supervisor):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    plan(customer_ids=[customer.pk])
    task_raise(customer=customer, reason="manual", due_on=datetime.date(2026, 12, 1),
               note="核实抵押物", source_key=f"test:{customer.pk}")
    report = submitted_report(officer=officer, customer=customer,
                              measures=[{"measure": measure("recall")},
                                        {"measure": measure("more_visits")}])
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    done = FollowUp.objects.filter(customer=customer, measure=measure("more_visits")).get()
    report_services.follow_up_done(item=done, acting_user=officer, outcome="已改为每月回访")
    return customer


def test_reassignment_moves_open_tasks_and_measures_and_tells_everyone(
        officer, colleague, supervisor, admin_user):
    customer = _customer_with_open_work(officer=officer, supervisor=supervisor)
    untouched = _customer_with_open_work(officer=officer, supervisor=supervisor)
    Notification.objects.all().delete()

    moved = services.customer_reassign(customer_ids=[customer.pk], to_officer=colleague,
                                       acting_user=admin_user)

    assert moved == 1
    open_tasks = RevisitTask.objects.filter(customer=customer, status="open")
    assert open_tasks.count() >= 2
    assert set(open_tasks.values_list("officer", flat=True)) == {colleague.pk}
    assert set(RevisitTask.objects.filter(customer=untouched, status="open")
               .values_list("officer", flat=True)) == {officer.pk}
    items = {i.measure.code: i.owner for i in FollowUp.objects.filter(customer=customer)}
    # The open measure moves; the one already done stays with whoever did it.
    assert items == {"recall": colleague, "more_visits": officer}
    assert set(FollowUp.objects.filter(customer=untouched).values_list("owner", flat=True)) == {
        officer.pk}
    told = sorted(Notification.objects.values_list("recipient__username", "kind"))
    assert told == [("officer_a", "customers.assigned_away"),
                    ("officer_a2", "customers.assigned_to_you"),
                    ("supervisor_a", "customers.reassigned")]


def test_the_measures_then_show_on_the_new_officers_home_page(officer, colleague, supervisor):
    customer = _customer_with_open_work(officer=officer, supervisor=supervisor)
    services.customer_reassign(customer_ids=[customer.pk], to_officer=colleague,
                               acting_user=supervisor)
    new, old = Client(), Client()
    new.force_login(colleague)
    old.force_login(officer)
    recall = str(measure("recall"))
    assert recall in new.get(reverse("core:home")).content.decode()
    assert recall not in old.get(reverse("core:home")).content.decode()
    # The supervisor did it: the two officers are told, the supervisor is not told twice.
    assert not Notification.objects.filter(recipient=supervisor,
                                           kind="customers.reassigned").exists()
    assert Notification.objects.filter(recipient=colleague,
                                       kind="customers.assigned_to_you").exists()


def test_changing_the_officer_on_the_customer_form_carries_the_work_too(
        officer, colleague, supervisor):
    customer = _customer_with_open_work(officer=officer, supervisor=supervisor)
    data = {key: getattr(customer, key) for key in CUSTOMER_FIELDS}
    services.customer_update(customer=customer, acting_user=supervisor,
                             data={**data, "officer": colleague})
    assert set(RevisitTask.objects.filter(customer=customer, status="open")
               .values_list("officer", flat=True)) == {colleague.pk}
    assert FollowUp.objects.get(customer=customer, done_at__isnull=True).owner == colleague


def test_a_refused_reassignment_moves_nothing(officer, officer_b, supervisor):
    customer = _customer_with_open_work(officer=officer, supervisor=supervisor)
    Notification.objects.all().delete()
    with pytest.raises(ValidationError):
        services.customer_reassign(customer_ids=[customer.pk], to_officer=officer_b,
                                   acting_user=supervisor)
    assert FollowUp.objects.get(customer=customer, done_at__isnull=True).owner == officer
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reassignments_at_once_leave_the_work_with_the_last_officer(
        officer, colleague, supervisor, admin_user):
    third = UserFactory(username="officer_a3", team=officer.team, role=Role.OFFICER)
    customer = _customer_with_open_work(officer=officer, supervisor=supervisor)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def reassign(to_officer, acting_user) -> None:
        try:
            barrier.wait()
            services.customer_reassign(customer_ids=[customer.pk], to_officer=to_officer,
                                       acting_user=acting_user)
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reassign, args=(colleague, supervisor)),
               threading.Thread(target=reassign, args=(third, admin_user))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    customer.refresh_from_db()
    assert customer.officer in (colleague, third)
    assert customer.assignments.count() == 2
    owners = set(RevisitTask.objects.filter(customer=customer, status="open")
                 .values_list("officer", flat=True))
    owners |= set(FollowUp.objects.filter(customer=customer, done_at__isnull=True)
                  .values_list("owner", flat=True))
    assert owners == {customer.officer_id}
