"""An officer in the field, on a phone (390 px): a quick contact logged in three screens, and a
visit whose briefing item is still unanswered refused without losing the draft."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.customers.factories import CustomerFactory, LoanFactory
from visits.models import BriefingAnswer, Visit
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan
from visits.schedule.services import task_raise

from ..factories import TEST_PASSWORD
from ..visits.factories import ready_visit
from .conftest import VIEWPORTS, sign_in

DOES_NOT_COUNT = {"zh": "不计为", "en": "does not count as the revisit"}
NOT_YET = {"zh": "草稿已保存", "en": "The draft is saved"}
ANSWER_IT = {"zh": "请说明了解到的情况", "en": "Say what you found"}


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_quick_contact_in_three_screens(page, officer, viewport, language):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer)
    plan()
    sign_in(page, officer.username, TEST_PASSWORD)
    screens = 1
    page.goto(f"/customers/{customer.pk}/")  # 1: the customer's sheet
    with page.expect_navigation():
        page.locator(f"a[href='/visits/customer/{customer.pk}/quick/']").first.click()
    screens += 1  # 2: the contact, on one screen
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    page.check("input[name=method][value=social_media]")
    page.fill("input[name=person]", "陈总（朋友圈）")
    page.fill("textarea[name=learned]", "朋友圈晒了新订单的合同")
    page.locator("details summary").click()
    page.select_option("select[name=signal_severity]", "warning")
    page.select_option("select[name=signal_category]", "operations")
    page.fill("textarea[name=signal_text]", "大额订单集中于一家客户")
    save = page.locator("#contact-form button[type=submit]")
    assert save.bounding_box()["height"] >= 44
    with page.expect_navigation():
        save.click()
    screens += 1  # 3: saved, locked, and what it means for the schedule
    assert screens <= 3
    said = page.locator(".alert-warning.alert-dismissible").inner_text()
    assert DOES_NOT_COUNT[language] in said and customer.name in said
    contact = Visit.objects.get(customer=customer)
    assert contact.is_locked and contact.kind == "contact"
    assert customer.risk_signals.get().status == "open"
    assert RevisitTask.objects.get(customer=customer, reason="periodic").status == "open"


@pytest.mark.parametrize("viewport", ["phone"])
@pytest.mark.allow_console("status of 400")  # the refused submit answers 400 with the form
def test_an_unanswered_briefing_item_blocks_submit_and_the_draft_survives(page, officer,
                                                                          viewport, language):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer)
    first, _ = task_raise(customer=customer, reason="risk_event", due_on=timezone.localdate(),
                          note="行业整顿", source_key="event:one")
    second, _ = task_raise(customer=customer, reason="risk_event", due_on=timezone.localdate(),
                           note="担保圈风险", source_key="event:two")
    visit = ready_visit(customer=customer, visited_on=timezone.localdate(), briefed=False)
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/visits/{visit.pk}/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    page.fill(f"textarea[name=bf-task-{first.pk}-answer]", "客户说影响不大，订单照常")
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    assert NOT_YET[language] in page.locator(".alert-warning.alert-dismissible").inner_text()
    item = page.locator(f"#briefing-task-{second.pk}")
    assert ANSWER_IT[language] in item.inner_text()
    assert page.input_value(f"textarea[name=bf-task-{first.pk}-answer]") == \
        "客户说影响不大，订单照常"
    visit.refresh_from_db()
    assert visit.status == "draft"
    assert BriefingAnswer.objects.get(visit=visit, source_id=first.pk).answer == \
        "客户说影响不大，订单照常"
    # Answering the other item ("not applicable" with a reason) lets it through.
    page.check(f"input[name=bf-task-{second.pk}-not_applicable]")
    page.fill(f"input[name=bf-task-{second.pk}-reason]", "客户不在该担保圈内")
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    visit.refresh_from_db()
    assert visit.status == "submitted"
    assert set(RevisitTask.objects.filter(pk__in=[first.pk, second.pk])
               .values_list("status", flat=True)) == {"done"}
