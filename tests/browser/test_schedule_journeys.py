"""Journeys of the revisit schedule: an admin shortens a risk group's interval and the affected
customers' due dates move; a supervisor declares an industry risk event and the officer finds
the new tasks on their plan."""

from __future__ import annotations

import datetime

from django.utils import timezone

from customers.models import RiskGroup
from tests.customers.factories import CustomerFactory, IndustryFactory, LoanFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan

from ..factories import TEST_PASSWORD
from .conftest import sign_in

SAVED = {"zh": "保存", "en": "Save"}


def _watched_customer(officer, group_code: str, name: str):
    customer = CustomerFactory(officer=officer, name=name,
                               risk_group=RiskGroup.objects.get(code=group_code))
    LoanFactory(customer=customer)
    visited = timezone.localdate() - datetime.timedelta(days=10)
    VisitFactory(customer=customer, officer=officer, visited_on=visited,
                 status=Visit.Status.SUBMITTED, submitted_at=timezone.now(),
                 submitted_by=officer)
    return customer, visited


def _periodic_due(customer) -> datetime.date:
    return RevisitTask.objects.get(customer=customer, reason="periodic", status="open").due_on


def test_admin_shortens_an_interval_and_due_dates_move(page, admin_user, officer, language):
    high = RiskGroup.objects.get(code="high")
    watched, visited = _watched_customer(officer, "high", "高风险观察公司")
    normal, normal_visited = _watched_customer(officer, "normal", "正常经营公司")
    plan()
    assert _periodic_due(watched) == visited + datetime.timedelta(days=30)
    normal_due = _periodic_due(normal)

    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto("/schedule/policy/")
    page.fill(f"input[name=days_{high.pk}_corporate]", "14")
    with page.expect_navigation():
        page.click("main form button.btn-primary")
    assert _periodic_due(watched) == visited + datetime.timedelta(days=14)
    assert _periodic_due(normal) == normal_due  # another group's customer did not move

    page.goto("/schedule/?officer=" + str(officer.pk))
    assert page.get_by_text("高风险观察公司").first.is_visible()


def test_supervisor_declares_an_industry_event_and_the_officer_sees_tasks(
        page, browser, live_server, supervisor, officer, officer_b, language):
    steel = IndustryFactory(code="C31", name="黑色金属冶炼和压延加工业", high_risk=True)
    mine = CustomerFactory(officer=officer, industry=steel, name="钢材贸易甲公司")
    theirs = CustomerFactory(officer=officer_b, industry=steel, name="别队钢材公司")
    LoanFactory(customer=mine)
    LoanFactory(customer=theirs)

    sign_in(page, supervisor.username, TEST_PASSWORD)
    page.goto("/schedule/events/new/")
    page.select_option("select[name=kind]", "systemic")
    page.fill("input[name=title]", "钢价急跌")
    page.select_option("select[name=target]", "industry")
    page.select_option("select[name=industry]", str(steel.pk))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    task = RevisitTask.objects.get(customer=mine, reason="risk_event")
    assert task.due_on <= timezone.localdate() + datetime.timedelta(days=3)
    # The other team's customer is outside this supervisor's scope: no task for it.
    assert not RevisitTask.objects.filter(customer=theirs, reason="risk_event").exists()

    page.context.clear_cookies()
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/schedule/")
    assert page.get_by_text("钢材贸易甲公司").first.is_visible()
