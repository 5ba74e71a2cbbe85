"""Journeys around the customer book: an import with a bad row, fixed and imported; another
team's customer asked for by URL."""

from __future__ import annotations

import csv
import io

import pytest

from customers import imports
from customers.models import Customer
from tests.customers.factories import CustomerFactory, uscc

from ..factories import TEST_PASSWORD
from .conftest import sign_in

PROBLEMS = {"zh": "发现 1 个问题", "en": "1 problem found"}
NOT_FOUND = {"zh": "未找到", "en": "Not found"}


def _csv(tmp_path, rows: list[dict]) -> str:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.header for c in imports.COLUMNS])
    for values in rows:
        writer.writerow([values.get(c.key, "") for c in imports.COLUMNS])
    path = tmp_path / "ledger.csv"
    path.write_bytes(text.getvalue().encode("utf-8-sig"))
    return str(path)


def _row(n: int, **overrides) -> dict:
    return {"kind": "法人", "name": f"浏览器导入企业{n}", "identifier": uscc(4000 + n),
            "contract_number": f"WEB-{n:03d}", "amount": "800000", "balance": "600000",
            "disbursed_on": "2025-03-01", "matures_on": "2027-03-01", "purpose": "流动资金",
            "repayment_method": "bullet", "guarantee_types": "保证", "days_past_due": "0",
            "classification": "正常", **overrides}


def test_officer_fixes_a_bad_row_and_imports(page, officer, language, tmp_path, celery_worker):
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/customers/import/")
    rows = [_row(n) for n in range(5)]
    rows[3]["balance"] = "9000000"  # more than the amount: row 5 of the file
    page.set_input_files("input[type=file]", _csv(tmp_path, rows))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    # The page answers at once; the worker checks the file while the bar fills.
    assert page.locator("#import-progress .progress").is_visible()
    problems = page.wait_for_selector("#import-problems", timeout=30_000)
    assert PROBLEMS[language] in problems.inner_text()
    assert page.locator("#import-problems td").first.inner_text() == "5"
    assert not Customer.objects.filter(officer=officer).exists()

    rows[3]["balance"] = "500000"
    page.goto("/customers/import/")
    page.set_input_files("input[type=file]", _csv(tmp_path, rows))
    with page.expect_navigation():
        page.click("main form [type=submit]")
    page.wait_for_selector("#import-result", timeout=30_000)
    assert Customer.objects.filter(officer=officer).count() == 5
    with page.expect_navigation():
        page.click("#import-result a")
    assert page.get_by_text("浏览器导入企业3").is_visible()


@pytest.mark.allow_console("status of 404")
def test_another_teams_customer_is_not_found(page, officer, officer_b, language):
    theirs = CustomerFactory(officer=officer_b, name="别队客户有限公司")
    sign_in(page, officer.username, TEST_PASSWORD)
    response = page.goto(f"/customers/{theirs.pk}/")
    assert response.status == 404
    assert NOT_FOUND[language] in page.title()
    assert "别队客户有限公司" not in page.content()
