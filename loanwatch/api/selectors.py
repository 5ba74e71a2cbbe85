from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import ApiCall, ApiToken
from .services import SECRET_START, secret_hash


def token_for_secret(*, secret: str) -> ApiToken | None:
    if not secret.startswith(SECRET_START) or len(secret) > 200:
        return None
    return ApiToken.objects.filter(secret_hash=secret_hash(secret)).first()


def tokens_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("created_by", "revoked_by").order_by("-created_at",
                                                                                "-pk")


def token_get(*, pk: int) -> ApiToken:
    return get_object_or_404(tokens_list(), pk=pk)


def calls_recent(*, token: ApiToken, limit: int = 50) -> QuerySet[ApiCall]:
    return ApiCall.objects.filter(token=token).order_by("-at", "-pk")[:limit]
