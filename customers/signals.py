"""Writes on a risk signal's status. Keyword-only, typed, each in one transaction.

A signal is open until one of these ends it: a risk report takes it in (in_report), and the
report's approval confirms it or its rejection opens it again; the customer's officer (or a
supervisor of the team, or an administrator) dismisses it with a reason; or, for a notice or a
warning nobody answered, the daily expiry. Reports sit above customers, so they name their
report by id and call these functions; nothing here knows what a report is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role

from .models import RiskSignal, SignalSettings
from .selectors import customer_scope

Status = RiskSignal.Status
REASON_MAX = 1000


def _ids(signal_ids: Iterable[int] | QuerySet[Any]) -> list[int] | QuerySet[Any]:
    # A queryset of ids stays a subquery: the caller's points are never read into Python.
    return signal_ids if isinstance(signal_ids, QuerySet) else list(signal_ids)


@transaction.atomic
def signal_dismiss(*, signal: RiskSignal, acting_user: User, reason: str) -> RiskSignal:
    """Dismiss an open signal, saying why: whoever may see the customer may dismiss its signals
    (its officer, a supervisor of its team, an administrator); supervisors read the reason."""
    if not customer_scope(user=acting_user).filter(pk=signal.customer_id).exists():
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the signal is dismissed.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("Keep the reason under %(n)d characters.")
                                          % {"n": REASON_MAX}]})
    locked = RiskSignal.objects.select_for_update().get(pk=signal.pk)
    if locked.status != Status.OPEN:
        raise ValidationError(_("This signal is no longer open: %(status)s.")
                              % {"status": locked.get_status_display()}, code="not_open")
    locked.status, locked.status_at = Status.DISMISSED, timezone.now()
    locked.status_by, locked.status_reason = acting_user, reason
    locked.save(update_fields=["status", "status_at", "status_by", "status_reason"])
    return locked


@transaction.atomic
def signals_taken_into_report(*, signal_ids: Iterable[int] | QuerySet[Any], report_id: int,
                              acting_user: User | None = None) -> int:
    """A new report took these signals in; only open ones move (a signal belongs to one report
    at a time). Returns how many moved."""
    return (RiskSignal.objects.filter(pk__in=_ids(signal_ids), status=Status.OPEN)
            .update(status=Status.IN_REPORT, report_id=report_id, status_at=timezone.now(),
                    status_by=acting_user, status_reason=""))


@transaction.atomic
def signals_confirmed(*, report_id: int, signal_ids: Iterable[int] | QuerySet[Any],
                      acting_user: User | None = None) -> int:
    """The report was approved: the signals its points still name are confirmed by it; those it
    took in but no longer names (the author removed the point) are open again. Returns how many
    were confirmed."""
    ids = _ids(signal_ids)
    now = timezone.now()
    confirmed = (RiskSignal.objects.filter(pk__in=ids, status__in=[Status.OPEN, Status.IN_REPORT])
                 .update(status=Status.CONFIRMED, report_id=report_id, status_at=now,
                         status_by=acting_user, status_reason=""))
    (RiskSignal.objects.filter(report_id=report_id, status=Status.IN_REPORT).exclude(pk__in=ids)
     .update(status=Status.OPEN, report_id=None, status_at=now, status_by=acting_user,
             status_reason=""))
    return confirmed


@transaction.atomic
def signals_reopened(*, report_id: int, acting_user: User | None = None) -> int:
    """The report was rejected: what it took in is open again, for the next report."""
    return (RiskSignal.objects.filter(report_id=report_id, status=Status.IN_REPORT)
            .update(status=Status.OPEN, report_id=None, status_at=timezone.now(),
                    status_by=acting_user, status_reason=""))


@transaction.atomic
def signals_expire(*, now: datetime | None = None) -> int:
    """Open notices and warnings older than the administrators' limit expire; serious signals
    never do by themselves. One conditional UPDATE: a second run finds nothing left to do."""
    now = now or timezone.now()
    limit = SignalSettings.load().expire_days
    return (RiskSignal.objects.filter(status=Status.OPEN,
                                      severity__in=[RiskSignal.Severity.NOTICE,
                                                    RiskSignal.Severity.WARNING],
                                      raised_at__lt=now - timedelta(days=limit))
            .update(status=Status.EXPIRED, status_at=now, status_by=None, status_reason=""))


@transaction.atomic
def signal_settings_save(*, acting_user: User, stale_days: int,
                         expire_days: int) -> SignalSettings:
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    row = SignalSettings.objects.select_for_update().get_or_create(pk=1)[0]
    row.stale_days, row.expire_days = stale_days, expire_days
    row.full_clean()
    row.save()
    return row
