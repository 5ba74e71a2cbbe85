"""A risk report in the browser: the officer writes and submits it from a visit, the supervisor
approves it, and the measure lands on the officer's home page — on a phone and a desktop, in
both languages, without a script error or a CSP breach."""

from __future__ import annotations

from pathlib import Path

from reports.models import FollowUp, RiskReport
from tests.customers.factories import CustomerFactory
from tests.reports.factories import measure, submitted_visit

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in

SHOTS = Path(__file__).resolve().parents[2] / ".data" / "report-shots"


def test_write_submit_approve(page, browser, live_server, officer, supervisor, viewport,
                              language):
    customer = CustomerFactory(officer=officer, name="华东精密机械有限公司")
    visit = submitted_visit(customer=customer)
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/reports/visit/{visit.pk}/new/")
    with page.expect_navigation():
        page.click("#report-start")
    page.select_option("select[name=warning_level]", "orange")
    page.fill("textarea[name=assessment]", "订单减少，回款放缓")
    page.fill("textarea[name=points-0-text]", "主要客户流失")
    page.select_option("select[name=measures-0-measure]", str(measure("more_visits").pk))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"form-{viewport}-{language}.png"), full_page=True)
    with page.expect_navigation():
        page.click("#report-submit")
    report = RiskReport.objects.get(customer=customer)
    assert report.status == RiskReport.Status.SUBMITTED

    # The supervisor at their own browser, while the officer stays signed in at theirs.
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                  base_url=live_server.url)
    errors: list[str] = []
    desk = context.new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(desk, supervisor.username, TEST_PASSWORD)
    desk.goto("/reports/")
    with desk.expect_navigation():
        desk.click(f"#report-queue a[href='/reports/{report.pk}/']")
    desk.check("input[name=decision][value=approve]")
    desk.screenshot(path=str(SHOTS / f"detail-{viewport}-{language}.png"), full_page=True)
    with desk.expect_navigation():
        desk.click("#decision [type=submit]")
    context.close()
    assert not errors, errors
    report.refresh_from_db()
    assert report.status == RiskReport.Status.APPROVED
    assert FollowUp.objects.filter(owner=officer).count() == 1

    page.goto("/")
    assert "华东精密机械有限公司" in page.inner_text("#follow-ups")
