"""Journey: a customer under a standing warning; the officer proposes its release (解除) from
the customer's sheet, the supervisor approves it, and the sheet no longer shows the warning."""

from __future__ import annotations

from customers.models import Customer
from reports import services
from reports.models import CustomerWarning, RiskReport
from tests.customers.factories import CustomerFactory
from tests.reports.factories import submitted_report

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in


def test_officer_proposes_release_and_supervisor_approves_it(page, browser, live_server,
                                                             officer, supervisor, viewport,
                                                             language):
    customer = CustomerFactory(officer=officer, name="预警解除测试公司")
    raised = submitted_report(officer=officer, customer=customer, warning_level="yellow")
    services.report_decide(report=raised, acting_user=supervisor, decision="approve")
    sheet = f"/customers/{customer.pk}/"

    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(sheet)
    assert page.locator("#sheet-warning").is_visible()
    assert page.locator("#standing-warning-level").is_visible()
    with page.expect_navigation():
        page.click("#propose-release")
    page.fill("#release-form textarea[name=assessment]", "逾期款项已全部结清，经营恢复正常")
    with page.expect_navigation():
        page.click("#release-submit")
    release = RiskReport.objects.get(customer=customer, kind=RiskReport.Kind.RELEASE)
    assert release.status == RiskReport.Status.SUBMITTED
    page.goto(sheet)
    assert page.locator("#release-proposed").is_visible()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                  base_url=live_server.url)
    desk = context.new_page()
    sign_in(desk, supervisor.username, TEST_PASSWORD)
    desk.goto(f"/reports/{release.pk}/")
    assert "逾期款项已全部结清" in desk.inner_text("#release")
    desk.check("input[name=decision][value=approve]")
    with desk.expect_navigation():
        desk.click("#decision [type=submit]")
    context.close()

    release.refresh_from_db()
    assert release.status == RiskReport.Status.APPROVED
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.warning_level, customer.warning_since) == ("none", None)
    assert CustomerWarning.objects.get(customer=customer).status == "released"
    page.goto(sheet)
    assert page.locator("#no-standing-warning").is_visible()
    assert page.locator("#sheet-warning").count() == 0
    assert page.locator("#propose-release").count() == 0
