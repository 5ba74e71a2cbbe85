"""Who the API lets in: a bearer token, active, with the endpoint's scope; everyone else gets a
JSON answer a client can read (never the sign-in page). Every call with a token is recorded."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loanwatch.api import services
from loanwatch.api.models import ApiCall, ApiToken, Scope

from .helpers import bearer, make_token

CUSTOMERS = "/api/v1/customers/"


def test_without_a_token_the_api_answers_401_json_not_the_sign_in_page(db):
    response = Client().get(CUSTOMERS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


def test_a_signed_in_session_is_nobody_to_the_api(admin_client_):
    assert admin_client_.get(CUSTOMERS).status_code == 401
    # Nor can a page's session post a batch: no session authentication, so no CSRF to bypass.
    assert admin_client_.post("/api/v1/loan-status/", {"rows": []},
                              content_type="application/json").status_code == 401


@pytest.mark.parametrize("header", ["Bearer lw_not-a-token", "Bearer", "Bearer a b",
                                    "Bearer 令牌", "Token lw_x"])
def test_a_wrong_token_is_401(db, header):
    assert Client(HTTP_AUTHORIZATION=header).get(CUSTOMERS).status_code == 401


def test_a_token_without_the_scope_is_403(admin_user, feeder):
    response = feeder.get(CUSTOMERS)
    assert response.status_code == 403
    assert "scope" in response.json()["detail"]
    reader = bearer(make_token(admin_user, scopes=[Scope.READ])[1])
    response = reader.post("/api/v1/loan-status/", {"rows": []}, content_type="application/json")
    assert response.status_code == 403


def test_a_revoked_token_is_401_from_the_next_call_on(admin_user, read_token):
    token, secret = read_token
    client = bearer(secret)
    assert client.get(CUSTOMERS).status_code == 200
    services.token_revoke(acting_user=admin_user, token_id=token.pk)
    response = client.get(CUSTOMERS)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_an_expired_token_is_401(admin_user, read_token):
    token, secret = read_token
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(secret).get(CUSTOMERS).status_code == 401


def test_the_secret_is_stored_only_as_its_hash(read_token):
    token, secret = read_token
    token.refresh_from_db()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix)
    assert not ApiToken.objects.filter(secret_hash=secret).exists()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())


def test_every_call_with_a_token_is_recorded_and_the_last_use_kept(admin_user, read_token):
    token, secret = read_token
    client = bearer(secret)
    client.get(CUSTOMERS + "?status=active")
    client.get("/api/v1/loans/?status=nonsense")
    bearer("lw_wrong").get(CUSTOMERS)
    Client().get(CUSTOMERS)  # no credentials at all: a scanner's noise, not a use
    calls = list(ApiCall.objects.order_by("pk").values_list("token", "method", "path", "status"))
    assert calls == [(token.pk, "GET", CUSTOMERS + "?status=active", 200),
                     (token.pk, "GET", "/api/v1/loans/?status=nonsense", 400),
                     (None, "GET", CUSTOMERS, 401)]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_last_use_is_written_once_a_minute_at_most(read_token, django_assert_num_queries):
    token, secret = read_token
    client = bearer(secret)
    client.get(CUSTOMERS)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    client.get(CUSTOMERS)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first


def test_old_calls_are_forgotten_by_the_nightly_job(settings, read_token):
    token, _secret = read_token
    settings.API_CALLS_KEEP_DAYS = 30
    old = ApiCall.objects.create(token=token, method="GET", path="/", status=200,
                                 at=timezone.now() - timedelta(days=31))
    recent = ApiCall.objects.create(token=token, method="GET", path="/", status=200,
                                    at=timezone.now() - timedelta(days=29))
    assert services.calls_forget_old() == 1
    assert list(ApiCall.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ApiCall.objects.filter(pk=old.pk).exists()


def test_the_schema_answers_a_token_or_an_administrator(read_token, admin_client_,
                                                       officer_client):
    url = reverse("api:schema")
    assert Client().get(url).status_code == 401
    assert officer_client.get(url).status_code == 403
    assert admin_client_.get(url).status_code == 200
    assert bearer(read_token[1]).get(url).status_code == 200


def test_the_tokens_changes_carry_the_audit_trail(admin_user, read_token):
    token, _secret = read_token
    services.token_revoke(acting_user=admin_user, token_id=token.pk)
    labels = list(token.events.order_by("pgh_id").values_list("pgh_label", "revoked_by"))
    assert labels == [("insert", None), ("update", admin_user.pk)]
