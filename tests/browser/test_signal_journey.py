"""Journey: an officer dismisses a risk signal on the signal list — first without a reason,
which is refused in their language, then with one; the supervisor signs in and sees the
dismissal, who made it and why, on the home page and on the list of dismissed signals."""

from __future__ import annotations

from customers.models import RiskSignal
from tests.customers.factories import CustomerFactory

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in

REFUSED = {"en": "Say why the signal is dismissed.", "zh": "请说明排除该信号的原因。"}
REASON = "已上门核实：工资延迟系春节前集中发放，非经营恶化"


def test_officer_dismisses_a_signal_and_the_supervisor_sees_why(page, browser, live_server,
                                                                officer, supervisor, viewport,
                                                                language):
    customer = CustomerFactory(officer=officer, name="信号排除测试公司")
    signal = RiskSignal.objects.create(customer=customer, source="manual", rule="other",
                                       severity="serious")

    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/customers/signals/")
    row = page.locator(f"#signal-{signal.pk}")
    assert "信号排除测试公司" in row.inner_text()
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    assert REFUSED[language] in page.inner_text(f"#dismiss-error-{signal.pk}")
    signal.refresh_from_db()
    assert signal.status == RiskSignal.Status.OPEN

    page.fill("#dismiss-failed input[name=reason]", REASON)
    with page.expect_navigation():
        page.click("#dismiss-failed button[type=submit]")
    signal.refresh_from_db()
    assert (signal.status, signal.status_by, signal.status_reason) == (
        RiskSignal.Status.DISMISSED, officer, REASON)
    assert page.locator(f"#signal-{signal.pk}").count() == 0  # gone from the open signals

    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
                                  extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                  base_url=live_server.url)
    desk = context.new_page()
    sign_in(desk, supervisor.username, TEST_PASSWORD)
    desk.goto("/")
    card = desk.inner_text("#work-dismissals")
    assert "信号排除测试公司" in card and REASON in card and str(officer) in card
    desk.click("#work-dismissals .card-header a")
    desk.wait_for_load_state()
    listed = desk.inner_text(f"#signal-{signal.pk}")
    assert REASON in listed and str(officer) in listed
    context.close()
