"""Login lockout, session limits and security headers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.urls import reverse

from loanwatch.accounts.middleware import SIGNED_IN_AT

from ..factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def test_username_locks_after_repeated_failures_from_any_address(client, officer):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # A branch shares addresses, and an attacker rotates them: the lock follows the username.
        _login(client, officer.username, "wrong-password", ip=f"10.0.0.{attempt + 1}")
    response = _login(client, officer.username, TEST_PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=officer.username).exists()


def test_lockout_of_one_username_does_not_lock_a_colleague_on_the_same_address(
    client, officer, supervisor
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer.username, "wrong-password")
    response = _login(client, supervisor.username, TEST_PASSWORD)
    assert response.status_code == 302


def test_lockout_page_is_translated(client, officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer.username, "wrong-password")
    response = client.post(reverse("accounts:login"),
                           {"username": officer.username, "password": TEST_PASSWORD},
                           HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_login_and_logout_are_logged(client, officer):
    _login(client, officer.username, TEST_PASSWORD)
    client.post(reverse("accounts:logout"))
    entry = AccessLog.objects.get(username=officer.username)
    assert entry.attempt_time is not None
    assert entry.logout_time is not None


def test_session_ends_twelve_hours_after_sign_in_however_active(officer_client):
    assert officer_client.get(reverse("core:home")).status_code == 200
    session = officer_client.session
    session[SIGNED_IN_AT] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = officer_client.get(reverse("core:home"))
    assert response.status_code == 302
    assert officer_client.get(reverse("core:home")).status_code == 302


def test_security_headers(officer_client):
    response = officer_client.get(reverse("core:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates"), *ROOT.glob("loanwatch/*/templates")]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html")),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_need_no_unsafe_inline(template):
    """The CSP forbids inline scripts, handlers and style attributes: none may creep in."""
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>"
    assert not INLINE_HANDLER.search(text), "inline event handler"
    assert not INLINE_STYLE.search(text), "inline style attribute"
