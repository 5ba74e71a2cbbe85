"""Revisit tasks (回访任务) and, with them, the policy and runs that plan them."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loanwatch.core import hooks


@pghistory.track()
class RevisitTask(models.Model):
    """One visit the bank expects an officer to make to a customer by a date.

    The planner keeps exactly one open periodic task per customer (enforced by the database);
    tasks for other reasons (a new loan's first check, a risk event, a record-check finding, a
    manual request) sit beside it. `source_key` names what raised a non-periodic task (for
    example "finding:42" or "event:7") so that raising it again finds the same task.
    """

    class Reason(models.TextChoices):
        PERIODIC = "periodic", _("periodic revisit")
        FIRST_CHECK = "first_check", _("first check after disbursement")
        RISK_EVENT = "risk_event", _("risk event")
        RECORD_FINDING = "record_finding", _("record-check finding")
        MANUAL = "manual", _("manual")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    # Not columns: set on the tasks of a plan (selectors.plan_for_user).
    district: str
    is_overdue: bool

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.CASCADE, related_name="revisit_tasks")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"),
                                on_delete=models.PROTECT, related_name="revisit_tasks")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # A note the system writes is kept as a kind and its figures, and worded when read, in the
    # reader's language ("task_note_kinds" hooks); `note` keeps a person's text, and the
    # bank-language wording for readers outside the app (the calendar feed's old clients).
    note_kind = models.CharField(_("note kind"), max_length=40, blank=True, default="",
                                 db_default="")
    note_params = models.JSONField(_("note details"), default=dict, blank=True,
                                   db_default=models.Value({}, models.JSONField()))
    source_key = models.CharField(_("raised by"), max_length=80, blank=True)
    due_on = models.DateField(_("due"))
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey("visits.Visit", verbose_name=_("closed by visit"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="tasks_closed")
    event = models.ForeignKey("RiskEvent", verbose_name=_("risk event"),
                              on_delete=models.PROTECT, null=True, blank=True,
                              related_name="tasks")
    # Set by the planner on the day a task falls overdue; cleared when its due date moves.
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    # The planner and the reminder jobs claim these with conditional UPDATEs: each is sent once,
    # and again only after the due date moved.
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("revisit task")
        verbose_name_plural = _("revisit tasks")
        indexes = [models.Index(fields=["officer", "status", "due_on"]),
                   models.Index(fields=["customer", "status"]),
                   # The revisit card counts open tasks overdue or due this week: bank-wide
                   # by due date, for a team or an officer customer by customer. The id
                   # second: the bank-wide plan's pages are read in this order (keyset).
                   models.Index(fields=["due_on", "id"], condition=Q(status="open"),
                                name="open_task_by_due_date_id"),
                   models.Index(fields=["customer", "due_on"], condition=Q(status="open"),
                                name="open_task_by_customer")]
        constraints = [
            models.UniqueConstraint(fields=["customer"],
                                    condition=Q(status="open", reason="periodic"),
                                    name="one_open_periodic_task_per_customer"),
            # A finding or event raises its task once, however often it is imported or retried.
            models.UniqueConstraint(fields=["customer", "source_key"],
                                    condition=~Q(source_key=""),
                                    name="task_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_reason_display()} · {self.due_on}"

    @property
    def note_text(self) -> str:
        """The note in the reader's language: worded from its kind when the system wrote it."""
        if self.note_kind:
            for kind, wording in hooks.get_hooks("task_note_kinds"):
                if kind == self.note_kind:
                    try:
                        return str(wording(self.note_params or {}))
                    except (KeyError, TypeError, ValueError):
                        break  # figures from an older wording: the stored text still reads
        return self.note


class CustomerKind(models.TextChoices):
    # The customers app's kinds, repeated here so the policy grid can name them in migrations.
    CORPORATE = "corporate", _("corporate")
    INDIVIDUAL = "individual", _("individual")


@pghistory.track()
class RevisitPolicy(models.Model):
    """One cell of the policy grid: how often customers of a risk group and kind are revisited,
    and whether a phone or video visit satisfies the schedule."""

    risk_group = models.ForeignKey("customers.RiskGroup", verbose_name=_("risk group"),
                                   on_delete=models.CASCADE, related_name="revisit_policies")
    customer_kind = models.CharField(_("customer kind"), max_length=20,
                                     choices=CustomerKind.choices)
    interval_days = models.PositiveSmallIntegerField(
        _("revisit every (days)"), validators=[MinValueValidator(7), MaxValueValidator(365)])
    remote_counts = models.BooleanField(_("phone or video visit counts"), default=False)

    class Meta:
        ordering = ["risk_group__order", "customer_kind"]
        verbose_name = _("revisit policy")
        verbose_name_plural = _("revisit policy")
        constraints = [
            models.UniqueConstraint(fields=["risk_group", "customer_kind"],
                                    name="policy_once_per_group_and_kind"),
            models.CheckConstraint(condition=Q(interval_days__gte=7, interval_days__lte=365),
                                   name="policy_interval_range"),
        ]

    def __str__(self) -> str:
        return f"{self.risk_group} · {self.get_customer_kind_display()}: {self.interval_days}"


@pghistory.track()
class ScheduleSettings(models.Model):
    """The bank-wide numbers of the revisit policy; a single row (pk=1)."""

    high_risk_industry_cap_days = models.PositiveSmallIntegerField(
        _("longest interval in a high-risk industry (days)"), null=True, blank=True, default=30,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
        help_text=_("Empty: no cap."))
    first_check_days = models.PositiveSmallIntegerField(
        _("first check of the use of funds within (days after disbursement)"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind officers (days before due)"), default=7,
        validators=[MinValueValidator(0), MaxValueValidator(60)])
    risk_event_due_days = models.PositiveSmallIntegerField(
        _("a risk event's visits are due within (days)"), default=3,
        validators=[MinValueValidator(0), MaxValueValidator(60)])

    class Meta:
        verbose_name = _("revisit schedule settings")
        verbose_name_plural = _("revisit schedule settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> ScheduleSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class PlannerRun(models.Model):
    """One run of the planner over the whole portfolio; a run without `finished_at` died."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    planned_for = models.DateField(_("as of"))
    trigger = models.CharField(_("started by"), max_length=40)
    created = models.PositiveIntegerField(_("tasks created"), default=0)
    moved = models.PositiveIntegerField(_("tasks moved"), default=0)
    cancelled = models.PositiveIntegerField(_("tasks cancelled"), default=0)
    first_checks = models.PositiveIntegerField(_("first checks raised"), default=0)
    overdue = models.PositiveIntegerField(_("tasks marked overdue"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("planner run")
        verbose_name_plural = _("planner runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"

    @property
    def trigger_label(self) -> str:
        """What started the run, in words: the column keeps a short code ("policy:<user id>")."""
        code = self.trigger.split(":", 1)[0]
        return str(TRIGGER_LABELS.get(code, self.trigger))


TRIGGER_LABELS = {
    "beat": _("the morning run"), "catch-up": _("a catch-up run"),
    "command": _("the command line"), "policy": _("the revisit policy saved"),
    "bench": _("the benchmark"), "demo": _("demo data"), "": _("the morning run"),
}


@pghistory.track()
class RiskEvent(models.Model):
    """突发情况: something outside one customer that calls for visiting several at once."""

    class Kind(models.TextChoices):
        SYSTEMIC = "systemic", _("systemic or industry risk")
        GUARANTEE_CIRCLE = "guarantee_circle", _("guarantee-circle risk")
        CONTROLLER = "controller", _("incident with an actual controller")
        OTHER = "other", _("other")

    class Target(models.TextChoices):
        INDUSTRY = "industry", _("by industry")
        REGION = "region", _("by region")
        CIRCLE = "circle", _("by the guarantee circle of a customer")
        HAND = "hand", _("chosen by hand")

    # Not a column: how many customers the event reached, set when it is declared.
    task_count: int

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"), blank=True)
    target = models.CharField(_("customers targeted"), max_length=20, choices=Target.choices)
    industry = models.ForeignKey("customers.Industry", verbose_name=_("industry"),
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    region = models.CharField(_("region (address contains)"), max_length=100, blank=True)
    circle_of = models.ForeignKey("customers.Customer",
                                  verbose_name=_("guarantee circle of"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    due_within_days = models.PositiveSmallIntegerField(
        _("visit within (days)"), default=3,
        validators=[MinValueValidator(0), MaxValueValidator(60)])
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("declared by"),
                                    on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(_("declared"), auto_now_add=True)

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("risk event")
        verbose_name_plural = _("risk events")

    def __str__(self) -> str:
        return self.title


class DigestSent(models.Model):
    """A supervisor's daily overdue digest went out: at most one a day, however often asked."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "sent_on"],
                                               name="digest_once_a_day")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.sent_on}"


class CalendarFeed(models.Model):
    """The secret behind an officer's calendar link; a new token revokes the old link."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user_id)
