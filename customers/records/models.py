"""Record checks of public registers: licence, annual report, court enforcement, lawsuits,
freezes, administrative penalties, tax arrears and abnormal tax status, registration changes.

A check is a dated reading of the public records about one subject: a customer itself, or one of
its related parties (a person or company: legal representative, actual controller, shareholder,
guarantor, or the company an individual borrower runs or owns). docs/record-checks.md lists
every kind of record, what each finding means and which are serious.
Checks are never edited: a new reading is a new check, and what changed since the subject's
previous check is stored as findings.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
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
    # Amounts from which a new record is serious (raises a revisit task and spreads to every
    # customer the subject is linked to).
    lawsuit_serious_amount = models.DecimalField(
        _("a lawsuit is serious from (CNY)"), max_digits=16, decimal_places=2,
        default=Decimal("1000000"), db_default=Decimal("1000000"), validators=[NOT_NEGATIVE],
        help_text=_("A lawsuit judged against the subject is serious whatever its amount."))
    penalty_serious_amount = models.DecimalField(
        _("an administrative penalty is serious from (CNY)"), max_digits=16, decimal_places=2,
        default=Decimal("100000"), db_default=Decimal("100000"), validators=[NOT_NEGATIVE])
    tax_serious_amount = models.DecimalField(
        _("tax arrears are serious from (CNY)"), max_digits=16, decimal_places=2,
        default=Decimal("100000"), db_default=Decimal("100000"), validators=[NOT_NEGATIVE])

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
    tax_abnormal = models.BooleanField(_("abnormal taxpayer status"), default=False,
                                       db_default=False)
    # The registration (工商登记) as read: empty means not read, never "none".
    legal_representative = models.CharField(_("registered legal representative"),
                                            max_length=100, blank=True, default="", db_default="")
    registered_capital = models.DecimalField(_("registered capital (CNY)"), max_digits=16,
                                             decimal_places=2, null=True, blank=True,
                                             validators=[NOT_NEGATIVE])
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True,
                                          default="", db_default="")
    business_scope = models.TextField(_("business scope"), blank=True, default="", db_default="")
    shareholders = ArrayField(models.CharField(max_length=200), verbose_name=_("shareholders"),
                              default=list, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-pk"]
        verbose_name = _("record check")
        verbose_name_plural = _("record checks")
        indexes = [models.Index(fields=["customer", "person", "-checked_on", "-id"],
                                name="record_check_subject"),
                   # A party is one subject whichever customer it was checked through.
                   models.Index(fields=["person", "-checked_on", "-id"],
                                condition=Q(person__isnull=False), name="record_check_party")]

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
    """A record found by a check, identified by its number: a court record (enforcement case,
    dishonest-debtor entry, consumption restriction, lawsuit as defendant), a freeze, an
    administrative penalty or a tax arrear."""

    class Kind(models.TextChoices):
        ENFORCEMENT = "enforcement", _("enforcement case (被执行人)")
        DISHONEST = "dishonest", _("dishonest debtor (失信被执行人)")
        RESTRICTION = "restriction", _("consumption restriction (限制高消费)")
        LAWSUIT = "lawsuit", _("lawsuit as defendant (被告诉讼)")
        EQUITY_FREEZE = "equity_freeze", _("equity freeze (股权冻结)")
        ASSET_FREEZE = "asset_freeze", _("account or asset freeze (账户/资产冻结)")
        PENALTY = "penalty", _("administrative penalty (行政处罚)")
        TAX_ARREARS = "tax_arrears", _("tax arrears (欠税)")

    class Stage(models.TextChoices):
        FILED = "filed", _("filed (立案)")
        HEARING = "hearing", _("hearing (审理中)")
        JUDGED = "judged", _("judged (已判决)")

    record_check = models.ForeignKey(RecordCheck, verbose_name=_("record check"),
                                     on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    case_number = models.CharField(_("case number"), max_length=60)
    court = models.CharField(_("court or authority"), max_length=100, blank=True)
    # A lawsuit's cause, a penalty's reason, a tax's type, the equity or assets frozen.
    cause = models.CharField(_("cause or subject"), max_length=200, blank=True, default="",
                             db_default="")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True,
                             default="", db_default="")
    amount = models.DecimalField(_("amount involved (CNY)"), max_digits=16, decimal_places=2,
                                 null=True,
                                 blank=True, validators=[NOT_NEGATIVE])
    filed_on = models.DateField(_("filing date"), null=True, blank=True)
    closed = models.BooleanField(_("closed, lifted or paid"), default=False)

    class Meta:
        ordering = ["kind", "filed_on", "case_number"]
        verbose_name = _("public record")
        verbose_name_plural = _("public records")
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
    LAWSUIT_NEW = "lawsuit_new", _("new lawsuit as defendant")
    LAWSUIT_STAGE = "lawsuit_stage", _("lawsuit moved to a new stage")
    LAWSUIT_ENDED = "lawsuit_ended", _("lawsuit ended")
    FREEZE_NEW = "freeze_new", _("new freeze")
    FREEZE_CHANGED = "freeze_changed", _("freeze amount changed")
    FREEZE_LIFTED = "freeze_lifted", _("freeze lifted")
    PENALTY_NEW = "penalty_new", _("new administrative penalty")
    PENALTY_CHANGED = "penalty_changed", _("administrative penalty amount changed")
    PENALTY_REMOVED = "penalty_removed", _("administrative penalty settled")
    TAX_ARREARS_NEW = "tax_arrears_new", _("new tax arrears")
    TAX_ARREARS_CHANGED = "tax_arrears_changed", _("tax arrears changed")
    TAX_ARREARS_PAID = "tax_arrears_paid", _("tax arrears paid")
    TAX_ABNORMAL = "tax_abnormal", _("abnormal taxpayer status")
    TAX_ABNORMAL_CLEARED = "tax_abnormal_cleared", _("abnormal taxpayer status cleared")
    LEGAL_REP_CHANGED = "legal_rep_changed", _("new legal representative")
    SHAREHOLDERS_CHANGED = "shareholders_changed", _("shareholders changed")
    CAPITAL_REDUCED = "capital_reduced", _("registered capital reduced")
    ADDRESS_CHANGED = "address_changed", _("registered address changed")
    SCOPE_CHANGED = "scope_changed", _("business scope changed")


# Findings that say something ended: notices, not warnings.
RESOLVED_KINDS = frozenset({FindingKind.CASE_CLOSED, FindingKind.LAWSUIT_ENDED,
                            FindingKind.FREEZE_LIFTED, FindingKind.PENALTY_REMOVED,
                            FindingKind.TAX_ARREARS_PAID, FindingKind.TAX_ABNORMAL_CLEARED})


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

    @property
    def resolved(self) -> bool:
        """Whether the finding says something ended (a case closed, a freeze lifted…)."""
        return self.kind in RESOLVED_KINDS


class RelatedFinding(models.Model):
    """A serious finding about a party as it reaches one customer the party is linked to (as
    legal representative, controller, shareholder or guarantor, or the company an individual
    borrower runs or owns), across teams.

    `fact` names what was found about whom, independent of the check that found it, so that a
    re-run or a second reading of the same fact reaches each customer once: the unique key on
    (fact, customer) is the guard, and only rows newly inserted raise a signal and a
    notification. Derived from findings, which are tracked: not tracked itself.
    """

    # Not a column: the roles in the reader's language, set by the sheet's section.
    role_labels: list[str]

    finding = models.ForeignKey(Finding, verbose_name=_("finding"), on_delete=models.CASCADE,
                                related_name="reached")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.CASCADE, related_name="related_findings")
    fact = models.CharField(_("fact"), max_length=80)
    party_name = models.CharField(_("related party"), max_length=200)
    # CustomerRelation.Role values, and the contract numbers of the loans a guarantor secures.
    roles = ArrayField(models.CharField(max_length=30), verbose_name=_("roles"), default=list)
    loans = ArrayField(models.CharField(max_length=50), verbose_name=_("guaranteed loans"),
                       default=list, blank=True)
    # True for the customer the subject was checked through (its own signal says it already).
    direct = models.BooleanField(_("checked through this customer"), default=False)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("related party's finding")
        verbose_name_plural = _("related parties' findings")
        constraints = [models.UniqueConstraint(fields=["fact", "customer"],
                                               name="related_finding_once_per_fact")]
        indexes = [models.Index(fields=["customer", "-raised_at"],
                                name="related_finding_customer")]

    def __str__(self) -> str:
        return f"{self.fact} → {self.customer_id}"


class CheckSubject(models.Model):
    """Each subject's last check date, kept so the due list is an index read and not a
    "latest check" lookup per customer and person.

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
    # Copies of the customer's officer and team, so that a team's or an officer's due list
    # walks its own index (`check_subject_team_due`, `check_subject_officer_due`) in the
    # list's order and stops after a page, instead of walking the bank's index and filtering
    # by the customer's team. Kept by PostgreSQL, whatever writes customers or subjects (forms,
    # services, the import's and the generator's set-based statements): a trigger on this
    # table fills them from the customer on insert, and one on the customer's officer and team
    # moves them on a reassignment (migration records/0008). Never written from Python.
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"),
                                on_delete=models.DO_NOTHING, db_constraint=False,
                                db_index=False, null=True, blank=True, editable=False,
                                related_name="+")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"),
                             on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             null=True, blank=True, editable=False, related_name="+")
    last_checked_on = models.DateField(_("last checked"), null=True, blank=True)
    # The due list's order: the last check date, never checked first. Kept by PostgreSQL from
    # `last_checked_on` so that it has no NULL: a page of the list starts at its key in the
    # index (`due_order >= X`), where a NULL in the key made the condition an OR no index range
    # serves.
    due_order = models.GeneratedField(
        expression=Coalesce("last_checked_on", Value(datetime.date.min)),
        output_field=models.DateField(), db_persist=True)

    class Meta:
        verbose_name = _("subject to check")
        verbose_name_plural = _("subjects to check")
        constraints = [models.UniqueConstraint(fields=["customer", "person"],
                                               nulls_distinct=False,
                                               name="check_subject_once")]
        indexes = [models.Index(fields=["due_order", "id"], name="check_subject_due_order"),
                   models.Index(fields=["team", "due_order", "id"],
                                name="check_subject_team_due"),
                   models.Index(fields=["officer", "due_order", "id"],
                                name="check_subject_officer_due")]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.person_id}: {self.last_checked_on}"
