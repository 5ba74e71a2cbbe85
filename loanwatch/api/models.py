"""Integration tokens and the record of their use."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("read the lists and the changes feed")
    FEED_WRITE = "feed-write", _("send loan-status batches")


# The secret itself is never stored, nor its last use (which moves on every call): the history
# records who created a token, with which scopes, and who revoked it.
@pghistory.track(exclude=["last_used_at", "secret_hash"])
class ApiToken(models.Model):
    """One token per integration (the data warehouse, the core-banking export …).

    The secret is shown once, when an administrator creates the token; only its SHA-256 is kept,
    so a copy of the database lets nobody call the API. `prefix`, the secret's first characters,
    tells tokens apart in lists and logs.
    """

    name = models.CharField(_("integration"), max_length=100)
    prefix = models.CharField(_("token begins with"), max_length=12, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = ArrayField(models.CharField(max_length=20, choices=Scope.choices),
                        verbose_name=_("scopes"), size=len(Scope.choices))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ApiCall(models.Model):
    """One call of the API: which token (none when the credentials were refused), when, what,
    and the answer's status. Kept API_CALLS_KEEP_DAYS, then deleted by the nightly job."""

    token = models.ForeignKey(ApiToken, verbose_name=_("token"), on_delete=models.CASCADE,
                              null=True, blank=True, related_name="calls")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    method = models.CharField(_("HTTP method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status = models.PositiveSmallIntegerField(_("status"))
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["token", "-at"], name="api_call_token_at")]
        verbose_name = _("API call")
        verbose_name_plural = _("API calls")

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class IdempotentRequest(models.Model):
    """A POST sent with an Idempotency-Key: the answer it got, given again to a retry with the
    same key and the same body (a client that lost the first answer), never done twice."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"],
                                               name="api_idempotent_token_key")]

    def __str__(self) -> str:
        return self.key
