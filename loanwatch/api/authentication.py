"""`Authorization: Bearer <token>`: the API's only way in (no session, so no CSRF to check)."""

from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from . import selectors, services
from .models import ApiToken


class TokenUser(AnonymousUser):
    """The caller of a token: no person, no role, no team. `is_authenticated` lets DRF's
    permission classes tell it from nobody; the scopes decide the rest."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True

    def __str__(self) -> str:
        return f"api:{self.token.name}"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[TokenUser, ApiToken] | None:
        header = str(request.META.get("HTTP_AUTHORIZATION", "")).split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer <token>”."))
        token = selectors.token_for_secret(secret=header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid."))
        if not token.is_active():
            raise exceptions.AuthenticationFailed(_("This token was revoked or has expired."))
        services.token_touch(token=token)
        # Every change the call makes is recorded in the audit trail with the token's name.
        pghistory.context(api_token=token.pk, api_integration=token.name)
        return TokenUser(token), token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
