"""Administrators manage users and teams in the browser; every change lands in the history."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role

from ..factories import UserFactory


def _new_user(admin_client_, team_, **overrides):
    data = {"username": "new.officer", "full_name": "周敏", "email": "zm@bank.example",
            "phone": "13800000000", "role": Role.OFFICER.value, "team": team_.pk,
            "password": "a-long-enough-Passw0rd"}
    data.update(overrides)
    return admin_client_.post(reverse("accounts:user_create"), data)


def test_admin_creates_an_officer_who_can_sign_in(admin_client_, team_a, client):
    response = _new_user(admin_client_, team_a)
    user = User.objects.get(username="new.officer")
    assert response.status_code == 302
    assert user.role == Role.OFFICER and user.team == team_a and not user.is_staff
    signed_in = client.post(reverse("accounts:login"),
                            {"username": "new.officer", "password": "a-long-enough-Passw0rd"})
    assert signed_in.status_code == 302


def test_weak_password_is_refused_with_a_field_error(admin_client_, team_a):
    response = _new_user(admin_client_, team_a, password="12345678")
    assert response.status_code == 200
    assert not User.objects.filter(username="new.officer").exists()
    assert "invalid-feedback" in response.content.decode()


def test_officer_needs_a_team(admin_client_, team_a):
    response = _new_user(admin_client_, team_a, team="")
    assert response.status_code == 200
    assert not User.objects.filter(username="new.officer").exists()


def test_errors_are_in_the_users_language(admin_client_, team_a):
    response = admin_client_.post(reverse("accounts:user_create"), {"username": ""},
                                  HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "这个字段是必填项" in response.content.decode()


def test_role_change_is_in_the_history_with_who_did_it(admin_client_, admin_user, officer):
    response = admin_client_.post(
        reverse("accounts:user_detail", args=[officer.pk]),
        {"full_name": "改名后", "email": officer.email, "phone": "", "role": "supervisor",
         "team": officer.team_id, "is_active": "on"},
    )
    assert response.status_code == 302
    officer = User.objects.get(pk=officer.pk)
    assert officer.role == Role.SUPERVISOR and officer.full_name == "改名后"
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk])).content.decode()
    history = page[page.index('id="history"'):]
    assert "改名后" in history
    assert str(admin_user) in history
    assert "风险主管" in history and "客户经理" in history  # role granted and withdrawn


def test_admin_cannot_remove_their_own_admin_role(admin_client_, admin_user):
    response = admin_client_.post(
        reverse("accounts:user_detail", args=[admin_user.pk]),
        {"full_name": "x", "email": "", "phone": "", "role": "officer", "team": "",
         "is_active": "on"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=admin_user.pk).role == Role.ADMIN


def test_admin_unlocks_a_locked_user(admin_client_, officer, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": officer.username, "password": "x"})
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk]))
    assert 'id="locked"' in page.content.decode()
    admin_client_.post(reverse("accounts:user_unlock", args=[officer.pk]))
    page = admin_client_.get(reverse("accounts:user_detail", args=[officer.pk]))
    assert 'id="locked"' not in page.content.decode()


def test_team_create_and_rename_recorded(admin_client_):
    admin_client_.post(reverse("accounts:team_create"),
                       {"code": "GZ-TH", "name": "广州天河支行", "region": "广州"})
    team = Team.objects.get(code="GZ-TH")
    admin_client_.post(reverse("accounts:team_edit", args=[team.pk]),
                       {"code": "GZ-TH", "name": "广州天河支行贷后团队", "region": "广州"})
    page = admin_client_.get(reverse("accounts:team_edit", args=[team.pk])).content.decode()
    assert "广州天河支行贷后团队" in page[page.index('id="history"'):]


def test_user_list_queries_do_not_grow_with_users(admin_client_, django_assert_max_num_queries,
                                                  team_a):
    UserFactory.create_batch(3, team=team_a, role=Role.OFFICER)
    with CaptureQueriesContext(connection) as small:
        admin_client_.get(reverse("accounts:user_list"))
    UserFactory.create_batch(40, team=team_a, role=Role.OFFICER)
    with CaptureQueriesContext(connection) as large:
        admin_client_.get(reverse("accounts:user_list"))
    assert len(small) == len(large)


def test_two_admins_editing_the_same_user_get_a_conflict_not_an_overwrite(
    admin_client_, officer, db
):
    other_admin = UserFactory(username="admin_y", team=None, role=Role.ADMIN)
    second = Client()
    second.force_login(other_admin)
    url = reverse("accounts:user_detail", args=[officer.pk])
    form = {"email": officer.email, "phone": "", "role": "officer", "team": officer.team_id,
            "is_active": "on", "version": officer.version}
    assert admin_client_.post(url, {**form, "full_name": "第一位的修改"}).status_code == 302
    response = second.post(url, {**form, "full_name": "第二位的修改"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert User.objects.get(pk=officer.pk).full_name == "第一位的修改"
