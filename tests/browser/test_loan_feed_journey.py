"""An administrator uploads the night's loan-status file and watches the progress bar finish:
the page answers at once, the worker applies the file, the result replaces the bar's waiting."""

from __future__ import annotations

from decimal import Decimal

from customers.models import Loan
from tests.customers.factories import LoanFactory
from tests.customers.feed.helpers import HEADERS_ZH, csv_bytes, line

from ..factories import TEST_PASSWORD
from .conftest import sign_in


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
