"""The customer's risk state: its risk group, each loan's classification, and the figures the bank's
systems own (balance, days past due).

Officers' forms and imports never change these (customers/services.py leaves them out of every
update). They change through `risk_state_apply` alone, called by an approved risk report, the
bank's loan feed, or an administrator's correction; each call writes one RiskStateChange row,
so the history is complete by construction rather than by the care of each caller.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks
from loanwatch.core.services import notification_create

from . import selectors
from .models import Classification, Customer, Loan, RiskCorrection, RiskGroup, RiskStateChange

# The loan fields the bank's systems own; only risk_state_apply writes them after opening.
OWNED_LOAN_FIELDS = ("classification", "balance", "days_past_due")
# What the loan feed alone sets (customers/feed), by set-based statements that write the same
# history rows; no form or correction names them.
FEED_LOAN_FIELDS = ("principal_overdue", "interest_overdue", "next_due_on", "status",
                    "last_feed_as_of")

LoanChanges = dict[int, dict[str, Any]]


def _as_text(value: Any) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _loan_errors(loan: Loan, values: dict[str, Any]) -> list[str]:
    """The rules every source of a change meets: the balance within the amount, days past due
    not negative, and the classification not below the floor the days past due set."""
    errors = []
    balance = values["balance"]
    if balance < 0 or balance > loan.amount:
        errors.append(_("%(contract)s: the outstanding balance must be between 0 and the amount.")
                      % {"contract": loan.contract_number})
    if values["days_past_due"] < 0:
        errors.append(_("%(contract)s: days past due cannot be negative.")
                      % {"contract": loan.contract_number})
    else:
        floor = selectors.classification_floor(days_past_due=values["days_past_due"])
        if Classification.rank(values["classification"]) < Classification.rank(floor):
            errors.append(_("%(contract)s: %(days)d days past due require at least “%(floor)s”.")
                          % {"contract": loan.contract_number, "days": values["days_past_due"],
                             "floor": Classification(floor).label})
    return errors


def lowers_risk(*, customer: Customer, risk_group: RiskGroup | None,
                loans: LoanChanges) -> bool:
    """A better group (lower in the groups' order) or a better classification for any loan."""
    if risk_group is not None and risk_group.pk != customer.risk_group_id:
        current = RiskGroup.objects.get(pk=customer.risk_group_id)
        if (risk_group.order, risk_group.code) < (current.order, current.code):
            return True
    for loan in Loan.objects.filter(customer=customer, pk__in=list(loans)):
        proposed = loans[loan.pk].get("classification")
        if proposed and Classification.rank(proposed) < loan.classification_rank:
            return True
    return False


@transaction.atomic
def risk_state_apply(*, customer: Customer, acting_user: User | None, source: str,
                     source_id: int | None, reason: str = "",
                     risk_group: RiskGroup | None = None,
                     loans: LoanChanges | None = None) -> RiskStateChange | None:
    """Set the customer's risk group and its loans' owned fields; write one history row.

    `loans` maps a loan id of this customer to the owned fields to set. The rows are locked,
    so a report approved while a correction applies waits, then builds on what that wrote.
    Returns the history row, or None when every value was already what it sets.
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    loans = loans or {}
    changes: list[dict[str, Any]] = []
    group_changed = risk_group is not None and risk_group.pk != locked.risk_group_id
    if group_changed:
        assert risk_group is not None
        changes.append({"field": "risk_group", "loan": None, "contract": "",
                        "before": str(locked.risk_group_id), "after": str(risk_group.pk)})
    rows = list(Loan.objects.select_for_update().filter(pk__in=list(loans)).order_by("pk"))
    if any(loan.customer_id != locked.pk for loan in rows) or len(rows) != len(loans):
        raise ValidationError({"loans": [_("This loan is not the customer's.")]})
    errors: list[str] = []
    changed_loans = []
    for loan in rows:
        current = {name: getattr(loan, name) for name in OWNED_LOAN_FIELDS}
        wanted = {**current, **{k: v for k, v in loans[loan.pk].items()
                                if k in OWNED_LOAN_FIELDS and v is not None}}
        moved = [name for name in OWNED_LOAN_FIELDS if wanted[name] != current[name]]
        if not moved:
            continue
        errors.extend(_loan_errors(loan, wanted))
        for name in moved:
            changes.append({"field": name, "loan": loan.pk, "contract": loan.contract_number,
                            "before": _as_text(current[name]), "after": _as_text(wanted[name])})
            setattr(loan, name, wanted[name])
        changed_loans.append(loan)
    if errors:
        raise ValidationError({"loans": errors})
    if not changes:
        return None
    if group_changed:
        assert risk_group is not None
        locked.risk_group = risk_group
        locked.version += 1
        locked.save(update_fields=["risk_group", "version"])
    for loan in changed_loans:
        loan.version += 1
        loan.save(update_fields=[*OWNED_LOAN_FIELDS, "version"])
    if changed_loans:
        outstanding = Loan.objects.filter(customer=locked, balance__gt=0).exists()
        status = Customer.Status.ACTIVE if outstanding else Customer.Status.CLOSED
        if locked.status != status:
            Customer.objects.filter(pk=locked.pk).update(status=status)
    row = RiskStateChange.objects.create(customer=locked, by=acting_user, source=source,
                                         source_id=source_id, reason=reason, changes=changes)
    if group_changed:
        hooks.call("customer_risk_changed", customer_ids=[locked.pk])
    return row


# --- Corrections ------------------------------------------------------------------------------


def may_decide_correction(*, user: User, correction: RiskCorrection) -> bool:
    """Four eyes: another administrator, or a supervisor of the customer's team."""
    if user.pk == correction.requested_by_id or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.SUPERVISOR and user.team_id is not None and \
        user.team_id == correction.customer.team_id


def _proposed(risk_group: RiskGroup | None, loans: LoanChanges) -> dict[str, Any]:
    return {"risk_group": risk_group.pk if risk_group else None,
            "loans": {str(pk): {k: _as_text(v) for k, v in values.items() if v is not None}
                      for pk, values in loans.items()}}


def _unpacked(proposed: dict[str, Any]) -> tuple[RiskGroup | None, LoanChanges]:
    group_id = proposed.get("risk_group")
    group = RiskGroup.objects.get(pk=group_id) if group_id else None
    loans: LoanChanges = {}
    for pk, values in proposed.get("loans", {}).items():
        parsed: dict[str, Any] = {}
        if "classification" in values:
            parsed["classification"] = values["classification"]
        if "balance" in values:
            parsed["balance"] = Decimal(values["balance"])
        if "days_past_due" in values:
            parsed["days_past_due"] = int(values["days_past_due"])
        loans[int(pk)] = parsed
    return group, loans


def _only_changes(customer: Customer, risk_group: RiskGroup | None,
                  loans: LoanChanges) -> tuple[RiskGroup | None, LoanChanges]:
    """Drop what is already so: a correction names only what it moves."""
    if risk_group is not None and risk_group.pk == customer.risk_group_id:
        risk_group = None
    kept: LoanChanges = {}
    for loan in Loan.objects.filter(customer=customer, pk__in=list(loans)):
        moved = {k: v for k, v in loans[loan.pk].items()
                 if k in OWNED_LOAN_FIELDS and v is not None and v != getattr(loan, k)}
        if moved:
            kept[loan.pk] = moved
    return risk_group, kept


def _deciders(correction: RiskCorrection) -> list[User]:
    return list(User.objects.filter(is_active=True).filter(
        Q(role=Role.ADMIN) | Q(role=Role.SUPERVISOR, team_id=correction.customer.team_id))
        .exclude(pk=correction.requested_by_id))


@transaction.atomic
def correction_request(*, customer: Customer, acting_user: User, reason: str,
                       risk_group: RiskGroup | None = None,
                       loans: LoanChanges | None = None) -> RiskCorrection:
    """An administrator corrects the risk state. Applied at once unless it lowers risk; then it
    waits for a second person, and the deciders are told."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the risk state is corrected.")]})
    risk_group, loans = _only_changes(locked, risk_group, loans or {})
    if risk_group is None and not loans:
        raise ValidationError(_("Nothing to correct: every value is already as given."))
    # Check the values now, so that a correction waiting for approval is one that can apply.
    errors: list[str] = []
    for loan in Loan.objects.filter(customer=locked, pk__in=list(loans)):
        current = {name: getattr(loan, name) for name in OWNED_LOAN_FIELDS}
        errors.extend(_loan_errors(loan, {**current, **loans[loan.pk]}))
    if errors:
        raise ValidationError({"loans": errors})
    lowers = lowers_risk(customer=locked, risk_group=risk_group, loans=loans)
    correction = RiskCorrection.objects.create(
        customer=locked, proposed=_proposed(risk_group, loans), lowers_risk=lowers,
        reason=reason, requested_by=acting_user,
        status=RiskCorrection.Status.AWAITING if lowers else RiskCorrection.Status.APPLIED)
    if lowers:
        url = reverse("customers:correction_list")
        for decider in _deciders(correction):
            notification_create(recipient=decider, kind="customers.correction_awaiting",
                                params={"customer": locked.name, "by": str(acting_user)},
                                url=url)
    else:
        risk_state_apply(customer=locked, acting_user=acting_user,
                         source=RiskStateChange.Source.CORRECTION, source_id=correction.pk,
                         reason=reason, risk_group=risk_group, loans=loans)
    return correction


@transaction.atomic
def correction_decide(*, correction: RiskCorrection, acting_user: User, approve: bool,
                      comment: str = "") -> RiskCorrection:
    """The second person approves (the correction applies, its values checked again against
    today's state) or rejects it with a reason. The row lock makes one decision win."""
    locked = (RiskCorrection.objects.select_for_update(of=("self",))
              .select_related("customer").get(pk=correction.pk))
    if not may_decide_correction(user=acting_user, correction=locked):
        raise PermissionDenied
    if locked.status != RiskCorrection.Status.AWAITING:
        raise ValidationError(_("This correction was already decided (%(status)s).") % {
            "status": locked.get_status_display()}, code="decided")
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError({"comment": [_("Say why, so that the administrator knows.")]})
    locked.decided_by, locked.decided_at = acting_user, timezone.now()
    locked.decision_comment = comment
    if approve:
        group, loans = _unpacked(locked.proposed)
        risk_state_apply(customer=locked.customer, acting_user=acting_user,
                         source=RiskStateChange.Source.CORRECTION, source_id=locked.pk,
                         reason=locked.reason, risk_group=group, loans=loans)
        locked.status = RiskCorrection.Status.APPLIED
    else:
        locked.status = RiskCorrection.Status.REJECTED
    locked.save()
    notification_create(recipient=locked.requested_by,
                        kind="customers.correction_applied" if approve else
                        "customers.correction_rejected",
                        params={"customer": locked.customer.name, "by": str(acting_user)},
                        url=reverse("customers:customer_detail",
                                    kwargs={"pk": locked.customer_id}))
    return locked
