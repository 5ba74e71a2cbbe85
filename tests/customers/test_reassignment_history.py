"""Reassignment, further: whoever is writing a draft on a reassigned customer is told who has it
now, the sheet shows every move, and two reassignments at once lose nothing."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from customers import services
from loanwatch.accounts.roles import Role
from loanwatch.core.models import Notification
from loanwatch.core.notifications import render
from reports import services as report_services
from reports.models import FollowUp
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory
from tests.reports.factories import draft_report, measure, submitted_report, submitted_visit
from tests.visits.factories import VisitFactory
from visits.models import Visit
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan
from visits.schedule.services import task_raise

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(team_a):
    return UserFactory(username="officer_a2", full_name="李明", team=team_a, role=Role.OFFICER)


def _customer_with_open_work(*, officer, supervisor, name: str):
    customer = CustomerFactory(officer=officer, name=name)
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    plan(customer_ids=[customer.pk])
    task_raise(customer=customer, reason="manual", due_on=datetime.date(2026, 12, 1),
               note="核实抵押物", source_key=f"test:{customer.pk}")
    report = submitted_report(officer=officer, customer=customer,
                              measures=[{"measure": measure("recall")},
                                        {"measure": measure("more_security")}])
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    # One measure's outcome waits for its sign-off: it is still open work.
    waiting = FollowUp.objects.get(report=report, measure=measure("more_security"))
    report_services.follow_up_done(item=waiting, acting_user=officer, outcome="已追加担保")
    return customer


def test_the_authors_of_drafts_on_the_customer_are_told_who_has_it_now(
        officer, colleague, supervisor):
    customer = CustomerFactory(officer=officer, name="华信机电有限公司")
    untouched = CustomerFactory(officer=officer)
    visit = VisitFactory(customer=customer, status=Visit.Status.DRAFT,
                         visited_on=datetime.date(2026, 11, 20))
    submitted_visit(customer=customer)
    VisitFactory(customer=untouched, status=Visit.Status.DRAFT)
    report = draft_report(officer=officer, customer=customer)
    Notification.objects.all().delete()

    services.customer_reassign(customer_ids=[customer.pk], to_officer=colleague,
                               acting_user=supervisor)

    told = {n.kind: n for n in Notification.objects.filter(recipient=officer)}
    assert set(told) == {"customers.assigned_away", "visits.draft_customer_reassigned",
                         "reports.draft_customer_reassigned"}
    about_visit = told["visits.draft_customer_reassigned"]
    about_report = told["reports.draft_customer_reassigned"]
    assert about_visit.url == reverse("visits:visit_edit", kwargs={"pk": visit.pk})
    assert about_report.url == reverse("reports:report_edit", kwargs={"pk": report.pk})
    with translation.override("en"):
        for note in (about_visit, about_report):
            text = render(note.kind, note.params)
            assert "华信机电有限公司" in text and str(colleague) in text
    # The new officer hears of the customers, not of drafts that are not theirs.
    assert set(Notification.objects.filter(recipient=colleague)
               .values_list("kind", flat=True)) == {"customers.assigned_to_you"}


def test_the_sheet_shows_the_assignment_history(officer, colleague, supervisor,
                                                supervisor_client):
    customer = CustomerFactory(officer=officer)
    services.customer_reassign(customer_ids=[customer.pk], to_officer=colleague,
                               acting_user=supervisor, note="分行调整客户分管")
    services.customer_reassign(customer_ids=[customer.pk], to_officer=officer,
                               acting_user=supervisor, note="原客户经理回岗")
    page = supervisor_client.get(reverse("customers:customer_detail",
                                         kwargs={"pk": customer.pk})).content.decode()
    section = page[page.index('id="assignments"'):]
    section = section[:section.index("</section>")]
    assert section.index("原客户经理回岗") < section.index("分行调整客户分管")  # newest first
    assert str(colleague) in section and str(officer) in section and str(supervisor) in section


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reassignments_of_the_same_customers_at_once_lose_nothing(
        officer, colleague, supervisor, admin_user):
    third = UserFactory(username="officer_a3", team=officer.team, role=Role.OFFICER)
    customers = [_customer_with_open_work(officer=officer, supervisor=supervisor,
                                          name=f"客户{i}") for i in range(3)]
    ids = [c.pk for c in customers]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def reassign(to_officer, acting_user) -> None:
        try:
            barrier.wait()
            services.customer_reassign(customer_ids=list(reversed(ids)), to_officer=to_officer,
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
    for customer in customers:
        customer.refresh_from_db()
        assert customer.officer in (colleague, third)
        open_tasks = RevisitTask.objects.filter(customer=customer, status="open")
        assert open_tasks.count() >= 2
        assert set(open_tasks.values_list("officer", flat=True)) == {customer.officer_id}
        measures = FollowUp.objects.filter(customer=customer).exclude(status="done")
        assert measures.count() == 2
        assert set(measures.values_list("owner", flat=True)) == {customer.officer_id}
        first, second = customer.assignments.order_by("at", "pk")
        assert first.from_officer == officer
        assert first.to_officer == second.from_officer
        assert second.to_officer == customer.officer
    # One move ran wholly before the other: the customers end with the same officer.
    assert len({c.officer_id for c in customers}) == 1
