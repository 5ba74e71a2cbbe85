"""NUL in a request is refused in one place (loanwatch.core.middleware.RequestInputMiddleware):
400 with a plain message, before the session or a view reads the request — never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from loanwatch.accounts.models import Team

pytestmark = pytest.mark.django_db
REFUSAL = "This request contains a NUL character, which no page accepts."


@pytest.mark.parametrize("name", ["customers:customer_list", "customers:customer_export",
                                  "customers:ledger_export"])
def test_nul_in_the_search_is_refused(officer_client, name):
    response = officer_client.get(reverse(name), {"q": "贸易\x00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.content.decode() == REFUSAL
    assert officer_client.get(reverse(name), {"q": "贸易"}).status_code == 200


def test_nul_in_a_parameter_name_is_refused(officer_client):
    response = officer_client.get(reverse("customers:customer_list") + "?q%00=1")
    assert response.status_code == 400


def test_nul_in_the_calendar_token_is_refused_without_signing_in(client):
    response = client.get("/schedule/calendar/%00.ics")
    assert response.status_code == 400
    assert client.get("/schedule/calendar/no-such-token.ics").status_code == 404


def test_the_refusal_speaks_the_readers_language(client):
    response = client.get("/schedule/calendar/%00.ics", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "NUL" in response.content.decode() and REFUSAL not in response.content.decode()


def test_nul_in_the_session_cookie_is_refused(officer):
    # A quoted cookie value may spell NUL as the octal escape \000; the parser decodes it, and
    # the session store would hand it to PostgreSQL.
    client = Client()
    response = client.get(reverse("core:home"), HTTP_COOKIE='sessionid="abcdefgh\\000ijk"')
    assert response.status_code == 400


def test_nul_in_a_header_is_refused(officer_client):
    response = officer_client.get(reverse("core:home"), HTTP_USER_AGENT="Mozilla\x00")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_the_forms_business(admin_client_):
    """A form's text field says what is wrong beside the field; nothing is saved."""
    response = admin_client_.post(reverse("accounts:team_create"),
                                  {"code": "N1", "name": "Team\x00", "region": ""},
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Team.objects.filter(code="N1").exists()


# "²" passes str.isdigit() and fails int(); 10**30 overflows a bigint.
NOT_AN_ID = ("²", str(10**30), "-1", "abc", "1.5")


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_a_filter_that_names_no_record_shows_the_list_unfiltered(officer_client, admin_client_,
                                                                 value):
    for client, name, params in (
            (officer_client, "customers:customer_list",
             {"officer": value, "industry": value, "risk_group": value}),
            (officer_client, "customers:customer_export", {"officer": value}),
            (officer_client, "schedule:plan", {"officer": value, "weeks": value}),
            (admin_client_, "accounts:user_list", {"team": value})):
        assert client.get(reverse(name), params).status_code == 200, name


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_a_notification_id_that_is_not_one_is_no_server_error(officer_client, value):
    response = officer_client.post(reverse("core:notification_read"), {"pk": value})
    assert response.status_code == 302
