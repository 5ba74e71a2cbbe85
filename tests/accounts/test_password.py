"""Passwords are their owners': everyone changes their own, and a password an administrator
chose must be replaced at the next sign-in. Both are in the user's trail with who did it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from loanwatch.accounts.models import User
from loanwatch.accounts.passwords import DEMO_PASSWORD
from loanwatch.core.audit import history_for as _history_for

from ..factories import TEST_PASSWORD


def history_for(*, obj):
    with translation.override("en"):
        return _history_for(obj=obj)


CHANGE_URL = "/accounts/password/"
NEW_PASSWORD = "quiet-river-morning-42"  # noqa: S105


def _sign_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _change(client, old=TEST_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(CHANGE_URL, {"old_password": old, "new_password1": new,
                                    "new_password2": again or new})


@pytest.fixture
def created_by_admin(admin_client_, team_a):
    response = admin_client_.post(reverse("accounts:user_create"), {
        "username": "new_officer", "full_name": "新同事", "role": "officer",
        "team": team_a.pk, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return User.objects.get(username="new_officer")


def test_a_password_chosen_by_an_administrator_is_replaced_at_first_sign_in(
        client, created_by_admin):
    assert created_by_admin.password_change_required
    assert _sign_in(client, "new_officer")["Location"] == CHANGE_URL
    # Nothing else opens until it is changed.
    for path in ("/", "/customers/", "/visits/", "/reports/"):
        assert client.get(path)["Location"] == CHANGE_URL, path
    page = client.get(CHANGE_URL)
    assert 'id="password-change-required"' in page.content.decode()
    response = _change(client)
    assert response["Location"] == reverse("core:home")
    assert client.get("/").status_code == 200
    created_by_admin.refresh_from_db()
    assert not created_by_admin.password_change_required
    assert created_by_admin.check_password(NEW_PASSWORD)
    entry = history_for(obj=created_by_admin)[0]
    assert entry.action == "password changed by its owner"
    assert entry.actor == created_by_admin


def test_the_page_first_asked_for_opens_after_the_change(client, created_by_admin):
    response = client.post(reverse("accounts:login") + "?next=/customers/",
                           {"username": "new_officer", "password": TEST_PASSWORD})
    assert response["Location"] == CHANGE_URL
    assert _change(client)["Location"] == "/customers/"


def test_an_administrator_setting_a_password_requires_a_change_and_is_audited(
        admin_client_, admin_user, officer, client):
    response = admin_client_.post(reverse("accounts:user_password", args=[officer.pk]),
                                  {"password": "temporary-pass-9931"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.password_change_required
    entry = history_for(obj=officer)[0]
    assert entry.action == "password set by an administrator"
    assert entry.actor == admin_user
    assert _sign_in(client, officer.username, "temporary-pass-9931")["Location"] == CHANGE_URL


def test_administrators_change_their_own_password_on_their_own_page(admin_client_, admin_user):
    response = admin_client_.post(reverse("accounts:user_password", args=[admin_user.pk]),
                                  {"password": "temporary-pass-9931"})
    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.check_password(TEST_PASSWORD)


@pytest.mark.parametrize("persona", ["officer", "supervisor", "admin_user"])
def test_every_role_changes_their_own_password(db, request, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    _sign_in(client, user.username)
    assert client.get(CHANGE_URL).status_code == 200
    assert _change(client)["Location"] == reverse("core:home")
    # The session goes on; the new password signs in, the old one no longer does.
    assert client.get("/").status_code == 200
    other = Client()
    assert _sign_in(other, user.username, TEST_PASSWORD).status_code == 200
    assert _sign_in(other, user.username, NEW_PASSWORD)["Location"] == reverse("core:home")


def test_other_sessions_of_the_user_end_when_the_password_changes(officer):
    elsewhere = Client()
    _sign_in(elsewhere, officer.username)
    here = Client()
    _sign_in(here, officer.username)
    _change(here)
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("old", "new", "again", "field"), [
    ("wrong-password", NEW_PASSWORD, None, "old_password"),
    (TEST_PASSWORD, NEW_PASSWORD, "something-else-77", "new_password2"),
    (TEST_PASSWORD, "short", None, "new_password2"),
    (TEST_PASSWORD, "12345678901234", None, "new_password2"),
    (TEST_PASSWORD, DEMO_PASSWORD, None, "new_password2"),
    (TEST_PASSWORD, DEMO_PASSWORD.lower(), None, "new_password2"),
    (TEST_PASSWORD, TEST_PASSWORD, None, "new_password2"),
])
def test_bad_new_passwords_are_refused_with_a_reason(officer_client, officer, old, new, again,
                                                     field):
    response = _change(officer_client, old=old, new=new, again=again)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="error_1_id_{field}"' in html or "invalid-feedback" in html
    officer.refresh_from_db()
    assert officer.check_password(TEST_PASSWORD)


def test_the_demo_password_is_refused_in_chinese_too(officer_client):
    response = officer_client.post(CHANGE_URL, {
        "old_password": TEST_PASSWORD, "new_password1": DEMO_PASSWORD,
        "new_password2": DEMO_PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "演示" in response.content.decode()


def test_guessing_the_current_password_counts_towards_the_lockout(officer_client, officer,
                                                                 settings):
    """A borrowed, signed-in session cannot be used to guess the password without limit."""
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change(officer_client, old="guess-wrong")
    locked = _sign_in(Client(), officer.username)
    assert locked.status_code == 429
