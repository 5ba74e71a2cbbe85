"""One run of the loan-status feed: the file, who sent it, how far it got and what it found."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_thresholds() -> list[int]:
    return [30, 60, 90]


class FeedRun(models.Model):
    """Not tracked by pghistory: a run is itself the record of what happened, written by the job
    alone (its progress counters move thousands of times); the loans it changes are tracked,
    under a context naming the run, the file and its checksum."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")

    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    # The file itself, kept so that the worker reads what was uploaded and the run can be audited
    # against it; the web request only stores it.
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # The language the reasons of bad rows are written in: the uploader's.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_applied = models.PositiveIntegerField(_("rows applied"), default=0)
    customers_changed = models.PositiveIntegerField(_("customers changed"), default=0)
    signals_raised = models.PositiveIntegerField(_("signals raised"), default=0)
    # Bad rows, [{"row", "column", "reason"}]: any of them and nothing was applied.
    errors = models.JSONField(_("bad rows"), default=list, blank=True)
    # Rows left out while the rest applied, same shape: unknown contracts, older dates.
    refused = models.JSONField(_("rows left out"), default=list, blank=True)
    # Loans whose kept classification is better than their days past due allow.
    below_floor = models.JSONField(_("below the classification floor"), default=list,
                                   blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("loan feed run")
        verbose_name_plural = _("loan feed runs")

    def __str__(self) -> str:
        return f"{self.file_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.APPLIED, self.Status.REJECTED, self.Status.FAILED}


@pghistory.track()
class FeedSettings(models.Model):
    """What the loan feed's figures set off, as administrators set it; a single row (pk=1)."""

    dpd_thresholds = ArrayField(
        models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3650)]),
        verbose_name=_("days past due that raise a signal when a loan goes over them"),
        default=default_thresholds, size=10)
    serious_from = models.PositiveIntegerField(
        _("a threshold from this many days raises a serious signal"), default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A serious signal also opens a revisit task for the customer's officer."))

    class Meta:
        verbose_name = _("loan feed settings")
        verbose_name_plural = _("loan feed settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> FeedSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row
