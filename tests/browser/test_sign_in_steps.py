"""The sign-in steps in a real browser: a supervisor required to use a second factor enrols at
the first sign-in and keeps recovery codes, later signs in with a code and with a recovery code;
an officer whose password an administrator set chooses their own before anything else."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from loanwatch.accounts.models import User

from ..factories import TEST_PASSWORD
from .conftest import sign_in

CODE_PAGE = {"zh": "输入动态码", "en": "Enter your code"}


def _code_for(secret_base32: str, drift: int = 0) -> str:
    return f"{totp(base64.b32decode(secret_base32), drift=drift):06d}"


def _submit(page, selector: str = "main form [type=submit]") -> None:
    """Clicks and waits for the page the click leads to (not the one it was on)."""
    with page.expect_navigation():
        page.click(selector)


def _sign_out(page, viewport) -> None:
    if viewport == "phone":
        page.click(".navbar-toggler")
        page.locator(".navbar-collapse.show").wait_for()
    page.click("#user-menu")
    page.locator("#sign-out").wait_for(state="visible")
    page.click("#sign-out")
    page.wait_for_url("**/accounts/login/**")


def test_required_second_factor_enrolment_then_code_then_recovery_code(
        page, supervisor, language, viewport):
    User.objects.filter(pk=supervisor.pk).update(otp_required=True)
    sign_in(page, supervisor.username, TEST_PASSWORD)
    # Held at enrolment: the home page is not reachable.
    page.goto("/")
    assert page.locator("#qr-code").is_visible()
    secret = page.locator("#otp-secret").inner_text().strip()
    page.fill("input[name=code]", _code_for(secret))
    page.fill("input[name=password]", TEST_PASSWORD)
    _submit(page)
    codes = [c.strip() for c in page.locator("#recovery-codes li").all_inner_texts()]
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    _submit(page, "main a.btn-primary")
    assert page.locator("#supervisor-home").is_visible()

    _sign_out(page, viewport)
    sign_in(page, supervisor.username, TEST_PASSWORD)
    assert CODE_PAGE[language] in page.content()
    page.goto("/reports/")
    assert CODE_PAGE[language] in page.content()  # still held
    page.fill("input[name=code]", _code_for(secret, drift=1))
    _submit(page)
    assert page.locator("#supervisor-home").is_visible()

    _sign_out(page, viewport)
    sign_in(page, supervisor.username, TEST_PASSWORD)
    page.fill("input[name=code]", codes[0])
    _submit(page)
    assert page.locator("#supervisor-home").is_visible()
    assert page.locator(".alert-warning").is_visible()  # "9 recovery codes left"
    assert "9" in page.locator(".alert-warning").inner_text()


# The refused password answers 400, as every form with errors does.
@pytest.mark.allow_console("status of 400")
def test_officer_replaces_the_password_an_administrator_set(page, officer, language):
    User.objects.filter(pk=officer.pk).update(password_change_required=True)
    sign_in(page, officer.username, TEST_PASSWORD)
    assert page.locator("#password-change-required").is_visible()
    page.goto("/customers/")
    assert page.locator("#password-change-required").is_visible()  # nothing else opens
    page.fill("input[name=old_password]", TEST_PASSWORD)
    page.fill("input[name=new_password1]", "LoanWatch-demo-2026")
    page.fill("input[name=new_password2]", "LoanWatch-demo-2026")
    _submit(page)
    assert page.locator(".invalid-feedback").first.is_visible()
    page.fill("input[name=old_password]", TEST_PASSWORD)
    page.fill("input[name=new_password1]", "harbour-lantern-5531")
    page.fill("input[name=new_password2]", "harbour-lantern-5531")
    _submit(page)
    assert page.locator("#officer-home").is_visible()
    officer.refresh_from_db()
    assert not officer.password_change_required
