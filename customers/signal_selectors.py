"""Reads of risk signals by their status: the signal list, and the home cards of stale serious
signals and recent dismissals. Every read is scoped to the customers the user may see."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any, cast

from django.core.cache import cache
from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.http import Http404, QueryDict
from django.utils import timezone

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.keyset import Column, KeysetPage, keyset_page, queryset_fetch

from .models import RiskSignal, SignalSettings
from .selectors import customer_scope_filter

# Supervisors see the dismissals of this many days on their home page.
DISMISSALS_DAYS = 14
# Officers see the open signals raised in this many days on theirs.
NEW_SIGNAL_DAYS = 7
STALE_DAYS_DEFAULT = SignalSettings._meta.get_field("stale_days").get_default()


def signals_in_scope(*, user: User) -> QuerySet[RiskSignal]:
    return RiskSignal.objects.filter(customer_scope_filter(user=user, through="customer__"))


def signal_get_for_user(*, user: User, pk: int) -> RiskSignal:
    """A signal of a customer the user may see; 404 otherwise."""
    signal = signals_in_scope(user=user).select_related("customer").filter(pk=pk).first()
    if signal is None:
        raise Http404
    return signal


def signal_list(*, user: User, team_id: int | None = None, officer_id: int | None = None,
                source: str = "", severity: str = "", status: str = RiskSignal.Status.OPEN,
                older_than_days: int | None = None) -> QuerySet[RiskSignal]:
    """The signals the list shows, newest first. `status` "all" lists every status; the team
    filter is an administrator's, the officer filter a supervisor's or an administrator's."""
    signals = signals_in_scope(user=user)
    if team_id and user.role == Role.ADMIN:
        signals = signals.filter(customer__team_id=team_id)
    if officer_id and user.role in (Role.SUPERVISOR, Role.ADMIN):
        signals = signals.filter(customer__officer_id=officer_id)
    if source:
        signals = signals.filter(source=source)
    if severity:
        signals = signals.filter(severity=severity)
    if status and status != "all":
        signals = signals.filter(status=status)
    if older_than_days:
        signals = signals.filter(raised_at__lt=timezone.now() - timedelta(days=older_than_days))
    return (signals.select_related("customer", "customer__officer", "status_by")
            .order_by("-raised_at", "-pk"))


SIGNAL_ORDER = [Column("raised_at", descending=True, kind="datetime"),
                Column("pk", descending=True, kind="int")]
SIGNAL_COUNT_SECONDS = 300


def signal_list_page(*, user: User, query: QueryDict, size: int, **filters: Any) -> KeysetPage:
    """One page of the signals, newest first, starting after the previous page's last signal
    (keyset: no OFFSET). An administrator's total over the bank is counted at most once in
    five minutes per filter and shown as "about"."""
    signals = signal_list(user=user, **filters)

    def count() -> tuple[int, bool]:
        if user.role != Role.ADMIN:
            return signals.count(), False
        sql, params = signals.order_by().values("pk").query.sql_with_params()
        key = "signal-list-count:" + hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        return cast(int, cache.get_or_set(key, signals.count, SIGNAL_COUNT_SECONDS)), True

    return keyset_page(fetch=queryset_fetch(signals),
                       key_of=lambda signal: [signal.raised_at, signal.pk],
                       columns=SIGNAL_ORDER, order="signals", query=query, size=size,
                       count=count)


def team_choices_for_user(*, user: User) -> list[tuple[int, str]]:
    if user.role != Role.ADMIN:
        return []
    return [(team.pk, str(team)) for team in Team.objects.order_by("code")]


def _stale_days() -> Coalesce:
    """The administrators' number of days, read inside the card's own query."""
    return Coalesce(Subquery(SignalSettings.objects.filter(pk=1).values("stale_days")[:1]),
                    Value(STALE_DAYS_DEFAULT), output_field=IntegerField())


def stale_serious_signals(*, user: User) -> QuerySet[RiskSignal]:
    """Open serious signals older than the administrators' number of days, oldest first."""
    cutoff = Now() - Func(_stale_days(), template="make_interval(days => %(expressions)s)")
    return (signals_in_scope(user=user)
            .filter(status=RiskSignal.Status.OPEN, severity=RiskSignal.Severity.SERIOUS,
                    raised_at__lt=cutoff)
            .order_by("raised_at", "pk"))


def stale_signals_card(*, user: User) -> dict[str, Any]:
    rows, count = first_rows_and_count(stale_serious_signals(user=user)
                                       .select_related("customer")
                                       .annotate(stale_days=_stale_days()))
    return {"stale_signals": rows, "stale_signal_count": count}


def new_signals_card(*, user: User) -> dict[str, Any]:
    """The open signals raised in the last days on the user's customers, newest first: what
    the night's loan feed or a record check just found. One query."""
    rows, count = first_rows_and_count(
        signals_in_scope(user=user)
        .filter(status=RiskSignal.Status.OPEN,
                raised_at__gte=timezone.now() - timedelta(days=NEW_SIGNAL_DAYS))
        .select_related("customer").order_by("-raised_at", "-pk"))
    return {"new_signals": rows, "new_signal_count": count, "new_signal_days": NEW_SIGNAL_DAYS}


def recent_dismissals(*, user: User, days: int = DISMISSALS_DAYS) -> QuerySet[RiskSignal]:
    return (signals_in_scope(user=user)
            .filter(status=RiskSignal.Status.DISMISSED,
                    status_at__gte=timezone.now() - timedelta(days=days))
            .order_by("-status_at", "-pk"))


def dismissals_card(*, user: User) -> dict[str, Any]:
    rows, count = first_rows_and_count(recent_dismissals(user=user)
                                       .select_related("customer", "status_by"))
    return {"dismissals": rows, "dismissal_count": count, "dismissal_days": DISMISSALS_DAYS}
