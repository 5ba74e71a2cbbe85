"""Risk reports (风险报告) and warnings (预警): what the officer found after a visit, judged,
and proposed; decided by a supervisor of the customer's team (four eyes)."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.models import WARNING_BADGES, Classification, RiskSignal, WarningLevel
from loanwatch.core.audit import changes_feed_meta
from loanwatch.core.bilingual import BilingualName
from loanwatch.core.concurrency import Versioned
from visits.models import evidence_storage


@pghistory.track()
class Measure(BilingualName):
    """A measure a report may propose (more frequent visits, freezing the line…); admins keep
    the catalogue in the Django admin."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # Measures that change the bank's exposure (collateral taken, line frozen, loan recalled)
    # are done only once a supervisor has seen the outcome.
    needs_sign_off = models.BooleanField(_("needs a supervisor's sign-off"), default=False)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")


@pghistory.track(meta=changes_feed_meta("riskreport_event_changes"))
class RiskReport(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting decision")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("risk assessment")
        # 解除: says why the risk behind the customer's standing warning has gone.
        RELEASE = "release", _("release of the warning")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="risk_reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.ASSESSMENT, db_default=Kind.ASSESSMENT)
    # Optional: a record-check finding (a court enforcement, say) calls for a report before
    # anyone can visit.
    visit = models.ForeignKey("visits.Visit", verbose_name=_("visit"), on_delete=models.PROTECT,
                              null=True, blank=True, related_name="risk_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"),
                               on_delete=models.PROTECT, related_name="risk_reports")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    assessment = models.TextField(_("overall assessment"), blank=True)
    warning_level = models.CharField(_("warning level"), max_length=10,
                                     choices=WarningLevel.choices, default=WarningLevel.NONE)
    proposed_risk_group = models.ForeignKey("customers.RiskGroup",
                                            verbose_name=_("proposed risk group"),
                                            on_delete=models.PROTECT, null=True, blank=True,
                                            related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decision_comment = models.TextField(_("decision comment"), blank=True)
    # A level that needs two approvals: the first is recorded here and the report keeps
    # awaiting the second, which must come from another person.
    first_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL,
                                          verbose_name=_("first approval by"),
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    first_approved_at = models.DateTimeField(_("first approval"), null=True, blank=True)
    # What an approval changed, as it was at that moment: the customer's group moves on later.
    risk_group_before = models.ForeignKey("customers.RiskGroup",
                                          verbose_name=_("risk group before approval"),
                                          on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+")
    risk_group_after = models.ForeignKey("customers.RiskGroup",
                                         verbose_name=_("risk group after approval"),
                                         on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("risk report")
        verbose_name_plural = _("risk reports")
        indexes = [models.Index(fields=["customer", "-created_at"]),
                   models.Index(fields=["submitted_at"], condition=Q(status="submitted"),
                                name="report_awaiting_decision")]
        constraints = [models.UniqueConstraint(
            fields=["customer"], name="one_open_release_per_customer",
            condition=Q(kind="release", status__in=["draft", "submitted"]))]

    def __str__(self) -> str:
        return _("Risk report %(pk)s") % {"pk": self.pk}

    @property
    def warning_badge(self) -> str:
        return WARNING_BADGES.get(self.warning_level, "text-bg-secondary")

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_release(self) -> bool:
        return self.kind == self.Kind.RELEASE


@pghistory.track()
class RiskPoint(models.Model):
    class Category(models.TextChoices):
        OPERATIONS = "operations", _("operations")
        FINANCE = "finance", _("finances and repayment")
        LOAN_USE = "loan_use", _("use of the loan")
        SECURITY = "security", _("collateral and guarantees")
        LEGAL = "legal", _("legal and credit records")
        PEOPLE = "people", _("owners and management")
        OTHER = "other", _("other")

    report = models.ForeignKey(RiskReport, verbose_name=_("risk report"),
                               on_delete=models.CASCADE, related_name="points")
    signal = models.ForeignKey("customers.RiskSignal", verbose_name=_("risk signal"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.OTHER)
    severity = models.CharField(_("severity"), max_length=10,
                                choices=RiskSignal.Severity.choices,
                                default=RiskSignal.Severity.WARNING)
    # The author's own words; empty while the point says what its signal says, so that the
    # signal's wording is read in each reader's language (see `wording`).
    text = models.CharField(_("risk point"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("risk point")
        verbose_name_plural = _("risk points")

    def __str__(self) -> str:
        return self.wording

    @property
    def wording(self) -> str:
        """What the point says, in the reader's language where the system wrote it."""
        if self.text or self.signal is None:
            return self.text
        return self.signal.message[:500]


@pghistory.track()
class ProposedMeasure(models.Model):
    report = models.ForeignKey(RiskReport, verbose_name=_("risk report"),
                               on_delete=models.CASCADE, related_name="measures")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT,
                                related_name="+")
    due_on = models.DateField(_("due date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("proposed measure")
        verbose_name_plural = _("proposed measures")

    def __str__(self) -> str:
        return str(self.measure)


@pghistory.track()
class ProposedClassification(models.Model):
    report = models.ForeignKey(RiskReport, verbose_name=_("risk report"),
                               on_delete=models.CASCADE, related_name="classifications")
    loan = models.ForeignKey("customers.Loan", verbose_name=_("loan"), on_delete=models.PROTECT,
                             related_name="+")
    classification = models.CharField(_("proposed classification"), max_length=20,
                                      choices=Classification.choices)
    # The loan's classification when the report was approved; blank until then.
    classification_before = models.CharField(_("classification before approval"),
                                             max_length=20, choices=Classification.choices,
                                             blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("proposed classification")
        verbose_name_plural = _("proposed classifications")
        constraints = [models.UniqueConstraint(fields=["report", "loan"],
                                               name="one_proposal_per_loan")]

    def __str__(self) -> str:
        return f"{self.loan}: {self.get_classification_display()}"


class ReportTransition(models.Model):
    """Each step of the workflow: who moved the report, when, and what they said."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        RETURNED = "returned", _("returned for revision")
        FIRST_APPROVAL = "first_approval", _("first of two approvals")

    report = models.ForeignKey(RiskReport, verbose_name=_("risk report"),
                               on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report transition")
        verbose_name_plural = _("report transitions")

    def __str__(self) -> str:
        return self.get_action_display()


def follow_up_evidence_upload_to(instance: FollowUp, filename: str) -> str:
    # The name is random: nothing the uploader typed reaches the file system.
    return f"follow-ups/{instance.customer_id}/{uuid.uuid4().hex}"


@pghistory.track()
class FollowUp(models.Model):
    """An approved measure to carry out: on its owner's home page until done. Done means an
    outcome written down; a measure the catalogue marks as needing it is done only once a
    supervisor has signed that outcome off."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        AWAITING_SIGN_OFF = "awaiting_sign_off", _("awaiting sign-off")
        DONE = "done", _("done")

    report = models.ForeignKey(RiskReport, verbose_name=_("risk report"),
                               on_delete=models.PROTECT, related_name="follow_ups")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="follow_ups")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT,
                                related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="follow_ups")
    # Nullable only so that the history of items from before due dates were required keeps
    # its blanks; the constraint below requires a date on every item.
    due_on = models.DateField(_("due date"), null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    evidence = models.FileField(_("evidence file"), upload_to=follow_up_evidence_upload_to,
                                storage=evidence_storage, max_length=200, blank=True)
    evidence_name = models.CharField(_("evidence file name"), max_length=200, blank=True)
    evidence_type = models.CharField(_("evidence content type"), max_length=100, blank=True)
    evidence_sha256 = models.CharField(_("evidence SHA-256"), max_length=64, blank=True)
    # Who wrote the outcome down, and when; the measure is done only once status says so.
    done_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("outcome recorded by"),
                                on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed off by"),
                                      on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    # Why the outcome was sent back; kept until the next sign-off decision.
    sign_off_comment = models.TextField(_("sign-off comment"), blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        indexes = [models.Index(fields=["owner", "due_on"], condition=~Q(status="done"),
                                name="followup_open_by_owner"),
                   models.Index(fields=["due_on"], condition=~Q(status="done"),
                                name="followup_open_by_due")]
        constraints = [models.CheckConstraint(condition=Q(due_on__isnull=False),
                                              name="followup_has_due_date")]

    def __str__(self) -> str:
        return str(self.measure)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def days_overdue(self) -> int:
        """Days past the due date while not done; 0 otherwise."""
        if not self.is_open or self.due_on is None:
            return 0
        return max(0, (timezone.localdate() - self.due_on).days)


@pghistory.track()
class CustomerWarning(models.Model):
    """A customer's standing warning (预警): raised by the first approved report with a warning
    level, raised or lowered by later ones, ended only by an approved release report (解除).
    Customer.warning_level and warning_since copy the active one for the lists."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        RELEASED = "released", _("released")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.PROTECT, related_name="warnings")
    level = models.CharField(_("warning level"), max_length=10, choices=WarningLevel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    since = models.DateTimeField(_("warning since"))
    raised_by = models.ForeignKey(RiskReport, verbose_name=_("raised by report"),
                                  on_delete=models.PROTECT, related_name="+")
    last_report = models.ForeignKey(RiskReport, verbose_name=_("latest report on it"),
                                    on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_report = models.ForeignKey(RiskReport, verbose_name=_("release report"),
                                       on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["-since", "-pk"]
        verbose_name = _("standing warning")
        verbose_name_plural = _("standing warnings")
        constraints = [models.UniqueConstraint(fields=["customer"], condition=Q(status="active"),
                                               name="one_active_warning_per_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_level_display()}"

    @property
    def warning_badge(self) -> str:
        return WARNING_BADGES.get(self.level, "text-bg-secondary")

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


def default_two_approval_levels() -> list[str]:
    return [WarningLevel.RED.value]


@pghistory.track()
class WarningApprovalSettings(models.Model):
    """The warning levels whose reports need two approvals (one row, kept by administrators)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    two_approval_levels = ArrayField(
        models.CharField(max_length=10, choices=WarningLevel.choices),
        verbose_name=_("levels needing two approvals"), default=default_two_approval_levels,
        blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("warning approval settings")
        verbose_name_plural = _("warning approval settings")
        constraints = [models.CheckConstraint(condition=Q(id=1),
                                              name="warning_approvals_one_row")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
