"""Journey 2: the supervisor returns a report with a comment, the officer revises and resubmits,
the supervisor approves; the customer's risk group and next due date change accordingly."""

from __future__ import annotations

import datetime

from django.utils import timezone

from customers.models import RiskGroup
from reports.models import RiskReport
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.reports.factories import submitted_report
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in


def _desk(browser, live_server, viewport, language):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                  base_url=live_server.url)
    return context, context.new_page()


def _decide(desk, report, decision: str, comment: str = "") -> None:
    desk.goto(f"/reports/{report.pk}/")
    desk.check(f"input[name=decision][value={decision}]")
    if comment:
        desk.fill("#decision textarea[name=comment]", comment)
    with desk.expect_navigation():
        desk.click("#decision [type=submit]")


def test_return_revise_approve_moves_group_and_due_date(page, browser, live_server, officer,
                                                        supervisor, viewport, language):
    high = RiskGroup.objects.get(code="high")
    customer = CustomerFactory(officer=officer, name="回退修改测试公司")
    LoanFactory(customer=customer, disbursed_on=timezone.localdate() - datetime.timedelta(
        days=400))
    report = submitted_report(officer=officer, customer=customer, warning_level="yellow")
    plan(customer_ids=[customer.pk])
    visited = report.visit.visited_on
    due_before = RevisitTask.objects.get(customer=customer, reason="periodic",
                                         status="open").due_on
    assert due_before == visited + datetime.timedelta(days=90)  # the normal group

    context, desk = _desk(browser, live_server, viewport, language)
    sign_in(desk, supervisor.username, TEST_PASSWORD)
    _decide(desk, report, "return", "请补充最近三个月的银行流水")
    report.refresh_from_db()
    assert report.status == RiskReport.Status.DRAFT

    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/reports/{report.pk}/edit/")
    assert "请补充最近三个月的银行流水" in page.content()
    page.fill("textarea[name=assessment]", "已补充流水：近三月回款下降三成")
    page.select_option("select[name=proposed_risk_group]", str(high.pk))
    with page.expect_navigation():
        page.click("#report-submit")
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED

    _decide(desk, report, "approve")
    context.close()
    report.refresh_from_db()
    customer.refresh_from_db()
    assert report.status == RiskReport.Status.APPROVED
    assert customer.risk_group == high
    # The high-risk group is revisited every 30 days instead of the normal group's 90.
    due_after = RevisitTask.objects.get(customer=customer, reason="periodic",
                                        status="open").due_on
    assert due_after == visited + datetime.timedelta(days=30)
    page.goto(f"/customers/{customer.pk}/")
    assert (high.name_en if language == "en" else high.name_zh) in page.inner_text("main")
