"""A customer's revisit moves the moment its risk group, or its industry's high-risk flag,
changes: nobody has to press "re-plan all"."""

from __future__ import annotations

import datetime

import pytest

from customers import services as customer_services
from customers.models import Customer, RiskGroup
from customers.risk_state import correction_request
from customers.services import CUSTOMER_FIELDS
from reports import services as report_services
from tests.customers.factories import CustomerFactory, IndustryFactory, LoanFactory
from tests.reports.factories import submitted_report
from tests.visits.factories import VisitFactory
from visits.models import Visit
from visits.schedule.models import RevisitTask, ScheduleSettings
from visits.schedule.planner import plan

pytestmark = pytest.mark.django_db
LAST_VISIT = datetime.date(2026, 10, 1)


def _visited_customer(*, officer, industry=None) -> Customer:
    customer = CustomerFactory(officer=officer, risk_group=RiskGroup.objects.get(code="normal"),
                               industry=industry or IndustryFactory(high_risk=False))
    LoanFactory(customer=customer, disbursed_on=datetime.date(2025, 1, 15))
    VisitFactory(customer=customer, visited_on=LAST_VISIT, method=Visit.Method.ON_SITE,
                 status=Visit.Status.SUBMITTED, submitted_by=officer,
                 submitted_at=datetime.datetime(2026, 10, 2, tzinfo=datetime.UTC))
    return customer


def _due(customer: Customer) -> datetime.date:
    return RevisitTask.objects.get(customer=customer, reason="periodic", status="open").due_on


def _edit(customer: Customer, **changes) -> dict:
    return {**{key: getattr(customer, key) for key in CUSTOMER_FIELDS}, **changes}


def test_an_admins_correction_into_a_14_day_group_moves_its_revisit(officer, admin_user):
    fortnightly = RiskGroup.objects.create(code="close_watch", name_zh="重点监控",
                                           name_en="Close watch", order=40,
                                           default_interval_days=14)
    customer, other = _visited_customer(officer=officer), _visited_customer(officer=officer)
    plan()
    assert _due(customer) == LAST_VISIT + datetime.timedelta(days=90)

    correction_request(customer=customer, acting_user=admin_user, risk_group=fortnightly,
                       reason="法院执行信息核实后调整")

    assert _due(customer) == LAST_VISIT + datetime.timedelta(days=14)
    assert _due(other) == LAST_VISIT + datetime.timedelta(days=90)


def test_an_edit_that_leaves_the_group_alone_does_not_touch_the_plan(officer, admin_user):
    customer = _visited_customer(officer=officer)
    plan()
    task = RevisitTask.objects.get(customer=customer, reason="periodic", status="open")
    # Moved by hand: only a change of risk re-plans, not every edit of the customer.
    RevisitTask.objects.filter(pk=task.pk).update(due_on=datetime.date(2027, 3, 1))
    customer_services.customer_update(customer=customer, acting_user=admin_user,
                                      data=_edit(customer, phone="13800138000"))
    assert _due(customer) == datetime.date(2027, 3, 1)


def test_an_industry_flagged_high_risk_replans_its_customers(officer, admin_user):
    ScheduleSettings.objects.filter(pk=1).update(high_risk_industry_cap_days=30)
    industry, elsewhere = IndustryFactory(high_risk=False), IndustryFactory(high_risk=False)
    inside = [_visited_customer(officer=officer, industry=industry) for _ in range(2)]
    outside = _visited_customer(officer=officer, industry=elsewhere)
    plan()

    customer_services.industry_save(acting_user=admin_user, industry=industry, data={
        "code": industry.code, "name": industry.name, "name_en": industry.name_en,
        "high_risk": True})

    assert [_due(c) for c in inside] == [LAST_VISIT + datetime.timedelta(days=30)] * 2
    assert _due(outside) == LAST_VISIT + datetime.timedelta(days=90)

    customer_services.industry_save(acting_user=admin_user, industry=industry, data={
        "code": industry.code, "name": industry.name, "name_en": industry.name_en,
        "high_risk": False})
    assert [_due(c) for c in inside] == [LAST_VISIT + datetime.timedelta(days=90)] * 2


def test_an_approved_report_raising_the_group_moves_the_revisit(officer, supervisor):
    customer = _visited_customer(officer=officer)
    plan()
    report = submitted_report(officer=officer, customer=customer,
                              proposed_risk_group=RiskGroup.objects.get(code="high"))
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    assert _due(customer) == LAST_VISIT + datetime.timedelta(days=30)
