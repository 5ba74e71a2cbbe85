"""Writes for visits: drafts, submission (with scoring and the schedule), amendments, evidence,
signal thresholds, interview guidance and contact preferences."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Collateral, CollateralValuation, Customer, Loan, RiskSignal
from loanwatch.core import hooks
from loanwatch.core.concurrency import check_and_bump
from loanwatch.core.services import notification_create
from loanwatch.core.validation import fields_check

from . import briefing, photos, rules, uploads
from .models import (
    BriefingAnswer,
    ContactPreference,
    EvidenceFile,
    GuidanceProposal,
    Interview,
    QuestionGuidance,
    SignalThreshold,
    Visit,
    VisitCollateral,
    VisitLoanUse,
)
from .selectors import previous_visit, year_ago_visit

if TYPE_CHECKING:
    import datetime

    from django.core.files.uploadedfile import UploadedFile

    from loanwatch.accounts.models import User

# Checklist fields by customer kind: a field that does not apply to a kind is neither shown
# nor stored for it.
CORPORATE_ONLY = {
    "employees_total", "employees_on_site", "monthly_wage", "wages_on_time", "office_area_m2",
    "monthly_rent", "other_sites", "receivables", "receivable_terms_days", "payables",
    "payable_terms_days", "inventory", "inventory_turnover_days", "receivables_makeup",
    "collection_cost", "gross_margin_pct",
}
INDIVIDUAL_ONLY = {"monthly_income", "income_stable", "income_source", "household_assets",
                   "household_assets_note"}
CHECKLIST_FIELDS = [
    "address_changed", "new_address", "business_changed", "new_business",
    "employees_total", "employees_on_site", "monthly_wage", "wages_on_time", "office_area_m2",
    "monthly_rent", "other_sites", "monthly_income", "income_stable", "income_source",
    "liquid_funds", "receivables", "receivable_terms_days", "payables", "payable_terms_days",
    "inventory", "inventory_turnover_days", "receivables_makeup", "collection_cost",
    "household_assets", "household_assets_note", "main_suppliers", "main_customers",
    "revenue_last_year", "revenue_ytd", "revenue_same_period_last_year",
    "revenue_change_reason", "peak_months", "peak_season", "off_season",
    "gross_margin_pct", "loan_use", "loan_use_note", "total_assets", "total_liabilities",
    "other_debts", "investments", "guarantees_given", "high_risk_investment",
    "repayment_source_kind", "repayment_source", "repayment_pressure", "customer_needs",
    "summary",
]
HEADER_FIELDS = ["visited_on", "method", "place", "companion", "task"]

# What a submitted visit must answer, by kind (the rest may stay empty when it did not come up).
SUBMIT_REQUIRED_COMMON = ["address_changed", "business_changed", "liquid_funds",
                          "revenue_last_year", "revenue_ytd", "loan_use", "total_assets",
                          "total_liabilities", "repayment_source", "repayment_pressure"]
SUBMIT_REQUIRED: dict[str, list[str]] = {
    Customer.Kind.CORPORATE: SUBMIT_REQUIRED_COMMON + [
        "employees_total", "employees_on_site", "wages_on_time", "receivables", "payables",
        "inventory", "gross_margin_pct"],
    Customer.Kind.INDIVIDUAL: SUBMIT_REQUIRED_COMMON + [
        "monthly_income", "income_stable", "household_assets"],
}


def checklist_fields(*, kind: str) -> list[str]:
    hidden = INDIVIDUAL_ONLY if kind == Customer.Kind.CORPORATE else CORPORATE_ONLY
    return [name for name in CHECKLIST_FIELDS if name not in hidden]


def _own_draft(visit: Visit, acting_user: User) -> None:
    if visit.officer_id != acting_user.pk:
        raise PermissionDenied
    if visit.status != Visit.Status.DRAFT:
        raise ValidationError(_("This visit is submitted and locked; correct it with an "
                                "amendment."), code="locked")


def visit_create(*, customer: Customer, acting_user: User, visited_on: datetime.date,
                 method: str = "on_site",
                 # a visits.schedule RevisitTask, which this layer does not import
                 task: Any = None) -> Visit:
    if acting_user.pk != customer.officer_id:
        raise PermissionDenied
    visit = Visit(customer=customer, officer=acting_user, visited_on=visited_on, method=method,
                  task=task)
    # A business's peak months rarely change: they are carried from its last visit, to be
    # corrected if need be.
    last = (Visit.objects.filter(customer=customer, status=Visit.Status.SUBMITTED,
                                 kind=Visit.Kind.VISIT)
            .order_by("-visited_on", "-pk").values_list("peak_months", flat=True).first())
    visit.peak_months = list(last or [])
    visit.save()
    return visit


@transaction.atomic
def visit_save(*, visit: Visit, acting_user: User, data: dict[str, Any],
               interviews: list[dict[str, Any]] | None = None,
               collateral: list[dict[str, Any]] | None = None, expected_version: int | None = None,
               briefing_answers: list[dict[str, Any]] | None = None,
               loan_uses: list[dict[str, Any]] | None = None) -> Visit:
    """Save a draft as it stands, half-filled or not. Interviews are replaced by the list given;
    collateral rows are keyed by collateral item, use-of-funds rows by loan (each must be the
    customer's own), briefing answers by the item they answer."""
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    _own_draft(locked, acting_user)
    check_and_bump(locked=locked, expected=expected_version)
    allowed = set(HEADER_FIELDS) | set(checklist_fields(kind=visit.customer.kind))
    answers = {name: value for name, value in data.items() if name in allowed}
    fields_check(model=Visit, values=answers)
    for name, value in answers.items():
        setattr(locked, name, value)
    if locked.task is not None and locked.task.customer_id != locked.customer_id:
        raise ValidationError({"task": _("That task belongs to another customer.")})
    locked.save()
    if interviews is not None:
        locked.interviews.all().delete()
        Interview.objects.bulk_create([
            Interview(visit=locked, role=row["role"], name=row["name"],
                      statement=row.get("statement", ""), topics=row.get("topics") or [])
            for row in interviews if row.get("name")])
    if collateral is not None:
        own = set(Collateral.objects.filter(customer_id=locked.customer_id)
                  .values_list("pk", flat=True))
        for row in collateral:
            item_id = row["collateral_id"]
            if item_id not in own:
                raise ValidationError(_("That collateral belongs to another customer."))
            VisitCollateral.objects.update_or_create(
                visit=locked, collateral_id=item_id,
                defaults={"condition": row.get("condition", ""),
                          "current_value": row.get("current_value"),
                          "note": row.get("note", "")})
    if loan_uses is not None:
        own = set(Loan.objects.filter(customer_id=locked.customer_id)
                  .values_list("pk", flat=True))
        for row in loan_uses:
            if row["loan_id"] not in own:
                raise ValidationError(_("That loan belongs to another customer."))
            use = row.get("use") or ""
            if use and use not in Visit.LoanUse.values:
                raise ValidationError({f"loan_use:{row['loan_id']}": [
                    _("Choose how the loan was used.")]})
            VisitLoanUse.objects.update_or_create(
                visit=locked, loan_id=row["loan_id"],
                defaults={"use": use, "note": (row.get("note") or "").strip()})
    if briefing_answers is not None:
        for row in briefing_answers:
            if row["source"] not in BriefingAnswer.Source.values:
                raise ValidationError(_("Unknown briefing item."))
            BriefingAnswer.objects.update_or_create(
                visit=locked, source=row["source"], source_id=row["source_id"],
                defaults={"title": (row.get("title") or "")[:300],
                          "answer": (row.get("answer") or "").strip(),
                          "not_applicable": bool(row.get("not_applicable")),
                          "reason": (row.get("reason") or "").strip()[:300]})
    visit.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


def submit_problems(*, visit: Visit) -> dict[str, list[str]]:
    """Everything a submitted visit still lacks, by field."""
    problems: dict[str, list[str]] = {}
    required = _("Required to submit the visit.")
    awaiting = briefing.loans_awaiting_first_check(customer=visit.customer,
                                                   on=visit.visited_on or timezone.localdate(),
                                                   exclude_visit_ids=[visit.pk, visit.amends_id])
    for name in SUBMIT_REQUIRED[visit.customer.kind]:
        if name == "loan_use" and awaiting:
            continue  # answered loan by loan below
        if getattr(visit, name) in (None, ""):
            problems.setdefault(name, []).append(required)
    uses = {u.loan_id: u for u in visit.loan_uses.all()}
    for loan in awaiting:
        use = uses.get(loan.pk)
        key = f"loan_use:{loan.pk}"
        if use is None or not use.use:
            problems.setdefault(key, []).append(
                _("%(contract)s awaits its first check: say how the money was used.")
                % {"contract": loan.contract_number})
        elif use.use != Visit.LoanUse.AS_DECLARED and not use.note:
            problems.setdefault(key, []).append(_("Say where the money went."))
    items = briefing.briefing_items(customer=visit.customer,
                                    previous=previous_visit(visit=visit))
    answers = {(a.source, a.source_id): a for a in visit.briefing_answers.all()}
    for key, messages in briefing.unanswered(items=items, answers=answers).items():
        problems.setdefault(key, []).extend(messages)
    if visit.address_changed and not visit.new_address:
        problems.setdefault("new_address", []).append(_("Give the new address."))
    if visit.business_changed and not visit.new_business:
        problems.setdefault("new_business", []).append(_("Give the new main business."))
    revenue, _basis = rules.yearly_revenue(visit)
    if (visit.customer.is_corporate and visit.receivables is not None and revenue
            and visit.receivables > revenue / 2 and not visit.receivables_makeup):
        problems.setdefault("receivables_makeup", []).append(
            _("Receivables are large: say what they are made of and what collecting them "
              "costs."))
    if visit.loan_use in (Visit.LoanUse.PARTLY, Visit.LoanUse.DIVERTED) and not visit.loan_use_note:
        problems.setdefault("loan_use_note", []).append(_("Say where the money went."))
    if visit.visited_on and visit.visited_on > timezone.localdate():
        problems.setdefault("visited_on", []).append(_("A visit cannot be dated in the future."))
    if not visit.interviews.exists():
        problems.setdefault("__all__", []).append(_("Record at least one person interviewed."))
    missing_values = [str(c.collateral) for c in visit.collateral_checks.select_related(
        "collateral") if c.current_value is None]
    checked = set(visit.collateral_checks.values_list("collateral_id", flat=True))
    unchecked = Collateral.objects.filter(customer_id=visit.customer_id).exclude(pk__in=checked)
    missing_values += [str(c) for c in unchecked]
    if missing_values:
        problems.setdefault("__all__", []).append(
            _("Give a current value for each collateral item: %(items)s.")
            % {"items": ", ".join(missing_values)})
    return problems


@transaction.atomic
def visit_submit(*, visit: Visit, acting_user: User, expected_version: int | None = None,
                 submit_key: str = "") -> list[RiskSignal]:
    """Validate everything, lock the visit, record who and when, feed each collateral's value
    history, store the signals the visit raises, and announce it ("visit_submitted") so that the
    schedule closes what it fulfils, in this transaction."""
    locked = (Visit.objects.select_for_update(of=("self",)).select_related("customer")
              .get(pk=visit.pk))
    _own_draft(locked, acting_user)
    check_and_bump(locked=locked, expected=expected_version)
    problems = submit_problems(visit=locked)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    locked.status = Visit.Status.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = acting_user
    locked.photo_flag = photos.photo_check(visit=locked)
    if submit_key:
        locked.submit_key = submit_key
    locked.save()

    checks = list(locked.collateral_checks.select_related("collateral"))
    items = Collateral.objects.filter(customer_id=locked.customer_id).prefetch_related(
        Prefetch("valuations", queryset=CollateralValuation.objects.all()))
    prior = {c.pk: c.current_value() for c in items}
    loans = list(Loan.objects.filter(customer_id=locked.customer_id, balance__gt=0)
                 .prefetch_related("collaterals"))
    findings = rules.score(visit=locked, previous=previous_visit(visit=locked),
                           collateral_checks=checks, loans=loans, prior_values=prior,
                           loan_uses=list(locked.loan_uses.all()),
                           year_ago=year_ago_visit(visit=locked))
    CollateralValuation.objects.bulk_create([
        CollateralValuation(collateral_id=c.collateral_id, valued_on=locked.visited_on,
                            value=c.current_value, source=CollateralValuation.Source.VISIT,
                            recorded_by=acting_user)
        for c in checks if c.current_value is not None])
    signals = RiskSignal.objects.bulk_create([
        RiskSignal(customer_id=locked.customer_id, source=RiskSignal.Source.VISIT,
                   source_id=locked.pk, rule=f.rule, severity=f.severity,
                   params={k: str(v) for k, v in f.params.items()}, raised_at=now,
                   raised_by=acting_user)
        for f in findings])
    hooks.call("visit_submitted", visit=locked)
    visit.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return signals


def schedule_note(*, visit: Visit) -> list[tuple[bool, str]]:
    """What a submitted visit or contact did to the customer's revisit schedule, from the app
    that keeps it ("visit_schedule_note"): whether it counts as the revisit, in plain
    sentences."""
    return [note for note in hooks.call("visit_schedule_note", visit=visit) if note[1]]


# --- Quick contacts -----------------------------------------------------------------------------

# How a quick contact is made: a call, a video call, WeChat (a conversation or a 朋友圈 post),
# or what a third party told.
CONTACT_METHODS = [Visit.Method.PHONE, Visit.Method.SOCIAL_MEDIA, Visit.Method.VIDEO,
                   Visit.Method.THIRD_PARTY]
# What a hand-raised signal is about; each is a risk-signal rule "contact_<category>".
CONTACT_SIGNAL_CATEGORIES = ["operations", "finance", "legal", "collateral", "people", "other"]


@transaction.atomic
def contact_log(*, customer: Customer, acting_user: User, contacted_on: datetime.date,
                method: str, person: str, learned: str, photo: UploadedFile | None = None,
                photo_name: str | None = None, signal_severity: str = "",
                signal_category: str = "", signal_text: str = ""
                ) -> tuple[Visit, RiskSignal | None]:
    """Log a quick contact: saved and locked at once (a correction is a new contact), with an
    optional photo or screenshot, and optionally a risk signal raised by hand, open for the
    next risk report. It is announced like a submitted visit, so the schedule counts it where
    the policy lets a remote contact count."""
    if acting_user.pk != customer.officer_id:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    person, learned, signal_text = person.strip(), learned.strip(), signal_text.strip()
    if method not in CONTACT_METHODS:
        errors["method"] = [_("Choose how you were in touch.")]
    if not person:
        errors["person"] = [_("Say whom you spoke to or whose post or tip it was.")]
    if not learned:
        errors["learned"] = [_("Write down what you learned.")]
    if contacted_on > timezone.localdate():
        errors["contacted_on"] = [_("A contact cannot be dated in the future.")]
    if signal_severity or signal_text:
        if signal_severity not in RiskSignal.Severity.values:
            errors["signal_severity"] = [_("Choose how serious the signal is.")]
        if signal_category not in CONTACT_SIGNAL_CATEGORIES:
            errors["signal_category"] = [_("Choose what the signal is about.")]
        if not signal_text:
            errors["signal_text"] = [_("Say what the signal is.")]
    if errors:
        raise ValidationError(errors)
    visit = Visit.objects.create(customer=customer, officer=acting_user, kind=Visit.Kind.CONTACT,
                                 visited_on=contacted_on, method=method, contact_person=person,
                                 learned=learned)
    if photo is not None:
        try:
            evidence_add(visit=visit, acting_user=acting_user, upload=photo, kind="other",
                         name=photo_name)
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
    visit.status = Visit.Status.SUBMITTED
    visit.submitted_at = timezone.now()
    visit.submitted_by = acting_user
    visit.save()
    signal = None
    if signal_text:
        signal = RiskSignal.objects.create(
            customer=customer, source=RiskSignal.Source.MANUAL, source_id=visit.pk,
            rule=f"contact_{signal_category}", severity=signal_severity,
            params={"text": signal_text[:500], "method": method}, raised_at=visit.submitted_at,
            raised_by=acting_user)
    hooks.call("visit_submitted", visit=visit)
    return visit, signal


@transaction.atomic
def visit_send(*, visit: Visit, acting_user: User, key: str, data: dict[str, Any],
               interviews: list[dict[str, Any]], collateral: list[dict[str, Any]],
               expected_version: int | None, files: list[UploadedFile], kind: str,
               position: tuple[Decimal, Decimal] | None = None,
               position_at: datetime.datetime | None = None,
               briefing_answers: list[dict[str, Any]] | None = None,
               loan_uses: list[dict[str, Any]] | None = None) -> tuple[Visit, bool]:
    """A submission queued on a phone while offline, sent when the network returned: the
    answers, the files and the submission in one transaction, so that a refusal leaves the
    server as it was and the device keeps everything. Sent again under the same `key` — its
    first answer lost on the way — it is recognised and not stored twice: (visit, True)."""
    locked = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if (locked.status == Visit.Status.SUBMITTED and key and locked.submit_key == key
            and locked.officer_id == acting_user.pk):
        return locked, True
    visit_save(visit=locked, acting_user=acting_user, data=data, interviews=interviews,
               collateral=collateral, expected_version=expected_version,
               briefing_answers=briefing_answers, loan_uses=loan_uses)
    stored: list[EvidenceFile] = []
    try:
        for upload in files:
            stored.append(evidence_add(visit=locked, acting_user=acting_user, upload=upload,
                                       kind=kind, position=position, position_at=position_at))
        visit_submit(visit=locked, acting_user=acting_user, submit_key=key)
    except Exception:
        # The rows go with the transaction; the files written for them go too.
        for evidence in stored:
            for kept in (evidence.file, evidence.preview):
                if kept:
                    kept.storage.delete(kept.name)
        raise
    return locked, False


@transaction.atomic
def visit_amend(*, visit: Visit, acting_user: User) -> Visit:
    """Start the correction of a submitted visit: a draft copy that `amends` it. The original
    stays as it was; an open correction is reused rather than doubled."""
    original = Visit.objects.select_for_update().get(pk=visit.pk)
    if original.officer_id != acting_user.pk and original.customer.officer_id != acting_user.pk:
        raise PermissionDenied
    if original.status != Visit.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted visit is amended; edit the draft instead."))
    if original.is_contact:
        raise ValidationError(_("A contact is never changed: log a new contact with the "
                                "correction."))
    existing = original.amendments.filter(status=Visit.Status.DRAFT).first()
    if existing:
        return existing
    copy = Visit(customer_id=original.customer_id, officer=acting_user,
                 amends=original, status=Visit.Status.DRAFT,
                 **{name: getattr(original, name) for name in HEADER_FIELDS + CHECKLIST_FIELDS})
    copy.save()
    Interview.objects.bulk_create([
        Interview(visit=copy, role=i.role, name=i.name, statement=i.statement, topics=i.topics)
        for i in original.interviews.all()])
    VisitCollateral.objects.bulk_create([
        VisitCollateral(visit=copy, collateral_id=c.collateral_id, condition=c.condition,
                        current_value=c.current_value, note=c.note)
        for c in original.collateral_checks.all()])
    VisitLoanUse.objects.bulk_create([
        VisitLoanUse(visit=copy, loan_id=u.loan_id, use=u.use, note=u.note)
        for u in original.loan_uses.all()])
    BriefingAnswer.objects.bulk_create([
        BriefingAnswer(visit=copy, source=a.source, source_id=a.source_id, title=a.title,
                       answer=a.answer, not_applicable=a.not_applicable, reason=a.reason)
        for a in original.briefing_answers.all()])
    # The same stored files: an amendment corrects answers, it does not re-collect evidence.
    EvidenceFile.objects.bulk_create([
        EvidenceFile(visit=copy, kind=e.kind, file=e.file.name, original_name=e.original_name,
                     content_type=e.content_type, size=e.size, sha256=e.sha256,
                     uploaded_by=e.uploaded_by, taken_at=e.taken_at, latitude=e.latitude,
                     longitude=e.longitude, position_source=e.position_source,
                     preview=e.preview.name)
        for e in original.evidence.all()])
    return copy


# --- Evidence -----------------------------------------------------------------------------------

def evidence_add(*, visit: Visit, acting_user: User, upload: UploadedFile, kind: str,
                 name: str | None = None,
                 position: tuple[Decimal, Decimal] | None = None,
                 position_at: datetime.datetime | None = None) -> EvidenceFile:
    """Check the file by its content, store it under a random name, keep its SHA-256. A photo
    keeps its EXIF time and position, or else `position` (the phone's, at `position_at`, sent
    with the officer's consent); a HEIC photo gets a JPEG preview beside it."""
    _own_draft(visit, acting_user)
    if kind not in EvidenceFile.Kind.values:
        raise ValidationError(_("Choose the kind of document."))
    name = (upload.name or "") if name is None else name
    file_type, digest = uploads.check_file(upload, name=name,
                                           max_bytes=settings.EVIDENCE_MAX_BYTES)
    place: dict[str, Any] = {}
    preview = None
    if file_type in uploads.PHOTOS:
        place = photos.place_facts(photos.read(upload), browser=position,
                                   browser_at=position_at)
        if file_type == uploads.HEIC:
            preview = photos.jpeg_preview(upload)
    evidence = EvidenceFile(visit=visit, kind=kind, original_name=name,
                            content_type=file_type.content_type, size=upload.size or 0,
                            sha256=digest, uploaded_by=acting_user, **place)
    evidence.file.save("evidence", upload, save=False)
    if preview is not None:
        evidence.preview.save("preview", preview, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        if evidence.preview:
            evidence.preview.storage.delete(evidence.preview.name)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: EvidenceFile, acting_user: User) -> None:
    _own_draft(evidence.visit, acting_user)
    name = evidence.file.name
    preview = evidence.preview.name
    storage = evidence.file.storage
    evidence.delete()
    # An amendment shares its original's stored files; delete the file only when unused.
    if not EvidenceFile.objects.filter(file=name).exists():
        transaction.on_commit(lambda: storage.delete(name))
        if preview:
            transaction.on_commit(lambda: storage.delete(preview))


# --- Thresholds, guidance, contact preferences -----------------------------------------------

@transaction.atomic
def thresholds_save(*, acting_user: User, values: dict[str, tuple[Decimal, bool]]) -> None:
    for code, (threshold, enabled) in values.items():
        if code not in rules.RULES_BY_CODE:
            continue
        if threshold is None or threshold < 0:
            raise ValidationError(_("A threshold cannot be negative."))
        SignalThreshold.objects.update_or_create(
            rule=code, defaults={"threshold": threshold, "enabled": enabled})


def guidance_save(*, acting_user: User, question: int, data: dict[str, Any],
                  kind: str = "corporate") -> QuestionGuidance:
    guidance, _created = QuestionGuidance.objects.update_or_create(
        question=question, customer_kind=kind, defaults=data)
    return guidance


def proposal_create(*, acting_user: User, question: int, language: str, text: str,
                    customer_kind: str = "corporate") -> GuidanceProposal:
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the guidance you propose.")})
    return GuidanceProposal.objects.create(question=question, language=language, text=text,
                                           customer_kind=customer_kind or "corporate",
                                           proposed_by=acting_user)


@transaction.atomic
def proposal_decide(*, proposal: GuidanceProposal, acting_user: User, accept: bool
                    ) -> GuidanceProposal:
    locked = GuidanceProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != GuidanceProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    locked.status = (GuidanceProposal.Status.ACCEPTED if accept
                     else GuidanceProposal.Status.DECLINED)
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.save()
    if accept:
        field = "how_en" if locked.language == GuidanceProposal.Language.EN else "how_zh"
        QuestionGuidance.objects.update_or_create(question=locked.question,
                                                  customer_kind=locked.customer_kind,
                                                  defaults={field: locked.text})
    return locked


def contact_preference_save(*, customer: Customer, acting_user: User, data: dict[str, Any]
                            ) -> ContactPreference:
    preference, _created = ContactPreference.objects.update_or_create(customer=customer,
                                                                      defaults=data)
    return preference


# --- Reassignment -------------------------------------------------------------------------------

def drafts_told_of_reassignment(*, customer_ids: list[int]) -> int:
    """The authors of draft visits on reassigned customers hear who now has the customer
    (called inside the reassignment's transaction; the new officer is not told of their own
    customer)."""
    drafts = (Visit.objects.filter(customer_id__in=customer_ids, status=Visit.Status.DRAFT)
              .exclude(officer_id=F("customer__officer_id"))
              .select_related("officer", "customer__officer").order_by("pk"))
    told = 0
    for visit in drafts:
        notification_create(recipient=visit.officer, kind="visits.draft_customer_reassigned",
                            params={"customer": visit.customer.name,
                                    "date": visit.visited_on.isoformat(),
                                    "officer": str(visit.customer.officer)},
                            url=reverse("visits:visit_edit", kwargs={"pk": visit.pk}))
        told += 1
    return told
