"""Login lockout as an attacker meets it, session limits and security headers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from loanwatch.accounts.middleware import SIGNED_IN_AT

from ..factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _login(client, username: str, password: str, ip: str = "10.0.0.1", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password},
                       **{"REMOTE_ADDR": ip, "HTTP_ACCEPT_LANGUAGE": "en", **extra})


def _fail(client, username: str, times: int, ip: str = "10.0.0.1", **extra) -> None:
    for _ in range(times):
        response = _login(client, username, "wrong-password", ip=ip, **extra)
        assert response.status_code in (200, 429)


def test_failures_lock_the_username_at_their_address(client, officer):
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT, ip="10.0.0.1")
    response = _login(client, officer.username, TEST_PASSWORD, ip="10.0.0.1")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_lockout_at_one_address_does_not_lock_the_user_out_at_another(client, officer):
    """Usernames are guessable: an attacker's failures must not keep the real user out."""
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT * 3, ip="10.0.0.1")
    response = _login(client, officer.username, TEST_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_new_user_agent_does_not_reset_the_count(client, officer):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer.username, "wrong-password", HTTP_USER_AGENT=f"bot/{attempt}")
    response = _login(client, officer.username, TEST_PASSWORD, HTTP_USER_AGENT="Mozilla/5.0")
    assert response.status_code == 429


def test_a_forged_forwarded_for_header_is_ignored_without_a_trusted_proxy(client, officer):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer.username, "wrong-password", HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}")
    response = _login(client, officer.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.200")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.1"}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_address_it_saw_counts(client, officer):
    proxy = "10.0.0.254"  # every request reaches LoanWatch from the proxy
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # The left entry is the client's own claim; the proxy appended the address it saw.
        _login(client, officer.username, "wrong-password", ip=proxy,
               HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}, 192.0.2.7")
    locked = _login(client, officer.username, TEST_PASSWORD, ip=proxy,
                    HTTP_X_FORWARDED_FOR="1.2.3.99, 192.0.2.7")
    assert locked.status_code == 429
    elsewhere = _login(client, officer.username, TEST_PASSWORD, ip=proxy,
                       HTTP_X_FORWARDED_FOR="192.0.2.8")
    assert elsewhere.status_code == 302


def test_one_address_guessing_many_usernames_is_refused_for_every_username(client, officer):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        # A different name each time: no username ever reaches its own limit.
        _login(client, f"guess{attempt}", "wrong-password", ip="10.0.0.9")
    refused = _login(client, officer.username, TEST_PASSWORD, ip="10.0.0.9")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "network address is refused" in refused.content.decode()
    elsewhere = _login(client, officer.username, TEST_PASSWORD, ip="10.0.0.8")
    assert elsewhere.status_code == 302


def test_an_address_below_its_limit_is_not_refused(client, officer):
    for attempt in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _login(client, f"guess{attempt}", "wrong-password", ip="10.0.0.9")
    assert _login(client, officer.username, TEST_PASSWORD, ip="10.0.0.9").status_code == 302


def test_lockout_of_one_username_does_not_lock_a_colleague_on_the_same_address(
    client, officer, supervisor
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, officer.username, "wrong-password")
    response = _login(client, supervisor.username, TEST_PASSWORD)
    assert response.status_code == 302


def test_lockout_page_states_the_minutes(client, officer):
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT)
    response = _login(client, officer.username, TEST_PASSWORD)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert response.status_code == 429
    assert f"locked for {minutes} minutes" in response.content.decode()


def test_lockout_page_is_translated(client, officer):
    _fail(client, officer.username, settings.AXES_FAILURE_LIMIT)
    response = _login(client, officer.username, TEST_PASSWORD, HTTP_ACCEPT_LANGUAGE="zh-CN")
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
