"""The visit form on a phone keeps the officer's work: typed answers reach the server without a
tap on "Save draft", a dead network or an ended session keeps them on the device until they can
be saved, and a second tab on the same draft is told instead of overwriting it."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from loanwatch.core.models import FormSubmission
from tests.customers.factories import CustomerFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit

from ..factories import TEST_PASSWORD
from .conftest import sign_in

SAVED = {"zh": "已保存", "en": "saved"}
SAVED_PAGE = {"zh": "草稿已保存", "en": "Draft saved"}
OFFLINE = {"zh": "本设备", "en": "kept on this device"}
SIGNED_OUT = {"zh": "已退出登录", "en": "signed out"}
CONFLICT = {"zh": "在别处修改", "en": "changed elsewhere"}
# A refused or unreachable request is reported by Chromium on the console; here it is expected.
NETWORK_NOTES = ("Failed to load resource", "net::ERR_")
# An autosave waits two seconds after the last key; a loaded machine may take a few more.
expect.set_options(timeout=15_000)


def _open_form(page, officer) -> Visit:
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/visits/{visit.pk}/edit/")
    page.click("button[data-bs-target='#sec-q10']")
    page.locator("[name=summary]").wait_for(state="visible")
    return visit


def _summary(visit: Visit) -> str:
    return Visit.objects.get(pk=visit.pk).summary


@pytest.mark.parametrize("viewport", ["phone"])
def test_typing_saves_the_draft_without_a_tap(page, officer, viewport, language):
    visit = _open_form(page, officer)
    page.fill("[name=summary]", "仓库在扩建，订单饱满")
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("data-state", "saved")
    assert SAVED[language] in status.inner_text()
    assert _summary(visit) == "仓库在扩建，订单饱满"
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DRAFT
    # The autosave did not spend the form's one-time key, and "Save draft" afterwards carries
    # the version the autosave moved to: no conflict, no "already sent".
    assert not FormSubmission.objects.exists()
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator(".alert-danger").count() == 0
    assert SAVED_PAGE[language] in page.locator("main").inner_text()
    assert _summary(visit) == "仓库在扩建，订单饱满"

    # Typed and saved at once with the button, before the autosave: the page drawn after the
    # save writes the wage back as 7200.50, yet offers nothing to restore — the server has it.
    page.click("button[data-bs-target='#sec-q2']")
    page.locator("[name=monthly_wage]").wait_for(state="visible")
    page.fill("[name=monthly_wage]", "7200.5")
    with page.expect_navigation():
        page.click("button[name=action][value=save]")
    assert page.locator("[name=monthly_wage]").input_value() == "7200.50"
    page.wait_for_timeout(500)
    expect(page.locator("#restore-offer")).to_be_hidden()
    page.reload()
    page.wait_for_timeout(500)
    expect(page.locator("#restore-offer")).to_be_hidden()


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
def test_offline_the_work_is_kept_and_sent_when_the_network_returns(page, officer, viewport,
                                                                   language):
    visit = _open_form(page, officer)
    page.context.set_offline(True)
    page.fill("[name=summary]", "离线时写下的走访小结")
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("data-state", "offline", timeout=10_000)
    assert OFFLINE[language] in status.inner_text()
    assert _summary(visit) != "离线时写下的走访小结"
    page.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "saved", timeout=15_000)
    assert _summary(visit) == "离线时写下的走访小结"


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
def test_a_reload_offers_the_changes_the_server_never_got(page, officer, viewport, language):
    visit = _open_form(page, officer)
    # The autosave cannot get through (a dead network on the way to the server).
    page.route("**/autosave/", lambda route: route.abort("internetdisconnected"))
    page.fill("[name=summary]", "信号不好时写的")
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "offline")
    page.unroute("**/autosave/")
    page.reload()
    offer = page.locator("#restore-offer")
    expect(offer).to_be_visible()
    page.click("#restore-yes")
    expect(page.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    assert page.locator("[name=summary]").input_value() == "信号不好时写的"
    assert _summary(visit) == "信号不好时写的"
    # The server has it now: the next load offers nothing.
    page.reload()
    page.locator("#autosave-status").wait_for(state="attached")
    page.wait_for_timeout(500)
    expect(offer).to_be_hidden()


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
def test_an_ended_session_keeps_the_work_until_signed_in_again(page, officer, viewport,
                                                               language):
    visit = _open_form(page, officer)
    page.fill("[name=summary]", "第一段")
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("data-state", "saved")
    Session.objects.all().delete()  # the session ended (idle timeout) while the form was open
    page.fill("[name=summary]", "第一段，第二段在会话过期后写下")
    expect(status).to_have_attribute("data-state", "signed_out")
    assert SIGNED_OUT[language] in status.inner_text()
    assert _summary(visit) == "第一段"
    page.click("#autosave-link")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")
    page.wait_for_url(f"**/visits/{visit.pk}/edit/**")
    expect(status).to_have_attribute("data-state", "saved")
    assert page.locator("[name=summary]").input_value() == "第一段，第二段在会话过期后写下"
    assert _summary(visit) == "第一段，第二段在会话过期后写下"


@pytest.mark.allow_console(*NETWORK_NOTES)
@pytest.mark.parametrize("viewport", ["phone"])
def test_two_tabs_on_one_draft_do_not_overwrite_each_other(page, officer, viewport, language):
    visit = _open_form(page, officer)
    other = page.context.new_page()
    other.goto(f"/visits/{visit.pk}/edit/")
    other.click("button[data-bs-target='#sec-q10']")
    other.fill("[name=summary]", "另一个标签页")
    expect(other.locator("#autosave-status")).to_have_attribute("data-state", "saved")
    page.fill("[name=summary]", "这个标签页")
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("data-state", "conflict")
    assert CONFLICT[language] in status.inner_text()
    assert _summary(visit) == "另一个标签页"
    other.close()
    # Reloaded, the tab shows the other tab's save and offers its own text back, saying that
    # restoring it would replace what was saved elsewhere.
    page.reload()
    expect(page.locator("#restore-offer")).to_be_visible()
    expect(page.locator("#restore-yes")).to_be_in_viewport()
    assert page.locator("[name=summary]").input_value() == "另一个标签页"
    page.click("#restore-yes")
    expect(status).to_have_attribute("data-state", "saved")
    assert _summary(visit) == "这个标签页"
