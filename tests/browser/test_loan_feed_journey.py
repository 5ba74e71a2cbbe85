"""An administrator uploads the night's loan-status file and watches the progress bar finish:
the page answers at once, the worker applies the file, the result replaces the bar's waiting.
Then what the file set off reaches the people who act on it: the officer's new signal, the
supervisor's classification review."""

from __future__ import annotations

from decimal import Decimal

from customers.models import Loan
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.customers.feed.helpers import HEADERS_ZH, csv_bytes, line

from ..factories import TEST_PASSWORD
from .conftest import LANGUAGES, VIEWPORTS, sign_in


def test_an_administrator_uploads_a_feed_and_watches_it_apply(page, admin_user, celery_worker,
                                                              tmp_path):
    for n in range(1, 4):
        LoanFactory(contract_number=f"HT-{n}")
    path = tmp_path / "核心系统贷款状态.csv"
    path.write_bytes(csv_bytes([line(f"HT-{n}", balance=f"{n}000.00") for n in range(1, 4)],
                               headers=HEADERS_ZH, encoding="gb18030"))
    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto("/feed/")
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert page.locator("#feed-progress .progress").is_visible()
    # The script polls the run and reloads the page with the result once the worker is done.
    page.wait_for_selector("#feed-result", timeout=30_000)
    assert page.locator("#feed-progress [data-field=rows_applied]").inner_text() == "3"
    width = page.locator("#feed-progress [data-bar]").evaluate("bar => bar.style.width")
    assert width == "100%"
    assert set(Loan.objects.values_list("balance", flat=True)) == {
        Decimal("1000.00"), Decimal("2000.00"), Decimal("3000.00")}


def test_a_loan_crossing_ninety_days_reaches_its_officer_and_supervisor(
        page, browser, live_server, admin_user, officer, supervisor, celery_worker, viewport,
        language, tmp_path):
    customer = CustomerFactory(officer=officer, name="逾期穿越测试有限公司")
    LoanFactory(customer=customer, contract_number="HT-90", days_past_due=20,
                classification="pass")
    path = tmp_path / "nightly.csv"
    path.write_bytes(csv_bytes([line("HT-90", days_past_due=95, principal_overdue="12000")]))
    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto("/feed/")
    page.set_input_files("input[name=file]", str(path))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    page.wait_for_selector("#feed-result", timeout=30_000)
    # The classification was kept (the file has none): the run lists it below its floor.
    assert "HT-90" in page.inner_text("#feed-below-floor")

    def desk_of(user):
        context = browser.new_context(viewport=VIEWPORTS[viewport],
                                      locale=LANGUAGES[language],
                                      extra_http_headers={"Accept-Language": LANGUAGES[language]},
                                      base_url=live_server.url)
        desk = context.new_page()
        sign_in(desk, user.username, TEST_PASSWORD)
        desk.goto("/")
        return context, desk

    # The officer who owns the customer finds the new overdue signal on their home page.
    context, desk = desk_of(officer)
    card = desk.inner_text("#work-new-signals")
    assert "逾期穿越测试有限公司" in card and "HT-90" in card and "95" in card
    with desk.expect_navigation():
        desk.click("#work-new-signals li a")
    assert f"/customers/{customer.pk}/" in desk.url
    context.close()

    # Their supervisor finds the loan on the classification review.
    context, desk = desk_of(supervisor)
    card = desk.inner_text("#classification-review-card")
    assert "逾期穿越测试有限公司" in card and "HT-90" in card
    with desk.expect_navigation():
        desk.click("#classification-review-card .card-header a")
    assert "HT-90" in desk.inner_text("main")
    context.close()
