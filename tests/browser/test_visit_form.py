"""The visit form on a phone: nothing wider than the screen, sections that open with a tap,
touch-sized controls, the save and submit buttons always at hand — in both languages."""

from __future__ import annotations

from decimal import Decimal

from tests.customers.factories import CollateralFactory, CustomerFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit

from ..factories import TEST_PASSWORD
from .conftest import VIEWPORTS, sign_in

SAVED = {"zh": "草稿已保存", "en": "Draft saved"}


def test_officer_fills_and_saves_a_draft(page, officer, viewport, language):
    customer = CustomerFactory(officer=officer)
    CollateralFactory(customer=customer)
    visit = VisitFactory(customer=customer)
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/visits/{visit.pk}/edit/")
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.click("button[data-bs-target='#sec-q1']")
    new_address = page.locator("input[name=new_address]")
    page.locator("input[name=address_changed][value=false]").wait_for(state="visible")
    assert not new_address.is_visible()
    page.check("input[name=address_changed][value=true]")
    new_address.fill("北京市昌平区回龙观1号")
    page.click("button[data-bs-target='#sec-q2']")
    field = page.locator("input[name=employees_total]")
    field.wait_for(state="visible")
    assert field.bounding_box()["height"] >= 44
    field.fill("37")
    page.click("button[data-bs-target='#sec-people']")
    # The section slides open; a click while it still grows can land on what moves under it.
    page.locator("#sec-people.collapse.show").wait_for()
    page.locator("select[name=iv-0-role]").select_option("finance_head")
    page.fill("input[name=iv-0-name]", "王会计")
    page.click("#iv-add")
    page.locator("select[name=iv-1-role]").select_option("employee")
    page.fill("input[name=iv-1-name]", "李工")
    page.click("button[data-bs-target='#sec-q8']")
    value = page.locator(f"input[name=col-{customer.collaterals.get().pk}-current_value]")
    value.wait_for(state="visible")
    value.fill("1750000.50")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The actions stay on screen (sticky at the bottom) while the officer scrolls the form.
    save = page.locator("button[name=action][value=save]")
    box = save.bounding_box()
    assert box["height"] >= 44
    assert box["y"] + box["height"] <= VIEWPORTS[viewport]["height"] + 1
    with page.expect_navigation():
        save.click()
    assert SAVED[language] in page.locator("main").inner_text()
    visit = Visit.objects.get(pk=visit.pk)
    assert visit.employees_total == 37
    assert (visit.address_changed, visit.new_address) == (True, "北京市昌平区回龙观1号")
    assert visit.collateral_checks.get().current_value == Decimal("1750000.50")
    assert sorted(visit.interviews.values_list("name", flat=True)) == ["李工", "王会计"]
