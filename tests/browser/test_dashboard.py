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


def test_a_chart_with_too_little_data_says_so(page, supervisor, language):
    """No warnings yet: the warnings chart says so instead of drawing an empty frame."""
    sign_in(page, supervisor.username, TEST_PASSWORD)
    page.goto("/dashboard/")
    page.wait_for_selector("#chart-warnings.chart-loaded")
    note = page.locator("#chart-warnings .chart-note").inner_text()
    # A team's chart also says when its figures were counted ("Figures as of 14:05.").
    assert note.endswith({"en": "Not enough data yet.", "zh": "暂无足够数据。"}[language])
    assert not page.locator("#chart-warnings canvas").is_visible()
