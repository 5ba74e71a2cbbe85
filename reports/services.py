"""Writes. Keyword-only, with the acting user, each in one transaction. The workflow rules —
who may edit, submit and decide, and what an approval changes — are enforced here, whatever
page or script calls them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import selectors as customer_selectors
from customers import signals as customer_signals
from customers.models import Classification, Customer, Loan, RiskSignal, RiskStateChange
from customers.risk_state import risk_state_apply
from loanwatch.accounts.roles import Role
from loanwatch.core.concurrency import check_and_bump
from loanwatch.core.services import notification_create
from visits import uploads
from visits.schedule import planner
from visits.schedule.services import task_raise

from . import selectors
from .models import (
    CustomerWarning,
    FollowUp,
    Measure,
    ProposedClassification,
    ProposedMeasure,
    ReportTransition,
    RiskPoint,
    RiskReport,
    WarningApprovalSettings,
    WarningLevel,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from loanwatch.accounts.models import User
    from visits.models import Visit


# The category a point pre-filled from a signal starts in, by where the signal came from.
SIGNAL_CATEGORIES: dict[str, str] = {
    RiskSignal.Source.VISIT: RiskPoint.Category.OPERATIONS,
    RiskSignal.Source.RECORD_CHECK: RiskPoint.Category.LEGAL,
    RiskSignal.Source.RISK_EVENT: RiskPoint.Category.OTHER,
    RiskSignal.Source.MANUAL: RiskPoint.Category.OTHER,
}
DECISIONS = ("approve", "reject", "return")
# The kind of the task note a red warning leaves (worded by hooks.py, in the reader's language).
RED_WARNING_NOTE = "reports.red_warning"


def red_warning_note(params: dict[str, Any]) -> str:
    return _("Red warning in risk report %(pk)s") % {"pk": params["pk"]}
# When an approved measure without a proposed due date falls due, counted from the approval.
FOLLOW_UP_DUE_DAYS = 30


def may_decide(*, user: User, report: RiskReport) -> bool:
    """Four eyes: a supervisor of the customer's team or an admin, never the author."""
    if user.pk == report.author_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and user.team_id is not None and \
        user.team_id == report.customer.team_id


def may_edit(*, user: User, report: RiskReport) -> bool:
    return report.status == RiskReport.Status.DRAFT and user.pk == report.author_id


def _record(report: RiskReport, action: str, user: User, comment: str = "") -> None:
    ReportTransition.objects.create(report=report, action=action, by=user, comment=comment)


def _point_signals(report: RiskReport) -> QuerySet[RiskPoint, int]:
    """The ids of the signals the report's points name, as a subquery."""
    return report.points.exclude(signal=None).values_list("signal_id", flat=True)


def _report_url(report: RiskReport) -> str:
    return reverse("reports:report_detail", kwargs={"pk": report.pk})


@transaction.atomic
def report_start(*, customer: Customer, acting_user: User,
                 visit: Visit | None = None) -> RiskReport:
    """A draft for a customer the user may see, with one risk point per recent signal.

    A visit must be submitted: a report judges what was found, not what is still being written.
    """
    if not customer_selectors.customer_scope(user=acting_user).filter(pk=customer.pk).exists():
        raise PermissionDenied
    if visit is not None:
        if visit.customer_id != customer.pk:
            raise ValidationError(_("This visit is of another customer."))
        if visit.status != "submitted":
            raise ValidationError(_("Submit the visit before writing a risk report on it."))
    report = RiskReport.objects.create(customer=customer, visit=visit, author=acting_user)
    RiskPoint.objects.bulk_create([
        RiskPoint(report=report, signal=signal, severity=signal.severity,
                  category=SIGNAL_CATEGORIES.get(signal.source, RiskPoint.Category.OTHER),
                  text="")  # the signal's words, worded when read (RiskPoint.wording)
        for signal in selectors.signals_for_report(customer=customer, visit=visit)])
    customer_signals.signals_taken_into_report(signal_ids=_point_signals(report),
                                               report_id=report.pk, acting_user=acting_user)
    _record(report, ReportTransition.Action.CREATED, acting_user)
    return report


def report_validate(*, report: RiskReport, classifications: dict[int, str]) -> None:
    """A proposed classification may not fall below the floor the loan's days past due set."""
    errors = []
    loans = {loan.pk: loan for loan in Loan.objects.filter(customer_id=report.customer_id,
                                                           pk__in=classifications)}
    for loan_id, value in classifications.items():
        loan = loans.get(loan_id)
        if loan is None:
            errors.append(_("This loan is not the customer's."))
            continue
        floor = customer_selectors.classification_floor(days_past_due=loan.days_past_due)
        if Classification.rank(value) < Classification.rank(floor):
            errors.append(_("%(contract)s: %(days)d days past due require at least “%(floor)s”.")
                          % {"contract": loan.contract_number, "days": loan.days_past_due,
                             "floor": Classification(floor).label})
    if errors:
        raise ValidationError({"classifications": errors})


@transaction.atomic
def report_save(*, report: RiskReport, acting_user: User, data: dict[str, Any],
                points: list[dict[str, Any]], measures: list[dict[str, Any]],
                classifications: dict[int, str],
                expected_version: int | None = None) -> RiskReport:
    """Replace a draft's content. Points, measures and proposals are rewritten as a whole (the
    audit trail keeps the previous ones)."""
    locked = RiskReport.objects.select_for_update().get(pk=report.pk)
    if not may_edit(user=acting_user, report=locked) or locked.is_release:
        raise PermissionDenied  # a release report says only why (release_save)
    check_and_bump(locked=locked, expected=expected_version)
    report_validate(report=locked, classifications=classifications)
    for key in ("assessment", "warning_level", "proposed_risk_group"):
        if key in data:
            setattr(locked, key, data[key])
    locked.save()

    kept = {p["id"] for p in points if p.get("id")}
    locked.points.exclude(pk__in=kept).delete()
    existing: dict[int | None, RiskPoint] = {
        p.pk: p for p in locked.points.select_related("signal")}
    for item in points:
        point = existing.get(item.get("id")) or RiskPoint(report=locked)
        text = item["text"]
        if point.signal is not None and text.strip() == point.signal.message[:500].strip():
            text = ""  # still the signal's own words: keep them worded when read
        changed = (point.category, point.severity, point.text) != (
            item["category"], item["severity"], text)
        point.category, point.severity, point.text = (item["category"], item["severity"],
                                                      text)
        if changed or point.pk is None:
            point.save()

    locked.measures.all().delete()
    ProposedMeasure.objects.bulk_create([
        ProposedMeasure(report=locked, measure=m["measure"], due_on=m.get("due_on"),
                        note=m.get("note", "")) for m in measures])
    locked.classifications.exclude(loan_id__in=classifications).delete()
    for loan_id, value in classifications.items():
        ProposedClassification.objects.update_or_create(report=locked, loan_id=loan_id,
                                                        defaults={"classification": value})
    return locked


@transaction.atomic
def report_submit(*, report: RiskReport, acting_user: User,
                  expected_version: int | None = None) -> RiskReport:
    locked = RiskReport.objects.select_for_update().select_related("customer").get(pk=report.pk)
    if not may_edit(user=acting_user, report=locked):
        raise PermissionDenied
    check_and_bump(locked=locked, expected=expected_version)
    if not locked.assessment.strip():
        raise ValidationError({"assessment": [_("Write an overall assessment before "
                                                "submitting.")]})
    report_validate(report=locked, classifications=dict(
        locked.classifications.values_list("loan_id", "classification")))
    locked.status = RiskReport.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save()
    _record(locked, ReportTransition.Action.SUBMITTED, acting_user)
    params = {"customer": locked.customer.name, "author": str(acting_user), "pk": locked.pk}
    for decider in selectors.deciders_for(report=locked):
        notification_create(recipient=decider, kind="reports.awaiting", params=params,
                            url=_report_url(locked))
    return locked


@transaction.atomic
def report_decide(*, report: RiskReport, acting_user: User, decision: str,
                  comment: str = "") -> RiskReport:
    """Approve, reject or return a submitted report.

    The row lock serialises two deciders: the second waits, then finds the report no longer
    awaiting a decision and is told who decided. An approval applies its effects in this same
    transaction, so a failure in any of them leaves nothing changed.
    """
    if decision not in DECISIONS:
        raise ValidationError(_("Unknown decision."))
    # decided_by is read after the lock, not joined: a join would show the row as it was
    # before the winner of a race committed.
    locked = (RiskReport.objects.select_for_update(of=("self",))
              .select_related("customer").get(pk=report.pk))
    if not may_decide(user=acting_user, report=locked):
        raise PermissionDenied
    if locked.status != RiskReport.Status.SUBMITTED:
        if locked.decided_by is not None and locked.status != RiskReport.Status.DRAFT:
            raise ValidationError(_("%(who)s already decided this report (%(status)s).") % {
                "who": locked.decided_by, "status": locked.get_status_display()},
                code="decided")
        raise ValidationError(_("This report is not awaiting a decision."), code="decided")
    comment = comment.strip()
    if decision in ("reject", "return") and not comment:
        raise ValidationError({"comment": [_("Say why, so that the author knows what to "
                                             "change.")]})
    if decision == "approve" and _first_of_two_approvals(report=locked, acting_user=acting_user,
                                                         comment=comment):
        return locked
    now = timezone.now()
    locked.decided_by, locked.decided_at, locked.decision_comment = acting_user, now, comment
    if decision == "approve":
        locked.status = RiskReport.Status.APPROVED
        action = ReportTransition.Action.APPROVED
    elif decision == "reject":
        locked.status = RiskReport.Status.REJECTED
        action = ReportTransition.Action.REJECTED
    else:
        # Back to the author as a draft; the comment stays on the report until the next decision.
        locked.status = RiskReport.Status.DRAFT
        locked.submitted_at = None
        # Resubmitted, it is decided afresh: a first approval does not carry over.
        locked.first_approved_by, locked.first_approved_at = None, None
        action = ReportTransition.Action.RETURNED
    locked.version += 1
    locked.save()
    _record(locked, action, acting_user, comment)
    if decision == "approve":
        _apply_approval(report=locked, acting_user=acting_user)
    if decision == "reject":
        customer_signals.signals_reopened(report_id=locked.pk, acting_user=acting_user)
    notification_create(recipient=locked.author, kind=f"reports.{action}",
                        params={"customer": locked.customer.name, "decider": str(acting_user),
                                "pk": locked.pk}, url=_report_url(locked))
    return locked


def _apply_approval(*, report: RiskReport, acting_user: User) -> None:
    """What an approved report changes: risk group, classifications, follow-up items, the
    revisit schedule, and for a red warning an immediate visit."""
    customer = Customer.objects.select_for_update().get(pk=report.customer_id)
    report.risk_group_before_id = customer.risk_group_id
    proposals = list(report.classifications.select_related("loan"))
    for proposal in proposals:
        proposal.classification_before = proposal.loan.classification
    # One write of the risk state, with its history row; the floor is checked again against
    # today's days past due, and a refusal undoes the whole approval.
    risk_state_apply(customer=customer, acting_user=acting_user,
                     source=RiskStateChange.Source.REPORT, source_id=report.pk,
                     reason=report.assessment[:1000], risk_group=report.proposed_risk_group,
                     loans={p.loan_id: {"classification": p.classification} for p in proposals})
    customer.refresh_from_db()
    report.risk_group_after_id = customer.risk_group_id
    report.save(update_fields=["risk_group_before", "risk_group_after"])
    ProposedClassification.objects.bulk_update(proposals, ["classification_before"])
    default_due = timezone.localdate() + datetime.timedelta(days=FOLLOW_UP_DUE_DAYS)
    FollowUp.objects.bulk_create([
        FollowUp(report=report, customer=customer, measure=m.measure, note=m.note,
                 owner_id=customer.officer_id, due_on=m.due_on or default_due)
        for m in report.measures.select_related("measure")])
    warning_apply(report=report, customer=customer)
    planner.plan(customer_ids=[customer.pk])
    customer_signals.signals_confirmed(report_id=report.pk, signal_ids=_point_signals(report),
                                       acting_user=acting_user)
    if report.warning_level == WarningLevel.RED:
        task_raise(customer=customer, reason="manual", due_on=timezone.localdate(),
                   note=_("Red warning in risk report %(pk)s") % {"pk": report.pk},
                   source_key=f"report:{report.pk}", note_kind=RED_WARNING_NOTE,
                   note_params={"pk": report.pk})


def warning_apply(*, report: RiskReport, customer: Customer) -> CustomerWarning | None:
    """The customer's standing warning after an approved report (called by _apply_approval with
    the customer's row locked): an assessment with a level raises it or moves its level (its
    date stays), one without a level leaves it, an approved release ends it. The customer's
    copy of the level and date changes in the same transaction."""
    active = (CustomerWarning.objects.select_for_update()
              .filter(customer=customer, status=CustomerWarning.Status.ACTIVE).first())
    if report.is_release:
        if active is None:
            raise ValidationError(_("The customer has no standing warning to release."))
        active.status, active.released_at = CustomerWarning.Status.RELEASED, report.decided_at
        active.release_report = report
        active.save(update_fields=["status", "released_at", "release_report"])
        customer.warning_level, customer.warning_since = WarningLevel.NONE, None
    elif report.warning_level == WarningLevel.NONE:
        return active
    elif active is None:
        active = CustomerWarning.objects.create(
            customer=customer, level=report.warning_level,
            since=report.decided_at or timezone.now(),
            raised_by=report, last_report=report)
        customer.warning_level, customer.warning_since = active.level, active.since
    else:
        active.level, active.last_report = report.warning_level, report
        active.save(update_fields=["level", "last_report"])
        customer.warning_level, customer.warning_since = active.level, active.since
    # Not versioned: no form edits these columns, so an open edit form need not go stale.
    customer.save(update_fields=["warning_level", "warning_since"])
    return active


def _first_of_two_approvals(*, report: RiskReport, acting_user: User, comment: str) -> bool:
    """Record an approval as the first of two when the report's level needs two (True: the
    report keeps awaiting a decision). The second approval must come from another person."""
    if report.first_approved_by_id is not None:
        if report.first_approved_by_id == acting_user.pk:
            raise ValidationError(_("You gave the first approval: the second must come from "
                                    "another person."), code="same_approver")
        return False
    if not selectors.needs_two_approvals(report=report):
        return False
    report.first_approved_by, report.first_approved_at = acting_user, timezone.now()
    report.version += 1
    report.save(update_fields=["first_approved_by", "first_approved_at", "version"])
    _record(report, ReportTransition.Action.FIRST_APPROVAL, acting_user, comment)
    params = {"customer": report.customer.name, "first": str(acting_user), "pk": report.pk}
    for decider in selectors.second_deciders_for(report=report):
        notification_create(recipient=decider, kind="reports.second_approval", params=params,
                            url=_report_url(report))
    return True


@transaction.atomic
def release_start(*, customer: Customer, acting_user: User, assessment: str) -> RiskReport:
    """A draft release report (解除) of the customer's standing warning: only the reason the
    risk has gone. One open release report per customer."""
    if not customer_selectors.customer_scope(user=acting_user).filter(pk=customer.pk).exists():
        raise PermissionDenied
    if not CustomerWarning.objects.filter(customer=customer,
                                          status=CustomerWarning.Status.ACTIVE).exists():
        raise ValidationError(_("The customer has no standing warning to release."))
    try:
        with transaction.atomic():
            report = RiskReport.objects.create(customer=customer, author=acting_user,
                                               kind=RiskReport.Kind.RELEASE,
                                               assessment=assessment.strip())
    except IntegrityError:
        raise ValidationError(_("A release of this warning is already proposed."),
                              code="open_release") from None
    _record(report, ReportTransition.Action.CREATED, acting_user)
    return report


@transaction.atomic
def release_save(*, report: RiskReport, acting_user: User, assessment: str,
                 expected_version: int | None = None) -> RiskReport:
    locked = RiskReport.objects.select_for_update().get(pk=report.pk)
    if not may_edit(user=acting_user, report=locked) or not locked.is_release:
        raise PermissionDenied
    check_and_bump(locked=locked, expected=expected_version)
    locked.assessment = assessment.strip()
    locked.save(update_fields=["assessment", "version"])
    return locked


@transaction.atomic
def warning_approvals_save(*, acting_user: User, levels: list[str]) -> WarningApprovalSettings:
    """The warning levels whose reports need two approvals (administrators)."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    unknown = set(levels) - set(WarningLevel.values) | ({WarningLevel.NONE.value} & set(levels))
    if unknown:
        raise ValidationError({"levels": [_("Unknown warning level.")]})
    chosen = [level for level in WarningLevel.values if level in levels]
    row, _created = WarningApprovalSettings.objects.update_or_create(
        pk=1, defaults={"two_approval_levels": chosen})
    return row


def customer_reassigned(*, customer_ids: list[int]) -> int:
    """Open follow-up items (those awaiting a sign-off included: a sent-back outcome returns
    to the owner) go with their customer to the new officer (called inside the reassignment's
    transaction); returns how many moved."""
    return (FollowUp.objects.filter(customer_id__in=customer_ids)
            .exclude(status=FollowUp.Status.DONE)
            .exclude(owner_id=F("customer__officer_id"))
            .update(owner_id=Subquery(Customer.objects.filter(pk=OuterRef("customer_id"))
                                      .values("officer_id")[:1])))


def drafts_told_of_reassignment(*, customer_ids: list[int]) -> int:
    """The authors of draft reports on reassigned customers hear who now has the customer (the
    new officer writing their own draft is not told of their own customer)."""
    drafts = (RiskReport.objects.filter(customer_id__in=customer_ids,
                                        status=RiskReport.Status.DRAFT)
              .exclude(author_id=F("customer__officer_id"))
              .select_related("author", "customer__officer").order_by("pk"))
    told = 0
    for report in drafts:
        notification_create(recipient=report.author, kind="reports.draft_customer_reassigned",
                            params={"customer": report.customer.name, "pk": report.pk,
                                    "officer": str(report.customer.officer)},
                            url=reverse("reports:report_edit", kwargs={"pk": report.pk}))
        told += 1
    return told


def may_record_outcome(*, user: User, item: FollowUp) -> bool:
    """The owner, a supervisor of the customer's team or an admin writes the outcome down."""
    if item.status != FollowUp.Status.OPEN:
        return False
    if user.pk == item.owner_id or user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and user.team_id is not None and \
        user.team_id == item.customer.team_id


def may_sign_off(*, user: User, item: FollowUp) -> bool:
    """Four eyes: a supervisor of the customer's team or an admin, never whoever recorded the
    outcome."""
    if item.status != FollowUp.Status.AWAITING_SIGN_OFF or user.pk == item.done_by_id:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and user.team_id is not None and \
        user.team_id == item.customer.team_id


def _follow_up_url(item: FollowUp) -> str:
    return reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk})


def _lock_follow_up(item: FollowUp) -> FollowUp:
    return (FollowUp.objects.select_for_update(of=("self",))
            .select_related("customer", "measure").get(pk=item.pk))


def _store_evidence(item: FollowUp, upload: UploadedFile) -> None:
    """Check the file by its content (the visits' rules) and store it under a random name."""
    name = upload.name or ""
    file_type, digest = uploads.check_file(upload, name=name,
                                           max_bytes=settings.EVIDENCE_MAX_BYTES)
    item.evidence.save("evidence", upload, save=False)
    item.evidence_name, item.evidence_type, item.evidence_sha256 = (
        name, file_type.content_type, digest)


@transaction.atomic
def follow_up_done(*, item: FollowUp, acting_user: User, outcome: str,
                   evidence: UploadedFile | None = None) -> FollowUp:
    """Write down what was done, with an optional evidence file. A measure the catalogue marks
    as needing it then waits for a supervisor's sign-off (the team's supervisors are told);
    any other is done."""
    locked = _lock_follow_up(item)
    if locked.status != FollowUp.Status.OPEN:
        if locked.done_by_id is not None:
            raise ValidationError(_("%(who)s already recorded the outcome of this measure.")
                                  % {"who": locked.done_by}, code="done")
        raise ValidationError(_("This measure is no longer open."), code="done")
    if not may_record_outcome(user=acting_user, item=locked):
        raise PermissionDenied
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say what was done and what came of it.")]})
    if evidence is not None:
        try:
            _store_evidence(locked, evidence)
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from error
    locked.outcome = outcome
    locked.done_at, locked.done_by = timezone.now(), acting_user
    locked.signed_off_at, locked.signed_off_by = None, None
    if locked.measure.needs_sign_off:
        locked.status = FollowUp.Status.AWAITING_SIGN_OFF
    else:
        locked.status = FollowUp.Status.DONE
        locked.sign_off_comment = ""
    try:
        locked.save()
    except Exception:
        if evidence is not None:
            locked.evidence.storage.delete(locked.evidence.name)
        raise
    if locked.status == FollowUp.Status.AWAITING_SIGN_OFF:
        params = {"customer": locked.customer.name, "measure": str(locked.measure),
                  "who": str(acting_user)}
        for supervisor in selectors.follow_up_sign_off_by(item=locked):
            notification_create(recipient=supervisor, kind="reports.follow_up_sign_off",
                                params=params, url=_follow_up_url(locked))
    return locked


SIGN_OFF_DECISIONS = ("approve", "return")


@transaction.atomic
def follow_up_sign_off(*, item: FollowUp, acting_user: User, decision: str,
                       comment: str = "") -> FollowUp:
    """Accept a recorded outcome (the measure is done) or send it back to the owner with the
    reason (open again)."""
    if decision not in SIGN_OFF_DECISIONS:
        raise ValidationError(_("Unknown decision."))
    locked = _lock_follow_up(item)
    if locked.status != FollowUp.Status.AWAITING_SIGN_OFF:
        raise ValidationError(_("This measure is not awaiting a sign-off."), code="decided")
    if not may_sign_off(user=acting_user, item=locked):
        raise PermissionDenied
    comment = (comment or "").strip()
    if decision == "return" and not comment:
        raise ValidationError({"comment": [_("Say why, so that the owner knows what to do.")]})
    locked.sign_off_comment = comment
    if decision == "approve":
        locked.status = FollowUp.Status.DONE
        locked.signed_off_at, locked.signed_off_by = timezone.now(), acting_user
        locked.save()
        return locked
    locked.status = FollowUp.Status.OPEN
    # The outcome stays as a starting point for the next one; who recorded it is cleared, so
    # that whoever records the next outcome is the one kept from signing it off.
    locked.done_at, locked.done_by = None, None
    locked.save()
    notification_create(recipient=locked.owner, kind="reports.follow_up_returned",
                        params={"customer": locked.customer.name, "measure": str(locked.measure),
                                "who": str(acting_user)},
                        url=reverse("reports:follow_up_done", kwargs={"pk": locked.pk}))
    return locked


@transaction.atomic
def measure_save(*, acting_user: User, data: dict[str, Any],
                 measure: Measure | None = None) -> Measure:
    """Add or change a measure of the catalogue (admins). Measures are retired, never deleted:
    approved reports and follow-up items keep pointing at them."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    code = (data.get("code") or "").strip().lower()
    same = Measure.objects.filter(code=code)
    if (same.exclude(pk=measure.pk) if measure else same).exists():
        raise ValidationError({"code": [_("A measure with this code already exists.")]})
    measure = Measure() if measure is None else Measure.objects.select_for_update().get(
        pk=measure.pk)
    measure.code, measure.name_zh, measure.name_en = code, data["name_zh"], data["name_en"]
    measure.order, measure.active = data["order"], bool(data.get("active"))
    measure.needs_sign_off = bool(data.get("needs_sign_off"))
    measure.save()
    return measure
