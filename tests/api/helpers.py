"""Tokens and clients for the API's tests."""

from __future__ import annotations

from django.core.cache import caches
from django.test import Client

from loanwatch.api import services
from loanwatch.api.base import FEED_THROTTLE, READ_THROTTLE
from loanwatch.api.models import ApiToken, Scope


def make_token(admin, *, scopes=(Scope.READ,), name: str = "data warehouse") -> tuple[ApiToken,
                                                                                        str]:
    token, secret = services.token_create(acting_user=admin, name=name, scopes=list(scopes))
    # The rate counts live in Redis, beyond the test's rollback: a new token starts from none.
    for scope in (READ_THROTTLE, FEED_THROTTLE):
        caches["throttle"].delete(f"throttle_{scope}_{token.pk}")
    return token, secret


def bearer(secret: str, language: str = "en") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE=language)
