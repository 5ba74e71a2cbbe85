"""Administrators lift sign-in locks on the record."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pghistory.models import Events

from loanwatch.accounts import services

from ..factories import TEST_PASSWORD


def _login(username: str, password: str, ip: str):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password},
                         REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def _lock_everywhere(username: str, addresses: list[str]) -> None:
    for ip in addresses:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(username, "guess", ip=ip)
        assert _login(username, TEST_PASSWORD, ip=ip).status_code == 429


def test_the_user_page_shows_the_locked_addresses(admin_client_, officer):
    _lock_everywhere(officer.username, ["10.0.0.1", "10.0.0.2"])
    _login(officer.username, "guess", ip="10.0.0.3")
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk]),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="locked"' in page
    section = page[page.index('id="sign-in-failures"'):page.index('id="history"')]
    assert "10.0.0.1" in section and "10.0.0.2" in section and "10.0.0.3" in section
    assert section.count(">locked<") == 2 and section.count(">counting<") == 1


def test_unlock_clears_every_address_and_is_recorded_with_the_administrator(
    admin_client_, admin_user, officer
):
    _lock_everywhere(officer.username, ["10.0.0.1", "10.0.0.2"])
    response = admin_client_.post(reverse("accounts:user_unlock", args=[officer.pk]))
    assert response.status_code == 302
    for ip in ("10.0.0.1", "10.0.0.2"):
        assert _login(officer.username, TEST_PASSWORD, ip=ip).status_code == 302
    event = Events.objects.tracks(officer).get(pgh_label="sign_in_unlocked")
    assert event.pgh_context["user"] == admin_user.pk
    assert event.pgh_context["unlocked_addresses"] == ["10.0.0.1", "10.0.0.2"]
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk]),
                             HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    history = page[page.index('id="history"'):]
    assert "解除登录锁定" in history and str(admin_user) in history


def test_a_non_administrator_cannot_unlock(supervisor_client, supervisor, officer):
    _lock_everywhere(officer.username, ["10.0.0.1"])
    response = supervisor_client.post(reverse("accounts:user_unlock", args=[officer.pk]))
    assert response.status_code == 403
    assert _login(officer.username, TEST_PASSWORD, ip="10.0.0.1").status_code == 429
    assert not Events.objects.tracks(officer).filter(pgh_label="sign_in_unlocked").exists()
    with pytest.raises(PermissionDenied):
        services.user_unlock(acting_user=supervisor, user=officer)
    assert AccessAttempt.objects.filter(username=officer.username).exists()


def test_unlock_leaves_an_address_that_guessed_many_usernames_refused(admin_client_, officer):
    for attempt in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        _login(f"guess{attempt}", "guess", ip="10.0.0.9")
    _login(officer.username, "guess", ip="10.0.0.9")
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk]),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "address refused for every user name" in page
    admin_client_.post(reverse("accounts:user_unlock", args=[officer.pk]))
    assert _login(officer.username, TEST_PASSWORD, ip="10.0.0.9").status_code == 429
    assert _login(officer.username, TEST_PASSWORD, ip="10.0.0.8").status_code == 302
