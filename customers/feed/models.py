"""One run of the loan-status feed: the file, who sent it, how far it got and what it found."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from loanwatch.core.runs import FileRun


def default_thresholds() -> list[int]:
    return [30, 60, 90]


class FeedRun(FileRun):
    """One run of the feed; the columns every file run shares are FileRun's (core/runs.py)."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("upload page")
        COMMAND = "command", _("command")
        FOLDER = "folder", _("watched folder")

    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.UPLOAD)
    # A file taken from FEED_DIR: its name under processing/ until the run is over.
    folder_file = models.CharField(_("file in the folder"), max_length=300, blank=True)
    customers_changed = models.PositiveIntegerField(_("customers changed"), default=0)
    signals_raised = models.PositiveIntegerField(_("signals raised"), default=0)
    # Rows left out while the rest applied, same shape: unknown contracts, older dates.
    refused = models.JSONField(_("rows left out"), default=list, blank=True)
    # Loans whose kept classification is better than their days past due allow.
    below_floor = models.JSONField(_("below the classification floor"), default=list,
                                   blank=True)

    class Meta(FileRun.Meta):
        verbose_name = _("loan feed run")
        verbose_name_plural = _("loan feed runs")


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
