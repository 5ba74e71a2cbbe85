"""Writes. Keyword-only, with the acting user, each in one transaction. The workflow rules —
who may edit, submit and decide, and what an approval changes — are enforced here, whatever
page or script calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import selectors as customer_selectors
from customers.models import Classification, Customer, Loan, RiskSignal
from customers.services import LOAN_FIELDS, loan_update
from loanwatch.accounts.roles import Role
from loanwatch.core.concurrency import check_and_bump
from loanwatch.core.services import notification_create
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
                  text=signal.message[:500])
        for signal in selectors.signals_for_report(customer=customer, visit=visit)])
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
    existing: dict[int | None, RiskPoint] = {p.pk: p for p in locked.points.all()}
    for item in points:
        point = existing.get(item.get("id")) or RiskPoint(report=locked)
        changed = (point.category, point.severity, point.text) != (
            item["category"], item["severity"], item["text"])
        point.category, point.severity, point.text = (item["category"], item["severity"],
                                                      item["text"])
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
    notification_create(recipient=locked.author, kind=f"reports.{action}",
                        params={"customer": locked.customer.name, "decider": str(acting_user),
                                "pk": locked.pk}, url=_report_url(locked))
    return locked


def _apply_approval(*, report: RiskReport, acting_user: User) -> None:
    """What an approved report changes: risk group, classifications, follow-up items, the
    revisit schedule, and for a red warning an immediate visit."""
    customer = Customer.objects.select_for_update().get(pk=report.customer_id)
    report.risk_group_before_id = customer.risk_group_id
    if report.proposed_risk_group_id and customer.risk_group_id != report.proposed_risk_group_id:
        # No customers service changes only the risk group; the row is locked and versioned
        # the same way, and the trigger records the change.
        check_and_bump(locked=customer, expected=None)
        customer.risk_group_id = report.proposed_risk_group_id
        customer.save(update_fields=["risk_group", "version"])
    report.risk_group_after_id = customer.risk_group_id
    report.save(update_fields=["risk_group_before", "risk_group_after"])
    proposals = list(report.classifications.select_related("loan"))
    for proposal in proposals:
        loan = proposal.loan
        proposal.classification_before = loan.classification
        if loan.classification != proposal.classification:
            # Through the customers service: the floor is checked again against today's days
            # past due, and a refusal undoes the whole approval.
            data = {key: getattr(loan, key) for key in LOAN_FIELDS}
            data["classification"] = proposal.classification
            loan_update(loan=loan, acting_user=acting_user, data=data)
    ProposedClassification.objects.bulk_update(proposals, ["classification_before"])
    FollowUp.objects.bulk_create([
        FollowUp(report=report, customer=customer, measure=m.measure, note=m.note,
                 owner_id=customer.officer_id, due_on=m.due_on)
        for m in report.measures.select_related("measure")])
    warning_apply(report=report, customer=customer)
    planner.plan(customer_ids=[customer.pk])
    if report.warning_level == WarningLevel.RED:
        task_raise(customer=customer, reason="manual", due_on=timezone.localdate(),
                   note=_("Red warning in risk report %(pk)s") % {"pk": report.pk},
                   source_key=f"report:{report.pk}")


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
    """Open follow-up items go with their customer to the new officer (called inside the
    reassignment's transaction); returns how many moved."""
    return (FollowUp.objects.filter(customer_id__in=customer_ids, done_at__isnull=True)
            .exclude(owner_id=F("customer__officer_id"))
            .update(owner_id=Subquery(Customer.objects.filter(pk=OuterRef("customer_id"))
                                      .values("officer_id")[:1])))


@transaction.atomic
def follow_up_done(*, item: FollowUp, acting_user: User) -> FollowUp:
    updated = FollowUp.objects.filter(pk=item.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=acting_user)
    item.refresh_from_db()
    if not updated and item.done_by_id != acting_user.pk:
        raise ValidationError(_("This item was already marked done."))
    return item


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
    measure.save()
    return measure
