"""An officer records a check by hand from the customer sheet; the new case comes back in red."""

from __future__ import annotations

from datetime import date

from customers.records.models import RecordCheck
from customers.records.services import check_record
from tests.customers.records.helpers import company_with_controller, reading, subject

from ..factories import TEST_PASSWORD
from .conftest import sign_in


def test_officer_records_a_new_case_from_the_sheet(page, officer):
    customer, _person = company_with_controller(officer)
    check_record(subject=subject(customer), data=reading(date(2026, 9, 1)), source="feed",
                 acting_user=officer)
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/customers/{customer.pk}/")
    page.click("#record-checks a.btn")
    page.wait_for_url(f"**/records/customer/{customer.pk}/new/")
    assert page.locator("#previous-check").is_visible()
    page.fill("input[name=entries-0-case_number]", "（2026）京0108执555号")
    page.fill("input[name=entries-0-court]", "北京市海淀区人民法院")
    page.fill("input[name=entries-0-amount]", "66000")
    page.click("#save-check")
    page.wait_for_url("**/records/checks/*/")
    assert page.locator("#findings .text-danger").count() == 1
    assert RecordCheck.objects.filter(customer=customer).count() == 2
    page.goto(f"/customers/{customer.pk}/")
    red = page.locator("#record-checks .text-danger")
    assert "（2026）京0108执555号" in red.first.inner_text()
