"""Signing in and out, landing on the role's home page, in the browser's language."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from loanwatch.accounts.middleware import REFRESHED_AT
from loanwatch.accounts.models import Team, User
from loanwatch.accounts.passwords import DEMO_PASSWORD
from loanwatch.devtools import demo

from ..factories import TEST_PASSWORD, UserFactory


def test_every_page_requires_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_page_renders_without_login(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "marker"),
    [("officer", "officer-home"), ("supervisor", "supervisor-home"), ("admin_user", "admin-home")],
)
def test_each_role_lands_on_its_own_home(client, db, request, persona, marker):
    user = request.getfixturevalue(persona)
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": TEST_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("core:home")
    assert f'id="{marker}"' in response.content.decode()


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, officer):
    response = client.post(
        reverse("accounts:login"), {"username": officer.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "alert" in response.content.decode()


def test_login_rotates_the_session_key(client, officer):
    client.get(reverse("accounts:login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-fixed-value"
    client.post(reverse("accounts:login"),
                {"username": officer.username, "password": TEST_PASSWORD})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != "attacker-fixed-value"


def test_logout_needs_post_and_ends_the_session(officer_client):
    assert officer_client.get(reverse("accounts:logout")).status_code == 405
    response = officer_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert officer_client.get(reverse("core:home")).status_code == 302


def test_user_without_role_is_told_so(client, db):
    user = UserFactory(role="")
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 403


def _session_row(client):
    return Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_session_idles_out_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert 0 < settings.SESSION_REFRESH_SECONDS <= 60


def test_a_request_moves_the_idle_expiry_forward_at_most_once_a_minute(officer_client):
    soon = timezone.now() + datetime.timedelta(minutes=10)
    _session_row(officer_client).update(expire_date=soon)
    # Just signed in: the expiry was set then; a request writes nothing.
    with CaptureQueriesContext(connection) as captured:
        assert officer_client.get(reverse("core:home")).status_code == 200
    assert not [q for q in captured if "django_session" in q["sql"]
                and not q["sql"].startswith("SELECT")]
    assert _session_row(officer_client).get().expire_date == soon
    # A minute and more since the last push: the next request pushes it to thirty minutes.
    session = officer_client.session
    session[REFRESHED_AT] = time.time() - settings.SESSION_REFRESH_SECONDS - 1
    session.save()
    _session_row(officer_client).update(expire_date=soon)
    assert officer_client.get(reverse("core:home")).status_code == 200
    expiry = _session_row(officer_client).get().expire_date
    assert expiry > timezone.now() + datetime.timedelta(minutes=29)


def test_an_idle_session_is_signed_out(officer_client):
    _session_row(officer_client).update(expire_date=timezone.now() - datetime.timedelta(
        seconds=1))
    response = officer_client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("zh-CN,zh;q=0.9", "登录"), ("en-US,en;q=0.9", "Sign in")],
)
def test_browser_language_chooses_the_page_language(client, db, accept, expected):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert expected in html
    other = "Sign in" if expected == "登录" else "登录"
    assert other not in html


def test_language_switcher_overrides_the_browser(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"},
                HTTP_ACCEPT_LANGUAGE="zh-CN")
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Sign in" in response.content.decode()


def test_demo_data_is_idempotent_and_demo_users_can_sign_in(client, db):
    demo.load()
    counts = (User.objects.count(), Team.objects.count())
    demo.load()
    assert (User.objects.count(), Team.objects.count()) == counts
    for username, marker in [("admin", "admin-home"), ("supervisor1", "supervisor-home"),
                             ("officer1", "officer-home")]:
        client.logout()
        response = client.post(reverse("accounts:login"),
                               {"username": username, "password": DEMO_PASSWORD},
                               follow=True)
        assert f'id="{marker}"' in response.content.decode(), username
