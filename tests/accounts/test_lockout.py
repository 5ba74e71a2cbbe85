"""Administrators hear when an administrator's account is attacked, and lift locks on the record."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from pghistory.models import Events

from loanwatch.accounts import services
from loanwatch.accounts.lockout import ATTACK_NOTIFICATION
from loanwatch.accounts.roles import Role
from loanwatch.core.broker import forget_broker_state
from loanwatch.core.models import Notification
from loanwatch.core.tasks import notifications_sweep

from ..factories import TEST_PASSWORD, UserFactory


def _login(username: str, password: str, ip: str):
    return Client().post(reverse("accounts:login"), {"username": username, "password": password},
                         REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def _spread_attack(username: str, failures: int) -> None:
    """Failures spread over addresses, as a careful attacker would, none of them locked."""
    for attempt in range(failures):
        response = _login(username, "guess", ip=f"203.0.113.{attempt % 3 + 1}")
        assert response.status_code in (200, 429)


def _wait_for_mail(count: int) -> None:
    deadline = time.monotonic() + 20
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_every_administrator_is_told_once_in_the_app_and_by_mail(celery_worker, admin_user,
                                                                 officer):
    second_admin = UserFactory(username="admin_y", team=None, role=Role.ADMIN)
    former_admin = UserFactory(username="admin_z", team=None, role=Role.ADMIN, is_active=False)
    _spread_attack(admin_user.username, settings.AXES_FAILURE_LIMIT)
    _wait_for_mail(2)
    told = Notification.objects.filter(kind=ATTACK_NOTIFICATION)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["admin_x", "admin_y"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_user.email, second_admin.email])
    assert admin_user.username in mail.outbox[0].subject
    assert "203.0.113.1" in mail.outbox[0].body or "203.0.113.1" in mail.outbox[0].subject
    page = Client()
    page.force_login(second_admin)
    listed = page.get(reverse("core:notification_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert f"Administrator account {admin_user.username} is under attack" in listed.content.decode()

    # The attack goes on within the lockout window: nobody is told again.
    _spread_attack(admin_user.username, settings.AXES_FAILURE_LIMIT * 2)
    time.sleep(0.5)
    assert told.count() == 2
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(recipient=former_admin).exists()
    assert not Notification.objects.filter(recipient=officer).exists()


def test_failures_below_the_limit_or_against_others_tell_nobody(db, admin_user, officer):
    _spread_attack(admin_user.username, settings.AXES_FAILURE_LIMIT - 1)
    _spread_attack(officer.username, settings.AXES_FAILURE_LIMIT * 2)
    _spread_attack("no-such-user", settings.AXES_FAILURE_LIMIT * 2)
    assert not Notification.objects.filter(kind=ATTACK_NOTIFICATION).exists()


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0")  # nothing listens there
def test_with_the_broker_down_sign_in_answers_at_once_and_the_mail_follows(
    transactional_db, django_db_serialized_rollback, admin_user
):
    # Committed for real, so the on-commit enqueue runs and meets the dead broker.
    forget_broker_state()
    try:
        started = time.monotonic()
        _spread_attack(admin_user.username, settings.AXES_FAILURE_LIMIT)
        assert time.monotonic() - started < 10
    finally:
        forget_broker_state()
    notification = Notification.objects.get(kind=ATTACK_NOTIFICATION)
    assert notification.emailed_at is None and not mail.outbox
    Notification.objects.update(created_at=notification.created_at.replace(year=2000))
    assert notifications_sweep() == 1
    assert mail.outbox[0].to == [admin_user.email]


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
