"""Post-loan visits (定期上门回访): the visit with its checklist, interviews, collateral checks
and evidence; signal thresholds, interview guidance and contact preferences."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from loanwatch.core.audit import changes_feed_meta
from loanwatch.core.bilingual import in_active_language
from loanwatch.core.concurrency import Versioned
from loanwatch.core.validation import NOT_NEGATIVE


@pghistory.track(meta=changes_feed_meta("visit_event_changes"))
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

    class Kind(models.TextChoices):
        VISIT = "visit", _("visit with the checklist")
        CONTACT = "contact", _("quick contact")

    class LoanUse(models.TextChoices):
        AS_DECLARED = "as_declared", _("as declared")
        PARTLY = "partly", _("partly as declared")
        DIVERTED = "diverted", _("diverted to another use")

    class Pressure(models.TextChoices):
        LOW = "low", _("low")
        MEDIUM = "medium", _("medium")
        HIGH = "high", _("high")

    class RepaymentSourceKind(models.TextChoices):
        OPERATING = "operating_cash_flow", _("operating cash flow")
        ASSET_SALE = "asset_sale", _("sale of assets")
        REFINANCING = "refinancing", _("refinancing or a new loan")
        THIRD_PARTY = "third_party", _("third-party support")
        UNCLEAR = "unclear", _("unclear")

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
    # A quick contact (a call, a WeChat conversation, a 朋友圈 post, a third party's tip) is a
    # visit without the checklist: whom, what was learned, saved and locked at once.
    kind = models.CharField(_("kind of entry"), max_length=10, choices=Kind.choices,
                            default=Kind.VISIT, db_default=Kind.VISIT)
    contact_person = models.CharField(_("person contacted"), max_length=100, blank=True,
                                      default="", db_default="")
    learned = models.TextField(_("what was learned"), blank=True, default="", db_default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The key a phone's offline queue sent this visit's submission with: a repeat of that
    # submission (its answer lost on the way back) is recognised, not refused as a conflict.
    submit_key = models.CharField(_("submission key"), max_length=32, blank=True, default="",
                                  db_default="")
    # Set at submission for an on-site visit whose photos were all taken far from the customer's
    # place or on another day (photos.photo_check): the supervisor looks at it.
    photo_flag = models.CharField(_("photo check"), max_length=20, blank=True, default="",
                                  db_default="", choices=[
                                      ("far", _("photos taken far from the customer")),
                                      ("other_day", _("photos taken on another day")),
                                      ("far_other_day",
                                       _("photos taken far away and on another day"))])

    # --- The ten-question checklist (询问要点). Every answer may stay empty in a draft; the
    # submit service says which ones a submitted visit needs (services.SUBMIT_REQUIRED).
    # 1. Main business or operating address changed?
    address_changed = models.BooleanField(_("operating address changed"), null=True, blank=True)
    new_address = models.CharField(_("new address"), max_length=300, blank=True)
    business_changed = models.BooleanField(_("main business changed"), null=True, blank=True)
    new_business = models.CharField(_("new main business"), max_length=300, blank=True)
    # 2. People and premises (corporate); income and its stability (individual).
    employees_total = models.PositiveIntegerField(_("employees in total"), null=True, blank=True)
    employees_on_site = models.PositiveIntegerField(_("employees on site at the visit"),
                                                    null=True, blank=True)
    monthly_wage = models.DecimalField(_("average monthly wage (CNY)"), max_digits=12,
                                       decimal_places=2, null=True, blank=True,
                                       validators=[NOT_NEGATIVE])
    wages_on_time = models.BooleanField(_("wages paid on time"), null=True, blank=True)
    office_area_m2 = models.DecimalField(_("office area (m²)"), max_digits=12, decimal_places=2,
                                         null=True, blank=True, validators=[NOT_NEGATIVE])
    monthly_rent = models.DecimalField(_("monthly rent (CNY)"), max_digits=14, decimal_places=2,
                                       null=True, blank=True, validators=[NOT_NEGATIVE])
    other_sites = models.TextField(_("other operating sites"), blank=True)
    monthly_income = models.DecimalField(_("monthly income (CNY)"), max_digits=14,
                                         decimal_places=2, null=True, blank=True,
                                         validators=[NOT_NEGATIVE])
    income_stable = models.BooleanField(_("income stable"), null=True, blank=True)
    income_source = models.TextField(_("source of income"), blank=True)
    # 3. Funds, receivables, payables, inventory (corporate); household assets (individual).
    liquid_funds = models.DecimalField(_("liquid funds on account (CNY)"), max_digits=16,
                                       decimal_places=2, null=True, blank=True,
                                       validators=[NOT_NEGATIVE])
    receivables = models.DecimalField(_("receivables (CNY)"), max_digits=16, decimal_places=2,
                                      null=True, blank=True, validators=[NOT_NEGATIVE])
    receivable_terms_days = models.PositiveIntegerField(_("receivable terms (days)"),
                                                        null=True, blank=True)
    payables = models.DecimalField(_("payables (CNY)"), max_digits=16, decimal_places=2,
                                   null=True, blank=True, validators=[NOT_NEGATIVE])
    payable_terms_days = models.PositiveIntegerField(_("payable terms (days)"), null=True,
                                                     blank=True)
    inventory = models.DecimalField(_("inventory (CNY)"), max_digits=16, decimal_places=2,
                                    null=True, blank=True, validators=[NOT_NEGATIVE])
    inventory_turnover_days = models.PositiveIntegerField(_("inventory turnover (days)"),
                                                          null=True, blank=True)
    receivables_makeup = models.TextField(_("make-up of large receivables"), blank=True)
    collection_cost = models.DecimalField(_("cost of collecting them (CNY)"), max_digits=16,
                                          decimal_places=2, null=True, blank=True,
                                          validators=[NOT_NEGATIVE])
    household_assets = models.DecimalField(_("household assets (CNY)"), max_digits=16,
                                           decimal_places=2, null=True, blank=True,
                                           validators=[NOT_NEGATIVE])
    household_assets_note = models.TextField(_("household assets: what they are"), blank=True)
    # 4. Upstream and downstream.
    main_suppliers = models.TextField(_("main suppliers"), blank=True)
    main_customers = models.TextField(_("main customers"), blank=True)
    # 5. Revenue and margin.
    revenue_last_year = models.DecimalField(_("revenue last year (CNY)"), max_digits=16,
                                            decimal_places=2, null=True, blank=True,
                                            validators=[NOT_NEGATIVE])
    revenue_ytd = models.DecimalField(_("revenue this year to the visit date (CNY)"),
                                      max_digits=16, decimal_places=2, null=True, blank=True,
                                      validators=[NOT_NEGATIVE])
    revenue_change_reason = models.TextField(_("why revenue changed"), blank=True)
    # The same months last year: a seasonal business's year-to-date figure is compared with
    # these (rules.revenue_baseline), not scaled to a year.
    revenue_same_period_last_year = models.DecimalField(
        _("revenue in the same period last year (CNY)"), max_digits=16, decimal_places=2,
        null=True, blank=True, validators=[NOT_NEGATIVE])
    peak_months = ArrayField(models.PositiveSmallIntegerField(choices=sorted(MONTHS.items())),
                             verbose_name=_("peak months"), default=list, blank=True)
    peak_season = models.CharField(_("peak season"), max_length=100, blank=True)
    off_season = models.CharField(_("off season"), max_length=100, blank=True)
    gross_margin_pct = models.DecimalField(
        _("gross margin (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(-100), MaxValueValidator(100)])
    # 6. Actual use of the loan.
    loan_use = models.CharField(_("actual use of the loan"), max_length=20,
                                choices=LoanUse.choices, blank=True)
    loan_use_note = models.TextField(_("use of the loan: details"), blank=True)
    # 7. Other debts, investments, guarantees; the debt ratio is derived from these.
    total_assets = models.DecimalField(_("total assets (CNY)"), max_digits=16, decimal_places=2,
                                       null=True, blank=True, validators=[NOT_NEGATIVE])
    total_liabilities = models.DecimalField(_("total liabilities (CNY)"), max_digits=16,
                                            decimal_places=2, null=True, blank=True,
                                            validators=[NOT_NEGATIVE])
    other_debts = models.TextField(_("other debts (lenders, amounts)"), blank=True)
    investments = models.TextField(_("investments"), blank=True)
    guarantees_given = models.DecimalField(_("guarantees given to others (CNY)"), max_digits=16,
                                           decimal_places=2, null=True, blank=True,
                                           validators=[NOT_NEGATIVE])
    high_risk_investment = models.BooleanField(_("invests in high-risk industries"), null=True,
                                               blank=True)
    # 8. Collateral: one VisitCollateral row per item.
    # 9. Repayment.
    repayment_source_kind = models.CharField(_("main repayment source"), max_length=20,
                                             choices=RepaymentSourceKind.choices, blank=True,
                                             default="", db_default="")
    repayment_source = models.TextField(_("repayment source: explanation"), blank=True)
    repayment_pressure = models.CharField(_("repayment pressure"), max_length=10,
                                          choices=Pressure.choices, blank=True)
    # 10. Needs and suggestions.
    customer_needs = models.TextField(_("the customer's needs and suggestions"), blank=True)
    summary = models.TextField(_("officer's summary"), blank=True)

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
        return f"{self.customer} · {date_format(self.visited_on, 'SHORT_DATE_FORMAT')}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def is_contact(self) -> bool:
        return self.kind == self.Kind.CONTACT


# Which visits count as seeing the customer (the revisit schedule reads them): an on-site visit
# always; a remote one only where the policy for the customer's risk group and kind says so.
ON_SITE_METHODS: tuple[str, ...] = (Visit.Method.ON_SITE.value,)
REMOTE_METHODS: tuple[str, ...] = (Visit.Method.PHONE.value, Visit.Method.VIDEO.value)
# Loans older than this get no first check of their own: the periodic task, already overdue,
# stands for them (the planner and the visit form read the same number).
FIRST_CHECK_LOOKBACK_DAYS = 180


@pghistory.track()
class VisitLoanUse(models.Model):
    """The use of funds of one loan as checked at a visit (checklist point 6): each loan still
    awaiting its first check is answered on its own, and its first-check task closes only when
    its row is answered on a submitted visit."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="loan_uses")
    loan = models.ForeignKey("customers.Loan", verbose_name=_("loan"), on_delete=models.PROTECT,
                             related_name="visit_uses")
    use = models.CharField(_("actual use of the loan"), max_length=20,
                           choices=Visit.LoanUse.choices, blank=True)
    note = models.TextField(_("use of the loan: details"), blank=True)

    class Meta:
        ordering = ["visit", "loan"]
        verbose_name = _("use of a loan at a visit")
        verbose_name_plural = _("uses of loans at visits")
        constraints = [models.UniqueConstraint(fields=["visit", "loan"],
                                               name="visit_loan_use_once")]

    def __str__(self) -> str:
        return f"{self.loan_id}: {self.use}"


@pghistory.track()
class BriefingAnswer(models.Model):
    """What a visit found about one item of its briefing (something to ask about: a record-check
    finding, a risk event's task, an open measure, a past-due loan, the last visit's signals).

    `source` and `source_id` name the item's record without a foreign key (a task or a measure
    lives in an app above or beside this one); `title` keeps the item as it was shown."""

    class Source(models.TextChoices):
        FINDING = "finding", _("record-check finding")
        TASK = "task", _("revisit task")
        MEASURE = "measure", _("open measure")
        SIGNAL = "signal", _("signal of the last visit")
        CONCERN = "concern", _("concerns of the last visit")
        LOAN = "loan", _("loan past due")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="briefing_answers")
    source = models.CharField(_("about"), max_length=10, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("record"))
    title = models.CharField(_("item"), max_length=300, blank=True)
    answer = models.TextField(_("what you found"), blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    reason = models.CharField(_("why not applicable"), max_length=300, blank=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("briefing answer")
        verbose_name_plural = _("briefing answers")
        constraints = [models.UniqueConstraint(fields=["visit", "source", "source_id"],
                                               name="briefing_answer_once")]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def is_answered(self) -> bool:
        return bool(self.answer.strip()) or (self.not_applicable and bool(self.reason.strip()))


class Question(models.IntegerChoices):
    """The ten points of the checklist, for guidance and for naming who confirmed what."""

    CHANGES = 1, _("1. Business or address changed")
    PEOPLE = 2, _("2. Staff, wages and premises")
    FUNDS = 3, _("3. Funds, receivables, payables and inventory")
    CHAIN = 4, _("4. Suppliers and customers")
    REVENUE = 5, _("5. Revenue and margin")
    LOAN_USE = 6, _("6. Use of the loan")
    DEBTS = 7, _("7. Other debts, investments and guarantees")
    COLLATERAL = 8, _("8. Collateral")
    REPAYMENT = 9, _("9. Repayment source and pressure")
    NEEDS = 10, _("10. Needs and suggestions")


@pghistory.track()
class Interview(models.Model):
    """Someone the officer spoke to; `topics` names the checklist points this person confirmed."""

    class Role(models.TextChoices):
        BORROWER = "borrower", _("borrower")
        LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
        ACTUAL_CONTROLLER = "actual_controller", _("actual controller")
        FINANCE_HEAD = "finance_head", _("finance head")
        EMPLOYEE = "employee", _("ordinary employee")
        NEIGHBOUR = "neighbour", _("neighbouring business")
        CONNECTION = "connection", _("personal connection")
        OTHER = "other", _("other")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="interviews")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    name = models.CharField(_("full name"), max_length=100)
    statement = models.TextField(_("what they said"), blank=True)
    topics = ArrayField(models.PositiveSmallIntegerField(choices=Question.choices),
                        verbose_name=_("confirmed checklist points"), default=list, blank=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Question.choices)
        return [str(labels.get(t, t)) for t in self.topics]


@pghistory.track()
class VisitCollateral(models.Model):
    """The state of one collateral item as seen at a visit; the value feeds its value history."""

    class Condition(models.TextChoices):
        GOOD = "good", _("good")
        FAIR = "fair", _("fair")
        POOR = "poor", _("poor")
        NOT_SEEN = "not_seen", _("not seen")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="collateral_checks")
    collateral = models.ForeignKey("customers.Collateral", verbose_name=_("collateral"),
                                   on_delete=models.PROTECT, related_name="visit_checks")
    condition = models.CharField(_("condition"), max_length=10, choices=Condition.choices,
                                 blank=True)
    current_value = models.DecimalField(_("current market value (CNY)"), max_digits=16,
                                        decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["visit", "collateral__description"]
        verbose_name = _("collateral at a visit")
        verbose_name_plural = _("collateral at visits")
        constraints = [models.UniqueConstraint(fields=["visit", "collateral"],
                                               name="visit_collateral_once")]

    def __str__(self) -> str:
        return f"{self.collateral_id}: {self.current_value}"


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    # The name is random: nothing the uploader typed reaches the file system.
    return f"evidence/{instance.visit.customer_id}/{uuid.uuid4().hex}"


def evidence_storage():
    return storages["evidence"] if "evidence" in settings.STORAGES else storages["default"]


class PositionSource(models.TextChoices):
    EXIF = "exif", _("the photo's GPS data")
    BROWSER = "browser", _("the phone's position when taken")
    NONE = "none", _("not known")


@pghistory.track()
class EvidenceFile(models.Model):
    class Kind(models.TextChoices):
        BANK_STATEMENT = "bank_statement", _("bank statements")
        RECEIVABLE_NOTES = "receivable_notes", _("receivable / payable notes")
        DELIVERY_NOTES = "delivery_notes", _("purchase and delivery notes")
        UTILITY_BILLS = "utility_bills", _("water, electricity and gas bills")
        LICENCE = "licence", _("business licence")
        OTHER = "other", _("other")

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE,
                              related_name="evidence")
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, storage=evidence_storage,
                            max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # A photo's time and place: from its EXIF data, or the phone's position when it was taken
    # (sent with the officer's consent), or not known.
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True,
                                   blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True,
                                    blank=True)
    position_source = models.CharField(_("position from"), max_length=10,
                                       choices=PositionSource.choices,
                                       default=PositionSource.NONE,
                                       db_default=PositionSource.NONE)
    # A JPEG copy of a photo browsers cannot show (HEIC), beside the original.
    preview = models.FileField(_("preview"), upload_to=evidence_upload_to,
                               storage=evidence_storage, max_length=200, blank=True, default="",
                               db_default="")

    class Meta:
        ordering = ["visit", "kind", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


@pghistory.track()
class SignalThreshold(models.Model):
    """An admin-edited threshold of one visit signal rule (defaults in rules.DEFAULTS)."""

    rule = models.CharField(_("rule"), max_length=50, unique=True)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2,
                                    validators=[NOT_NEGATIVE])
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["rule"]
        verbose_name = _("signal threshold")
        verbose_name_plural = _("signal thresholds")

    def __str__(self) -> str:
        return f"{self.rule}: {self.threshold}"


# The customer kinds guidance is written for (customers.Customer.Kind's values).
GUIDANCE_KINDS = [("corporate", _("companies")), ("individual", _("individuals"))]


@pghistory.track()
class QuestionGuidance(models.Model):
    """话术: how to ask a checklist point naturally, and whom to ask, in both languages."""

    question = models.PositiveSmallIntegerField(_("checklist point"), choices=Question.choices)
    # Companies and individuals are asked in their own way (the seed: 话术 by the customer).
    customer_kind = models.CharField(_("customer kind"), max_length=20,
                                     choices=GUIDANCE_KINDS, default="corporate")
    how_zh = models.TextField(_("how to ask (Chinese)"), blank=True)
    how_en = models.TextField(_("how to ask (English)"), blank=True)
    whom_zh = models.CharField(_("whom to ask (Chinese)"), max_length=200, blank=True)
    whom_en = models.CharField(_("whom to ask (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["customer_kind", "question"]
        verbose_name = _("interview guidance")
        verbose_name_plural = _("interview guidance")
        constraints = [models.UniqueConstraint(fields=["question", "customer_kind"],
                                               name="guidance_once_per_point_and_kind")]

    def __str__(self) -> str:
        return self.get_question_display()

    @property
    def how(self) -> str:
        return in_active_language(self.how_zh, self.how_en)

    @property
    def whom(self) -> str:
        return in_active_language(self.whom_zh, self.whom_en)


@pghistory.track()
class GuidanceProposal(models.Model):
    """An officer's proposed improvement of a question's guidance, for an admin to decide."""

    class Language(models.TextChoices):
        ZH = "zh", _("Chinese")
        EN = "en", _("English")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    question = models.PositiveSmallIntegerField(_("checklist point"), choices=Question.choices)
    customer_kind = models.CharField(_("customer kind"), max_length=20,
                                     choices=GUIDANCE_KINDS, default="corporate")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    text = models.TextField(_("proposed guidance"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"),
                                    on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-proposed_at"]
        verbose_name = _("guidance proposal")
        verbose_name_plural = _("guidance proposals")

    def __str__(self) -> str:
        return f"{self.question}: {self.text[:40]}"


@pghistory.track()
class ContactPreference(models.Model):
    """How a customer likes to be approached; shown on the visit form and the plan."""

    customer = models.OneToOneField("customers.Customer", verbose_name=_("customer"),
                                    on_delete=models.CASCADE,
                                    related_name="contact_preference")
    preferred_method = models.CharField(_("preferred contact"), max_length=20,
                                        choices=Visit.Method.choices, blank=True)
    avoid_frequent_on_site = models.BooleanField(_("dislikes frequent on-site visits"),
                                                 default=False)
    best_time = models.CharField(_("best time"), max_length=100, blank=True)
    wechat = models.CharField(_("WeChat contact"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return str(self.customer_id)
