"""Post-loan visits (定期上门回访)."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loanwatch.core.concurrency import Versioned


@pghistory.track()
class Visit(Versioned):
    """One visit to a customer: a draft until submitted, then locked.

    A correction of a submitted visit is a new visit that `amends` it; the original stays as
    it was.
    """

    class Method(models.TextChoices):
        ON_SITE = "on_site", _("on-site")
        PHONE = "phone", _("phone")
        VIDEO = "video", _("video")
        THIRD_PARTY = "third_party", _("third-party inquiry")
        SOCIAL_MEDIA = "social_media", _("social media")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="visits")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visiting officer"),
                                on_delete=models.PROTECT, related_name="visits")
    companion = models.ForeignKey(settings.AUTH_USER_MODEL,
                                  verbose_name=_("accompanying colleague"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="visits_accompanied")
    visited_on = models.DateField(_("visit date"))
    method = models.CharField(_("method"), max_length=20, choices=Method.choices,
                              default=Method.ON_SITE)
    place = models.CharField(_("place"), max_length=300, blank=True)
    task = models.ForeignKey("schedule.RevisitTask", verbose_name=_("task fulfilled"),
                             on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="visits")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    amends = models.ForeignKey("self", verbose_name=_("amends"), on_delete=models.PROTECT,
                               null=True, blank=True, related_name="amendments")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["customer", "status", "-visited_on"]),
                   models.Index(fields=["officer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False,
                                                submitted_by__isnull=False),
                name="submitted_visit_has_who_and_when"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.visited_on}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED
