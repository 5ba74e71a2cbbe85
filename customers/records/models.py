"""Record checks of public registers (licence, annual report, court enforcement).

A check is a dated reading of the public records about one subject: a customer itself, or a
person behind a corporate customer (legal representative, actual controller, shareholder).
Checks are never edited: a new reading is a new check, and what changed since the subject's
previous check is stored as findings.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loanwatch.core.validation import NOT_NEGATIVE


class LicenceStatus(models.TextChoices):
    IN_BUSINESS = "in_business", _("in business")
    REVOKED = "revoked", _("revoked")
    CANCELLED = "cancelled", _("cancelled")
    OTHER = "other", _("other")


@pghistory.track()
class RecordPolicy(models.Model):
    """How often subjects are checked and how soon a serious finding is visited (one row)."""

    interval_days = models.PositiveSmallIntegerField(
        _("check every (days)"), default=30,
        help_text=_("A subject whose last check is older than this is due."))
    task_due_days = models.PositiveSmallIntegerField(
        _("visit a serious finding within (days)"), default=14)

    class Meta:
        verbose_name = _("record-check policy")
        verbose_name_plural = _("record-check policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RecordPolicy:
        policy = cls.objects.order_by("pk").first()
        return policy if policy is not None else cls()


@pghistory.track()
class RecordCheck(models.Model):
    """One reading of the public records about one subject on one date."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        FEED = "feed", _("data-feed file")
        PROVIDER = "provider", _("data service")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.CASCADE, related_name="record_checks")
    # Empty: the customer itself; otherwise a person behind the (corporate) customer.
    person = models.ForeignKey("customers.Person", verbose_name=_("person"),
                               on_delete=models.PROTECT, null=True, blank=True,
                               related_name="record_checks")
    checked_on = models.DateField(_("checked on"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    licence_status = models.CharField(_("business licence"), max_length=20, blank=True,
                                      choices=LicenceStatus.choices)
    annual_report_year = models.PositiveSmallIntegerField(
        _("latest annual report filed for year"), null=True, blank=True)
    abnormal_listed = models.BooleanField(_("on the abnormal-operation list"), default=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("record check")
        verbose_name_plural = _("record checks")
        indexes = [models.Index(fields=["customer", "person", "-checked_on", "-id"],
                                name="record_check_subject")]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.checked_on}"

    @property
    def subject_name(self) -> str:
        return self.person.name if self.person_id else self.customer.name

    @property
    def subject_key(self) -> str:
        return f"p{self.person_id}" if self.person_id else f"c{self.customer_id}"


@pghistory.track()
class RecordEntry(models.Model):
    """A court record found by a check: an enforcement case, a dishonest-debtor entry or a
    consumption restriction, identified by its case number."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", _("enforcement case (被执行人)")
        DISHONEST = "dishonest", _("dishonest debtor (失信被执行人)")
        RESTRICTION = "restriction", _("consumption restriction (限制高消费)")

    record_check = models.ForeignKey(RecordCheck, verbose_name=_("record check"),
                                     on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    case_number = models.CharField(_("case number"), max_length=60)
    court = models.CharField(_("court"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount involved (CNY)"), max_digits=16, decimal_places=2,
                                 null=True,
                                 blank=True, validators=[NOT_NEGATIVE])
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    closed = models.BooleanField(_("case closed"), default=False)

    class Meta:
        ordering = ["kind", "filed_on", "case_number"]
        verbose_name = _("court record")
        verbose_name_plural = _("court records")
        constraints = [models.UniqueConstraint(fields=["record_check", "kind", "case_number"],
                                               name="record_entry_once_per_check"),
                       models.CheckConstraint(condition=Q(amount__isnull=True)
                                              | Q(amount__gte=0),
                                              name="record_entry_amount_not_negative")]

    def __str__(self) -> str:
        return self.case_number


class FindingKind(models.TextChoices):
    NEW_CASE = "new_case", _("new enforcement case")
    CASE_CLOSED = "case_closed", _("enforcement case closed")
    LICENCE_CHANGED = "licence_changed", _("licence status changed")
    ANNUAL_REPORT_MISSING = "annual_report_missing", _("annual report missing")
    NEWLY_DISHONEST = "newly_dishonest", _("new dishonest-debtor entry")
    NEW_RESTRICTION = "new_restriction", _("new consumption restriction")
    ABNORMAL_LISTED = "abnormal_listed", _("listed as operating abnormally")


@pghistory.track()
class Finding(models.Model):
    """Something that changed since the subject's previous check."""

    record_check = models.ForeignKey(RecordCheck, verbose_name=_("record check"),
                                     on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("finding"), max_length=30, choices=FindingKind.choices)
    serious = models.BooleanField(_("serious"), default=False)
    # What the finding is about: a case number, the old and new licence status, a year.
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-serious", "kind", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        from .diff import finding_message  # noqa: PLC0415  (diff imports these models)

        return finding_message(self.kind, self.params)


class CheckSubject(models.Model):
    """Each subject's last check date, kept so the due list is an index read and not a
    "latest check" lookup per customer and person (issue 23).

    One row per subject that may be checked: every customer, and every person holding a checked
    role in a customer. Rows follow customers and relations as they are created and removed
    (customers/records/subjects.py); `last_checked_on` moves when a check is recorded. Not
    tracked in history: it is derived from the checks, which are.
    """

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.CASCADE, related_name="+")
    # Empty: the customer itself.
    person = models.ForeignKey("customers.Person", verbose_name=_("person"),
                               on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    last_checked_on = models.DateField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("subject to check")
        verbose_name_plural = _("subjects to check")
        constraints = [models.UniqueConstraint(fields=["customer", "person"],
                                               nulls_distinct=False,
                                               name="check_subject_once")]
        indexes = [models.Index(models.F("last_checked_on").asc(nulls_first=True),
                                models.F("id").asc(), name="check_subject_due")]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.person_id}: {self.last_checked_on}"
