"""Scopes: a view names the one it needs (`required_scope`); a token without it gets 403."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .models import ApiToken


class HasScope(BasePermission):
    message = _("This token does not have the scope this endpoint needs.")

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return getattr(view, "required_scope", None) in token.scopes
