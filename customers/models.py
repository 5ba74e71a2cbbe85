"""The book of borrowers: customers, the people behind them, loans, collateral and guarantees."""

from __future__ import annotations

from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from loanwatch.core.audit import changes_feed_meta
from loanwatch.core.bilingual import BilingualName
from loanwatch.core.concurrency import Versioned
from loanwatch.core.runs import FileRun
from loanwatch.core.validation import MORE_THAN_ZERO, NOT_NEGATIVE

from .risk_signals import describe


class RankedChoices(models.TextChoices):
    """Choices whose order is the order of severity: `rank` compares two of them."""

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class Classification(RankedChoices):
    """五级分类 — the order of the members is the order of severity."""

    PASS = "pass", _("pass")
    SPECIAL_MENTION = "special_mention", _("special mention")
    SUBSTANDARD = "substandard", _("substandard")
    DOUBTFUL = "doubtful", _("doubtful")
    LOSS = "loss", _("loss")


class WarningLevel(RankedChoices):
    """预警 levels, from none to red."""

    NONE = "none", _("no warning")
    BLUE = "blue", _("blue")
    YELLOW = "yellow", _("yellow")
    ORANGE = "orange", _("orange")
    RED = "red", _("red")


# Classes of the warning badges. Bootstrap has no orange: loanwatch.css defines one, dark text
# on orange, so that orange is never taken for red and passes WCAG AA contrast.
WARNING_BADGES = {"none": "text-bg-secondary", "blue": "text-bg-primary",
                  "yellow": "text-bg-warning", "orange": "badge-orange", "red": "text-bg-danger"}
# The levels' own colours on charts: the badges' hues, yellow and orange a shade darker so that
# a bar or a line stands 3:1 against the white chart (WCAG 1.4.11) and orange stays orange.
WARNING_COLOURS = {"blue": "#0d6efd", "yellow": "#ad8500", "orange": "#d96c00",
                   "red": "#dc3545"}


@pghistory.track()
class Industry(BilingualName):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    high_risk = models.BooleanField(_("high-risk industry"), default=False)

    name_zh_field = "name"

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")


@pghistory.track()
class RiskGroup(BilingualName):
    """风险组别: how closely a customer is watched (admin pages and revisit policy come later)."""

    class Colour(models.TextChoices):
        """The badge colours a group may take, named for people; the values are Bootstrap's
        (`text-bg-<value>`), each with text that passes WCAG AA on it."""

        GREEN = "success", _("green")
        LIGHT_BLUE = "info", _("light blue")
        BLUE = "primary", _("blue")
        GREY = "secondary", _("grey")
        YELLOW = "warning", _("yellow")
        RED = "danger", _("red")
        BLACK = "dark", _("black")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(
        _("colour"), max_length=20, choices=Colour.choices, default=Colour.GREY,
        help_text=_("The colour of the group's badge, which shows the group's name too."))
    default_interval_days = models.PositiveSmallIntegerField(_("revisit every (days)"), default=90)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("risk group")
        verbose_name_plural = _("risk groups")


@pghistory.track()
class ClassificationFloor(models.Model):
    """Days past due set a minimum classification (商业银行金融资产风险分类办法, 2023)."""

    days_past_due_over = models.PositiveIntegerField(_("days past due over"), unique=True)
    minimum = models.CharField(_("minimum classification"), max_length=20,
                               choices=Classification.choices)

    class Meta:
        ordering = ["days_past_due_over"]
        verbose_name = _("classification floor")
        verbose_name_plural = _("classification floors")

    def __str__(self) -> str:
        return f"> {self.days_past_due_over}: {self.get_minimum_display()}"


# --- Each customer's figures over its loans (CustomerFigures, kept by the database) ------------

# The list's figures of the customers `{touched}` names (a query of customer ids), written into
# their CustomerFigures rows; a row that would not change is left alone (no dead row, no index
# entry). Run by the triggers below on every statement that writes loans or customers, whoever
# issues it (a form, the risk-state service, the feed's and the import's set-based statements),
# and by services.customer_figures_refresh for a whole book. Rows are locked in id order, so
# that two writers of overlapping customers queue rather than deadlock on each other.
CLASSIFICATION_RANK_SQL = ("CASE l.classification "
                           + " ".join(f"WHEN '{value}' THEN {rank}"
                                      for rank, value in enumerate(Classification.values))
                           + " ELSE -1 END")
FIGURES_UPSERT_SQL = """
INSERT INTO customers_customerfigures AS f
       (customer_id, officer_id, team_id, loan_count, total_balance, max_days_past_due,
        worst_rank)
SELECT c.id, c.officer_id, c.team_id, count(l.id), coalesce(sum(l.balance), 0),
       coalesce(max(l.days_past_due), 0), coalesce(max(RANK), -1)
  FROM customers_customer c
  LEFT JOIN customers_loan l ON l.customer_id = c.id
 WHERE c.id IN ({touched})
 GROUP BY c.id
 ORDER BY c.id
    ON CONFLICT (customer_id) DO UPDATE
   SET officer_id = EXCLUDED.officer_id, team_id = EXCLUDED.team_id,
       loan_count = EXCLUDED.loan_count, total_balance = EXCLUDED.total_balance,
       max_days_past_due = EXCLUDED.max_days_past_due, worst_rank = EXCLUDED.worst_rank
 WHERE (f.officer_id, f.team_id, f.loan_count, f.total_balance, f.max_days_past_due,
        f.worst_rank)
       IS DISTINCT FROM (EXCLUDED.officer_id, EXCLUDED.team_id, EXCLUDED.loan_count,
                         EXCLUDED.total_balance, EXCLUDED.max_days_past_due,
                         EXCLUDED.worst_rank)""".replace("RANK", CLASSIFICATION_RANK_SQL)


def _figures_trigger(name: str, operation: pgtrigger.Operation, touched: str, *,
                     old: str | None = None, new: str | None = None) -> pgtrigger.Trigger:
    """A statement-level trigger that refreshes the figures of the customers `touched` names,
    read from the statement's transition tables: once per statement, however many rows."""
    return pgtrigger.Trigger(
        name=name, level=pgtrigger.Statement, when=pgtrigger.After, operation=operation,
        referencing=pgtrigger.Referencing(old=old, new=new),
        func=FIGURES_UPSERT_SQL.format(touched=touched) + ";\nRETURN NULL;")


# A loan's update matters to the figures when it moves its balance, days past due or
# classification, or changes customer (then both customers' figures move).
LOAN_FIGURES_TRIGGERS = [
    _figures_trigger("figures_loan_insert", pgtrigger.Insert,
                     "SELECT customer_id FROM new_loans", new="new_loans"),
    _figures_trigger(
        "figures_loan_update", pgtrigger.Update,
        "SELECT n.customer_id FROM new_loans n JOIN old_loans o ON o.id = n.id "
        "WHERE (n.customer_id, n.balance, n.days_past_due, n.classification) "
        "IS DISTINCT FROM (o.customer_id, o.balance, o.days_past_due, o.classification) "
        "UNION ALL SELECT o.customer_id FROM old_loans o JOIN new_loans n ON n.id = o.id "
        "WHERE n.customer_id <> o.customer_id", old="old_loans", new="new_loans"),
    _figures_trigger("figures_loan_delete", pgtrigger.Delete,
                     "SELECT customer_id FROM old_loans", old="old_loans"),
]
CUSTOMER_FIGURES_TRIGGERS = [
    # Every customer has its row from the start: a customer without loans sorts and shows too.
    _figures_trigger("figures_customer_insert", pgtrigger.Insert,
                     "SELECT id FROM new_customers", new="new_customers"),
    # The row carries the customer's officer and team, so that a scoped list sorted by a
    # figure walks one index; a reassignment moves them along.
    pgtrigger.Trigger(
        name="figures_customer_scope", level=pgtrigger.Row, when=pgtrigger.After,
        operation=pgtrigger.Update, condition=pgtrigger.AnyChange("officer", "team"),
        func="UPDATE customers_customerfigures SET officer_id = NEW.officer_id, "
             "team_id = NEW.team_id WHERE customer_id = NEW.id;\nRETURN NULL;"),
]


@pghistory.track(meta=changes_feed_meta("customer_event_changes"))
class Customer(Versioned):
    class Kind(models.TextChoices):
        CORPORATE = "corporate", _("corporate")
        INDIVIDUAL = "individual", _("individual")

    # "active" alone is also a user's, a token's and a measure's word (在用, 启用): a customer's
    # has its own, as a loan's has.
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("customer status", "active")
        CLOSED = "closed", pgettext_lazy("customer status", "closed")


    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # USCC for a corporate customer, resident ID for an individual; checked by validators.py.
    identifier = models.CharField(_("USCC or resident ID"), max_length=18, unique=True)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    address = models.CharField(_("operating or home address"), max_length=300, blank=True)
    industry = models.ForeignKey(Industry, verbose_name=_("industry"), on_delete=models.PROTECT,
                                 null=True, blank=True, related_name="customers")
    registered_capital = models.DecimalField(_("registered capital (CNY)"), max_digits=16,
                                             decimal_places=2, null=True, blank=True,
                                             validators=[NOT_NEGATIVE])
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    occupation = models.CharField(_("occupation or business run"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    # Where the customer is met: visit photos are measured against it (WGS 84 degrees).
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True, validators=[MinValueValidator(-90),
                                                           MaxValueValidator(90)])
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True, validators=[MinValueValidator(-180),
                                                            MaxValueValidator(180)])
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"),
                                on_delete=models.PROTECT, related_name="customers")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="customers")
    risk_group = models.ForeignKey(RiskGroup, verbose_name=_("risk group"),
                                   on_delete=models.PROTECT, related_name="customers")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.ACTIVE)
    # The standing warning (预警), kept here so that lists filter on it without a join; the
    # reports app owns its life (raised and released by approved reports) and writes both.
    warning_level = models.CharField(_("standing warning"), max_length=10,
                                     choices=WarningLevel.choices, default=WarningLevel.NONE,
                                     db_default=WarningLevel.NONE)
    warning_since = models.DateTimeField(_("warning since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["officer", "name"]), models.Index(fields=["team", "name"]),
            # The whole bank's list, sorted by name, for administrators.
            models.Index(fields=["name", "id"], name="customer_name_id"),
            models.Index(fields=["team", "warning_level"], name="customer_team_warning",
                         condition=~Q(warning_level="none")),
            # Trigram indexes for search: migration 0004 (raw SQL, see there).
        ]
        triggers = CUSTOMER_FIGURES_TRIGGERS

    def __str__(self) -> str:
        return self.name

    @property
    def is_corporate(self) -> bool:
        return self.kind == self.Kind.CORPORATE

    @property
    def warning_badge(self) -> str:
        return WARNING_BADGES.get(self.warning_level, "text-bg-secondary")


@pghistory.track()
class CustomerAssignment(models.Model):
    """A visible record of each reassignment, beside the audit trail."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="assignments")
    from_officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from officer"),
                                     on_delete=models.PROTECT, related_name="+")
    to_officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("to officer"),
                                   on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reassigned by"),
                           on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("customer reassignment")
        verbose_name_plural = _("customer reassignments")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_officer_id} → {self.to_officer_id}"


@pghistory.track()
class Person(models.Model):
    """A related party: a person or a company linked to one or more customers (the people
    behind a company, the companies an individual borrower runs or owns, outside guarantors).
    One party linked to several customers is one row, recognised by its identifier (resident ID
    for a person, USCC for a company), so that its record checks reach every customer."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        COMPANY = "company", _("company")

    # Not a column: this person's relations the user may see, set by the information sheet.
    visible_relations: list[CustomerRelation]

    kind = models.CharField(_("party type"), max_length=10, choices=Kind.choices,
                            default=Kind.PERSON, db_default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    id_number = models.CharField(_("resident ID or USCC"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("related party")
        verbose_name_plural = _("related parties")
        constraints = [models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""),
                                               name="person_id_number_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_company(self) -> bool:
        return self.kind == self.Kind.COMPANY


@pghistory.track()
class CustomerRelation(models.Model):
    """A party's role in a customer. For a corporate customer the party holds the role in the
    customer (its legal representative, controller, shareholder); for an individual borrower
    the borrower holds it in the party, a company they run or own. A guarantor guarantees loans
    of the customer (Guarantee.guarantor_party names which)."""

    class Role(models.TextChoices):
        LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
        ACTUAL_CONTROLLER = "actual_controller", _("actual controller")
        SHAREHOLDER = "shareholder", _("shareholder")
        FINANCE_HEAD = "finance_head", _("finance head")
        GUARANTOR = "guarantor", _("guarantor")


    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="relations")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="relations")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    stake_pct = models.DecimalField(_("stake %"), max_digits=5, decimal_places=2, null=True,
                                    blank=True,
                                    validators=[MORE_THAN_ZERO, MaxValueValidator(100)])

    class Meta:
        ordering = ["role", "person__name"]
        verbose_name = _("related person")
        verbose_name_plural = _("related persons")
        constraints = [
            models.UniqueConstraint(fields=["customer", "person", "role"],
                                    name="relation_unique"),
            models.CheckConstraint(condition=Q(stake_pct__isnull=True)
                                   | Q(stake_pct__gt=0, stake_pct__lte=100),
                                   name="relation_stake_range"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} {self.customer_id}"


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALMENTS = "equal_instalments", _("equal instalments")
    EQUAL_PRINCIPAL = "equal_principal", _("equal principal")
    INTEREST_ONLY = "interest_only", _("interest monthly, principal at maturity")
    BULLET = "bullet", _("principal and interest at maturity")
    OTHER = "other", _("other")


class LoanStatus(models.TextChoices):
    """Where the bank's system says a loan stands; set by the loan feed."""

    ACTIVE = "active", pgettext_lazy("loan status", "active")
    SETTLED = "settled", _("settled")
    WRITTEN_OFF = "written_off", _("written off")


class GuaranteeType(models.TextChoices):
    UNSECURED = "unsecured", _("unsecured")
    GUARANTEED = "guaranteed", _("guaranteed")
    MORTGAGE = "mortgage", _("mortgage")
    PLEDGE = "pledge", _("pledge")


@pghistory.track(meta=changes_feed_meta("loan_event_changes"))
class Loan(Versioned):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="loans")
    contract_number = models.CharField(_("contract number"), max_length=50, unique=True)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2,
                                 validators=[MORE_THAN_ZERO])
    balance = models.DecimalField(_("outstanding balance (CNY)"), max_digits=16,
                                  decimal_places=2, validators=[NOT_NEGATIVE])
    disbursed_on = models.DateField(_("disbursement date"))
    matures_on = models.DateField(_("maturity date"))
    purpose = models.CharField(_("declared purpose"), max_length=300)
    repayment_method = models.CharField(_("repayment method"), max_length=30,
                                        choices=RepaymentMethod.choices)
    repayment_source = models.CharField(_("repayment source"), max_length=300, blank=True)
    guarantee_types = ArrayField(
        models.CharField(max_length=20, choices=GuaranteeType.choices),
        verbose_name=_("guarantee types"), default=list)
    days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    classification = models.CharField(_("classification"), max_length=20,
                                      choices=Classification.choices,
                                      default=Classification.PASS)
    # Figures the bank's loan feed owns (customers/feed): set only by its runs.
    principal_overdue = models.DecimalField(_("principal overdue (CNY)"), max_digits=16,
                                            decimal_places=2, default=Decimal("0"),
                                            db_default=Decimal("0"), validators=[NOT_NEGATIVE])
    interest_overdue = models.DecimalField(_("interest overdue (CNY)"), max_digits=16,
                                           decimal_places=2, default=Decimal("0"),
                                           db_default=Decimal("0"), validators=[NOT_NEGATIVE])
    next_due_on = models.DateField(_("next instalment due"), null=True, blank=True)
    status = models.CharField(_("loan status"), max_length=12, choices=LoanStatus.choices,
                              default=LoanStatus.ACTIVE, db_default=LoanStatus.ACTIVE)
    # The as_of of the last feed row applied: an older row is refused, the same one is a no-op.
    last_feed_as_of = models.DateField(_("last feed date"), null=True, blank=True,
                                       editable=False)

    class Meta:
        ordering = ["disbursed_on", "contract_number"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0) & Q(balance__lte=F("amount")),
                                   name="loan_balance_within_amount"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="loan_amount_positive"),
            models.CheckConstraint(condition=Q(matures_on__gt=F("disbursed_on")),
                                   name="loan_matures_after_disbursement"),
        ]
        triggers = LOAN_FIGURES_TRIGGERS

    def __str__(self) -> str:
        return self.contract_number

    @property
    def guarantee_type_labels(self) -> list[str]:
        labels = dict(GuaranteeType.choices)
        return [labels.get(value, value) for value in self.guarantee_types]

    @property
    def classification_rank(self) -> int:
        return Classification.rank(self.classification)

    @property
    def is_outstanding(self) -> bool:
        return self.balance > Decimal("0")

    @property
    def overdue_amount(self) -> Decimal:
        """Principal and interest in arrears, as the loan feed last reported them."""
        return (self.principal_overdue or Decimal("0")) + (self.interest_overdue or Decimal("0"))


class CustomerFigures(models.Model):
    """One customer's figures over its loans, as the customer list shows and sorts them: kept
    by the database's triggers (LOAN_FIGURES_TRIGGERS, CUSTOMER_FIGURES_TRIGGERS) on every write,
    so that the list sorted by balance, days past due or classification reads an index at any
    size of the book instead of summing the book's loans for each page.

    A table of its own rather than columns of Customer: the feed moves every loan's balance each
    night, and on the customer's row that would write an audit-history row per customer and
    rewrite the customer's search indexes. The officer and team are copied here so that a scoped
    list walks one index (`figures_officer_balance` …); the id breaks ties in every order.
    Without loans: no balance, no days past due, rank -1 (no classification).
    """

    customer = models.OneToOneField(Customer, verbose_name=_("customer"), primary_key=True,
                                    on_delete=models.CASCADE, related_name="figures")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"),
                                on_delete=models.DO_NOTHING, db_constraint=False,
                                db_index=False, related_name="+")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"),
                             on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             related_name="+")
    loan_count = models.PositiveIntegerField(_("loans"), default=0)
    total_balance = models.DecimalField(_("outstanding balance (CNY)"), max_digits=18,
                                        decimal_places=2, default=Decimal("0"))
    max_days_past_due = models.PositiveIntegerField(_("days past due"), default=0)
    # The worst classification's place in Classification (0 pass … 4 loss), -1 for none.
    worst_rank = models.SmallIntegerField(_("worst classification"), default=-1)

    class Meta:
        verbose_name = _("customer figures")
        verbose_name_plural = _("customer figures")
        indexes = [
            models.Index(fields=[*scope, figure, "customer"],
                         name=f"figures_{scope_name}_{figure_name}")
            for scope_name, scope in (("bank", []), ("officer", ["officer"]),
                                      ("team", ["team"]))
            for figure_name, figure in (("balance", "total_balance"),
                                        ("overdue", "max_days_past_due"),
                                        ("rank", "worst_rank"))
        ]

    def __str__(self) -> str:
        return str(self.customer_id)


@pghistory.track()
class Collateral(Versioned):
    class Kind(models.TextChoices):
        REAL_ESTATE = "real_estate", _("real estate")
        LAND = "land", _("land use right")
        EQUIPMENT = "equipment", _("machinery and equipment")
        VEHICLE = "vehicle", _("vehicle")
        DEPOSIT = "deposit", _("deposit or certificate")
        RECEIVABLES = "receivables", _("receivables")
        EQUITY = "equity", _("equity")
        OTHER = "other", _("other")

    # Not a column: the loans it secures, set by the information sheet.
    loan_ids: list[int]

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="collaterals")
    loans = models.ManyToManyField(Loan, verbose_name=_("secures loans"), blank=True,
                                   related_name="collaterals")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    location = models.CharField(_("location"), max_length=300, blank=True)
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=12, decimal_places=2, null=True,
                                  blank=True, validators=[NOT_NEGATIVE])
    certificate_number = models.CharField(_("certificate number"), max_length=100, blank=True)
    appraised_value = models.DecimalField(_("appraised value (CNY)"), max_digits=16,
                                          decimal_places=2, validators=[NOT_NEGATIVE])
    appraised_on = models.DateField(_("appraisal date"))

    class Meta:
        ordering = ["customer", "description"]
        verbose_name = _("collateral")
        verbose_name_plural = _("collateral")

    def __str__(self) -> str:
        return self.description

    def current_value(self) -> Decimal:
        """The latest valuation, or the appraisal (valuations must be prefetched, newest first)."""
        valuations = list(self.valuations.all())
        return valuations[0].value if valuations else self.appraised_value


@pghistory.track()
class CollateralValuation(models.Model):
    class Source(models.TextChoices):
        APPRAISAL = "appraisal", _("appraisal")
        VISIT = "visit", _("officer's estimate at a visit")
        OTHER = "other", _("other")

    collateral = models.ForeignKey(Collateral, verbose_name=_("collateral"),
                                   on_delete=models.CASCADE, related_name="valuations")
    valued_on = models.DateField(_("valued on"))
    value = models.DecimalField(_("value (CNY)"), max_digits=16, decimal_places=2,
                                validators=[NOT_NEGATIVE])
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-valued_on", "-pk"]
        verbose_name = _("collateral valuation")
        verbose_name_plural = _("collateral valuations")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0),
                                              name="valuation_not_negative")]

    def __str__(self) -> str:
        return f"{self.valued_on}: {self.value}"


@pghistory.track()
class Guarantee(models.Model):
    loan = models.ForeignKey(Loan, verbose_name=_("loan"), on_delete=models.CASCADE,
                             related_name="guarantees")
    guarantor_customer = models.ForeignKey(
        Customer, verbose_name=_("guarantor (our customer)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="guarantees_given")
    guarantor_name = models.CharField(_("guarantor (outside party)"), max_length=200,
                                      blank=True)
    # The outside guarantor as a related party (with its identifier, so that it is checked).
    guarantor_party = models.ForeignKey(Person, verbose_name=_("guarantor (related party)"),
                                        on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="guarantees")
    amount = models.DecimalField(_("guaranteed amount (CNY)"), max_digits=16, decimal_places=2,
                                 validators=[MORE_THAN_ZERO])

    class Meta:
        ordering = ["loan", "pk"]
        verbose_name = _("guarantee")
        verbose_name_plural = _("guarantees")
        constraints = [
            models.CheckConstraint(
                condition=(Q(guarantor_customer__isnull=False) & Q(guarantor_name=""))
                | (Q(guarantor_customer__isnull=True) & ~Q(guarantor_name="")),
                name="guarantee_one_guarantor"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="guarantee_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.guarantor_customer.name if self.guarantor_customer else self.guarantor_name


@pghistory.track(meta=changes_feed_meta("risksignal_event_changes"))
class RiskSignal(models.Model):
    """风险信号: something a visit, a record check or a risk event found worth a look.

    Signals come from several apps (visits, record checks, risk events) and are read by the
    customer sheet and by risk reports, so they live here, beside the customer they concern.
    `source` and `source_id` name the record that raised the signal without a foreign key, so
    that the customers app does not depend on the apps that raise signals. What a signal says
    is built from its rule's text (risk_signals.py) and `params`, in the reader's language.
    """

    class Source(models.TextChoices):
        VISIT = "visit", _("visit")
        RECORD_CHECK = "record_check", _("record check")
        RISK_EVENT = "risk_event", _("risk event")
        MANUAL = "manual", _("entered by hand")
        FEED = "feed", _("loan feed")
        RELATED_PARTY = "related_party", _("a related party's record check")

    class Severity(models.TextChoices):
        NOTICE = "notice", _("notice")
        WARNING = "warning", _("warning")
        SERIOUS = "serious", _("serious")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_REPORT = "in_report", _("taken into a report")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")
        EXPIRED = "expired", _("expired")

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="risk_signals")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=50)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    # The figures the message shows (JSON-serialisable: numbers as strings for decimals).
    params = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    # Where the signal stands: open until a report takes it (and its approval confirms it), an
    # officer dismisses it with a reason, or it grows old unanswered (customers/signals.py).
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OPEN, db_default=Status.OPEN)
    status_at = models.DateTimeField(_("status since"), null=True, blank=True)
    status_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("status set by"),
                                  on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    status_reason = models.TextField(_("reason"), blank=True, default="", db_default="")
    # The risk report that took the signal in; a plain id, as reports sit above customers.
    report_id = models.PositiveBigIntegerField(_("risk report"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        indexes = [models.Index(fields=["customer", "-raised_at"]),
                   models.Index(fields=["source", "source_id"]),
                   models.Index(fields=["customer", "status"], name="signal_customer_status"),
                   models.Index(fields=["status", "-raised_at"], name="signal_status_raised"),
                   models.Index(fields=["report_id"], condition=Q(report_id__isnull=False),
                                name="signal_report"),
                   # The home pages' stale serious signals.
                   models.Index(fields=["raised_at"],
                                condition=Q(status="open", severity="serious"),
                                name="signal_open_serious"),
                   # The supervisors' recent dismissals.
                   models.Index(fields=["-status_at"], condition=Q(status="dismissed"),
                                name="signal_dismissed_at")]
        constraints = [
            # One record raises each rule once: scoring a visit or diffing a check twice
            # (a retried task, a double submit) cannot double the signals.
            models.UniqueConstraint(fields=["source", "source_id", "rule"],
                                    condition=Q(source_id__isnull=False),
                                    name="signal_once_per_source_rule"),
            # A dismissal always says why: supervisors read the reason.
            models.CheckConstraint(condition=~Q(status="dismissed") | ~Q(status_reason=""),
                                   name="signal_dismissal_has_reason"),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        return describe(self)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RiskStateChange(models.Model):
    """风险状态变动: one row for each event that changed a customer's risk state — its risk group,
    a loan's classification, or the figures the bank's systems own (balance, days past due).

    Written by the one service that applies such changes (risk_state.py), so that an approved
    report, a feed run and an administrator's correction each leave exactly one row, whatever
    number of fields they moved. `changes` lists them: {"field", "loan" (id, or null for the
    customer), "contract", "before", "after"}; values are stored as text (group ids for groups).
    The source is named by kind and id, without a foreign key: reports and feeds live in apps
    above this one. Rows are never updated or deleted.
    """

    class Source(models.TextChoices):
        REPORT = "report", _("approved risk report")
        FEED = "feed", _("loan feed")
        CORRECTION = "correction", _("administrator's correction")

    # Not a column: the changes in the reader's language, set by selectors.risk_changes_readable.
    lines: list[str]

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="risk_changes")
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=list)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("risk-state change")
        verbose_name_plural = _("risk-state history")
        indexes = [models.Index(fields=["customer", "-at"]),
                   models.Index(fields=["source", "source_id"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.source} {self.at:%Y-%m-%d}"


@pghistory.track()
class RiskCorrection(models.Model):
    """An administrator's correction of a customer's risk state (更正), with a required reason.

    A correction that lowers risk — a better group or a better classification — waits for a
    second person (another administrator, or a supervisor of the customer's team); any other
    correction applies at once. `proposed` holds what it sets, in the shape of the changes the
    risk-state service applies: {"risk_group": id, "loans": {loan id: {field: value}}}.
    """

    class Status(models.TextChoices):
        AWAITING = "awaiting", _("awaiting a second approval")
        APPLIED = "applied", _("applied")
        REJECTED = "rejected", _("rejected")

    # Not columns: whether the reader may decide it, set by the list page, and what it changes
    # in the reader's language (selectors.corrections_readable).
    may_decide: bool
    lines: list[str]

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="risk_corrections")
    proposed = models.JSONField(_("proposed changes"), default=dict)
    lowers_risk = models.BooleanField(_("lowers risk"), default=False)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_comment = models.TextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("risk-state correction")
        verbose_name_plural = _("risk-state corrections")
        indexes = [models.Index(fields=["requested_at"], condition=Q(status="awaiting"),
                                name="correction_awaiting")]

    def __str__(self) -> str:
        return _("Correction %(pk)s") % {"pk": self.pk}


@pghistory.track()
class SignalSettings(models.Model):
    """The bank-wide numbers of how long a risk signal may stay open; a single row (pk=1)."""

    stale_days = models.PositiveSmallIntegerField(
        _("open serious signals older than this show on the home pages (days)"), default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)])
    expire_days = models.PositiveSmallIntegerField(
        _("open notices and warnings older than this expire (days)"), default=180,
        validators=[MinValueValidator(7), MaxValueValidator(3650)],
        help_text=_("Serious signals never expire by themselves."))

    class Meta:
        verbose_name = _("risk signal settings")
        verbose_name_plural = _("risk signal settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def load(cls) -> SignalSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class ImportRun(FileRun):
    """One import of customers with their loans (customers/imports.py): the file, who sent it,
    the job's progress, every bad row, and what it created and updated. The customers and loans
    it writes carry the run in their history rows' context (import_run, file, checksum)."""

    customers_created = models.PositiveIntegerField(_("customers created"), default=0)
    customers_updated = models.PositiveIntegerField(_("customers updated"), default=0)
    loans_created = models.PositiveIntegerField(_("loans created"), default=0)
    loans_updated = models.PositiveIntegerField(_("loans updated"), default=0)

    class Meta(FileRun.Meta):
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="import_run_user")]


class ExportJob(models.Model):
    """A workbook of a team's or the bank's book, written by a worker while the user waits on
    its page: a web worker never holds the rows or the file.

    Not tracked in history: the row is its own log (who asked, with which filters, when it
    finished), and its progress is updated every few thousand rows.
    """

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("post-loan ledger")
        CUSTOMERS = "customers", _("customer list")
        SHEETS = "sheets", _("information sheets")

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("being written")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                             on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("export"), max_length=20, choices=Kind.choices)
    # The customer list's filters, as the list selector's keyword arguments.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    # The requester's language, for the headers and labels.
    language = models.CharField(_("language"), max_length=10, blank=True)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    # The file's name inside settings.EXPORTS_ROOT, once written.
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["user", "-created_at"], name="export_job_user"),
                   models.Index(fields=["created_at"], name="export_job_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
