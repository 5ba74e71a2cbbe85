"""The administrators' pages for tokens: create (the secret shown once), list, revoke."""

from __future__ import annotations

from django.urls import reverse

from loanwatch.api.models import ApiToken
from loanwatch.api.services import secret_hash

from .helpers import bearer


def test_an_administrator_creates_a_token_and_sees_its_secret_once(admin_client_):
    response = admin_client_.post(reverse("api_tokens:create"), {
        "name": "数据仓库", "scopes": ["read"], "expires_on": ""})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.name, token.scopes, token.secret_hash) == ("数据仓库", ["read"],
                                                             secret_hash(secret))
    assert bearer(secret).get("/api/v1/customers/").status_code == 200
    for page in (reverse("api_tokens:list"), reverse("api_tokens:detail", args=[token.pk])):
        html = admin_client_.get(page).content.decode()
        assert token.prefix in html and secret not in html


def test_a_token_needs_a_scope_and_a_future_expiry(admin_client_):
    response = admin_client_.post(reverse("api_tokens:create"), {
        "name": "x", "scopes": [], "expires_on": "2000-01-01"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"scopes", "expires_on"}
    assert not ApiToken.objects.exists()


def test_revoking_from_the_page_stops_the_token(admin_client_, read_token):
    token, secret = read_token
    response = admin_client_.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    assert bearer(secret).get("/api/v1/customers/").status_code == 401
    html = admin_client_.get(reverse("api_tokens:list")).content.decode()
    assert "revoked" in html or "已吊销" in html


def test_the_token_pages_show_last_use_and_recent_calls(admin_client_, read_token):
    token, secret = read_token
    bearer(secret).get("/api/v1/loans/?status=active")
    html = admin_client_.get(reverse("api_tokens:detail", args=[token.pk])).content.decode()
    assert "/api/v1/loans/?status=active" in html


def test_only_administrators_reach_the_token_pages(officer_client, supervisor_client,
                                                   read_token):
    token, _secret = read_token
    for client in (officer_client, supervisor_client):
        assert client.get(reverse("api_tokens:list")).status_code == 403
        assert client.post(reverse("api_tokens:create"), {"name": "x",
                                                          "scopes": ["read"]}).status_code == 403
        assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
