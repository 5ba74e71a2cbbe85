"""An administrator's downgrade of a customer's risk group waits for a second approver: the
sheet says so and the group stays until the team's supervisor approves it."""

from __future__ import annotations

from customers.models import RiskCorrection, RiskGroup, RiskStateChange
from tests.customers.factories import CustomerFactory, LoanFactory

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in


def test_an_administrators_downgrade_waits_for_a_second_approver(
        page, browser, live_server, admin_user, supervisor, officer, viewport, language):
    normal, high = RiskGroup.objects.get(code="normal"), RiskGroup.objects.get(code="high")
    customer = CustomerFactory(officer=officer, name="降级复核测试公司", risk_group=high)
    LoanFactory(customer=customer)

    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    with page.expect_navigation():
        page.click("#risk-history a[href$='/correct/']")
    page.select_option("select[name=risk_group]", str(normal.pk))
    page.fill("textarea[name=reason]", "执行案件已结案，担保人代偿完毕")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    # Back on the sheet: the correction waits, the group has not moved.
    assert page.locator("#risk-history .correction-waiting").is_visible()
    customer.refresh_from_db()
    assert customer.risk_group == high and not RiskStateChange.objects.exists()

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                  base_url=live_server.url)
    desk = context.new_page()
    sign_in(desk, supervisor.username, TEST_PASSWORD)
    with desk.expect_navigation():
        desk.click("#corrections-card a[href='/customers/corrections/']")
    correction = RiskCorrection.objects.get()
    row = desk.locator(f"#correction-{correction.pk}")
    assert "执行案件已结案" in row.inner_text()
    with desk.expect_navigation():
        row.locator("button[value=approve]").click()
    context.close()

    customer.refresh_from_db()
    assert customer.risk_group == normal
    page.goto(f"/customers/{customer.pk}/")
    history = page.locator("#risk-history .risk-change")
    assert history.count() == 1
    assert (normal.name_en if language == "en" else normal.name_zh) in history.inner_text()
    assert not page.locator("#risk-history .correction-waiting").count()
