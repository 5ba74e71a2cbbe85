"""An idle-out loses nothing: the page warns before the session ends and offers to stay signed
in; a form sent after it ended is kept, and sent after signing in again."""

from __future__ import annotations

from django.contrib.sessions.models import Session

from customers.models import Customer
from tests.customers.factories import CustomerFactory

from ..factories import TEST_PASSWORD
from .conftest import sign_in


def test_a_form_sent_after_an_idle_out_is_saved_after_signing_in_again(page, officer):
    customer = CustomerFactory(officer=officer, name="空闲登出测试公司")
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"/customers/{customer.pk}/edit/")
    page.fill("input[name=address]", "北京市朝阳区建国路88号")
    Session.objects.all().delete()  # thirty idle minutes, while the officer was talking
    with page.expect_navigation():
        page.click("main form [type=submit]")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-warning").is_visible()
    sign_in_here(page, officer.username)
    assert page.locator("#held-post").is_visible()
    assert "北京市朝阳区建国路88号" in page.inner_text("#held-values")
    with page.expect_navigation():
        page.click("#held-send")
    customer.refresh_from_db()
    assert customer.address == "北京市朝阳区建国路88号"
    assert f"/customers/{customer.pk}/" in page.url


def sign_in_here(page, username: str) -> None:
    """Sign in on the sign-in page the browser is on, keeping its next=."""
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form [type=submit]")


def test_the_page_warns_before_the_idle_out_and_stay_signed_in_keeps_the_session(
        page, officer, settings):
    settings.SESSION_COOKIE_AGE = 8  # warned after half of it, signed out after all of it
    sign_in(page, officer.username, TEST_PASSWORD)
    page.goto("/customers/")
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible", timeout=10_000)
    settings.SESSION_COOKIE_AGE = 30 * 60
    with page.expect_response("**/session/keep-alive/"):
        page.click("#session-stay")
    page.wait_for_timeout(300)
    assert not warning.is_visible()
    assert Customer.objects.count() == 0  # nothing was sent but the keep-alive
    page.goto("/customers/")
    assert "/accounts/login/" not in page.url
