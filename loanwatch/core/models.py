from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a background component last proved it is alive (one row per component)."""

    BEAT = "beat"

    name = models.CharField(_("component"), max_length=50, primary_key=True)
    at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """Something a user should know: shown in the app at once, mailed by the worker.

    The row is the outbox: it is written in the same transaction as the change it reports, so a
    broker or worker outage delays the mail (the sweep job sends it later), never loses it.
    """

    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # Set by the worker that takes the mail, so that two workers never send it twice.
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["created_at"], condition=models.Q(emailed_at__isnull=True),
                         name="notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class FormSubmission(models.Model):
    """A form's one-time key, claimed by the first request that sends it (see core/once.py).

    A double click, a retry after a lost answer or a replay sends the same key again; the
    repeat is answered with where the first one led instead of doing the work twice.
    """

    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    key = models.CharField(_("key"), max_length=32)
    path = models.CharField(_("path"), max_length=300)
    claimed_at = models.DateTimeField(_("claimed"), auto_now_add=True, db_index=True)
    # Where the first request's answer sent the user; empty while it is still being handled.
    location = models.CharField(_("result"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="form_key_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class HeldPost(models.Model):
    """What a user sent after their session had idled out, kept for them to apply after signing
    in again (core/held.py). Short-lived: read only by the same user, deleted once applied,
    discarded or two hours old."""

    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    token = models.CharField(_("key"), max_length=32, unique=True)
    path = models.CharField(_("path"), max_length=300)
    # The form's fields as lists of values (a QueryDict's lists), without the CSRF token.
    data = models.JSONField(_("data"), default=dict)
    had_files = models.BooleanField(_("had files"), default=False)
    held_at = models.DateTimeField(_("held"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("held post")
        verbose_name_plural = _("held posts")

    def __str__(self) -> str:
        return f"{self.user_id} {self.path}"
