"""Hostile and random input to the user and team forms: a clear error or a correct save,
never a server error, never a half-written record."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from loanwatch.accounts.models import Team, User
from tests.hostile import HOSTILE_TEXT, HYPOTHESIS


@HYPOTHESIS
@given(code=HOSTILE_TEXT, name=HOSTILE_TEXT, region=HOSTILE_TEXT)
def test_team_form_never_fails_and_saves_exactly_what_was_accepted(admin_client_, code, name,
                                                                   region):
    before = Team.objects.count()
    response = admin_client_.post(reverse("accounts:team_create"),
                                  {"code": code, "name": name, "region": region})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        team = Team.objects.get(code=code.strip())
        assert (team.name, team.region) == (name.strip(), region.strip())
        team.delete()
    else:
        assert Team.objects.count() == before


@HYPOTHESIS
@given(username=HOSTILE_TEXT, full_name=HOSTILE_TEXT, email=HOSTILE_TEXT, phone=HOSTILE_TEXT,
       password=HOSTILE_TEXT, role=st.sampled_from(["officer", "supervisor", "admin", "x", ""]))
def test_user_form_never_fails_and_writes_nothing_on_error(admin_client_, team_a, username,
                                                           full_name, email, phone, password,
                                                           role):
    before = User.objects.count()
    response = admin_client_.post(reverse("accounts:user_create"), {
        "username": username, "full_name": full_name, "email": email, "phone": phone,
        "role": role, "team": team_a.pk, "password": password,
    })
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert User.objects.count() == before
    else:
        User.objects.filter(username=username).delete()
