"""Writes of the API's own records: tokens, the calls' audit, idempotent answers."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role

from .models import ApiCall, ApiToken, IdempotentRequest, Scope

# A secret says what it is to a secret scanner and to a person who finds one in a log.
SECRET_START = "lw_"  # noqa: S105 (a prefix, not a secret)
# A token's last use is written at most this often: one UPDATE per call would cost every call a
# write for a figure read only on the tokens page.
LAST_USED_EVERY = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def token_create(*, acting_user: User, name: str, scopes: list[str],
                 expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown to the administrator once and stored only as
    its hash."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    wanted = sorted(set(scopes))
    if not wanted or not set(wanted) <= set(Scope.values):
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must lie in the future.")})
    secret = SECRET_START + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip(), prefix=secret[:10], secret_hash=secret_hash(secret),
                     scopes=wanted, created_by=acting_user, expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, acting_user: User, token_id: int) -> ApiToken:
    """The token stops working at once; revoking twice keeps the first revocation."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    token = ApiToken.objects.select_for_update(of=("self",)).get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), acting_user
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_touch(*, token: ApiToken) -> None:
    """Records the token's use, once a minute at most (a conditional UPDATE: two calls at the
    same moment write once)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(
        last_used_at=now)
    token.last_used_at = now


def call_record(*, token: ApiToken | None, method: str, path: str, status: int,
                address: str | None) -> None:
    try:
        address = str(ipaddress.ip_address(address or ""))
    except ValueError:
        address = None  # a proxy header with no address in it
    ApiCall.objects.create(token=token, method=method[:10], path=path[:300], status=status,
                           address=address)


def calls_forget_old(*, now: datetime | None = None) -> int:
    """The nightly clean-up: calls and idempotent answers older than API_CALLS_KEEP_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.API_CALLS_KEEP_DAYS)
    deleted, _rows = ApiCall.objects.filter(at__lt=cutoff).delete()
    IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class IdempotencyConflict(Exception):
    """The key was used before with another request."""


Answer = tuple[int, Any]


def idempotent(*, token: ApiToken, key: str, fingerprint: str,
               handler: Callable[[], Answer]) -> Answer:
    """The handler's answer, stored under (token, key); the stored answer for a retry.

    The key's row is locked while the handler runs: a retry sent while the first is still being
    answered waits for it and then gets its answer. An answer of a server error is not kept, so
    that a retry tries again.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, _created = IdempotentRequest.objects.get_or_create(
                    token=token, key=key, defaults={"fingerprint": fingerprint})
        except IntegrityError:
            row = IdempotentRequest.objects.get(token=token, key=key)
        row = IdempotentRequest.objects.select_for_update().get(pk=row.pk)
        if row.fingerprint != fingerprint:
            raise IdempotencyConflict
        if row.status is not None:
            return row.status, row.body
        status, body = handler()
        if status < 500:
            row.status, row.body = status, body
            row.save(update_fields=["status", "body"])
        return status, body
