"""The charts page draws every chart in the browser, without a script error or a CSP breach."""

from __future__ import annotations

from tests.customers.factories import CustomerFactory, LoanFactory

from ..factories import TEST_PASSWORD
from .conftest import sign_in


def test_charts_draw_and_tabulate(page, supervisor, officer, language):
    for _ in range(3):
        LoanFactory(customer=CustomerFactory(officer=officer))
    sign_in(page, supervisor.username, TEST_PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#chart-risk-groups.chart-loaded")
    page.wait_for_selector("#chart-classifications.chart-loaded")
    page.wait_for_selector("#chart-classification-migration.chart-loaded")
    rows = page.locator("#chart-classifications .chart-table tbody tr")
    assert rows.count() == 2
    assert rows.first.locator("td").first.inner_text() == "3"  # three loans, all pass
