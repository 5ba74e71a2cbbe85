from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from .models import Team, User
from .roles import Role


def user_list(*, search: str = "", team_id: int | None = None, role: str = "") -> QuerySet[User]:
    users = User.objects.select_related("team").order_by("username")
    if search:
        users = users.filter(
            Q(username__icontains=search) | Q(full_name__icontains=search)
            | Q(email__icontains=search)
        )
    if team_id:
        users = users.filter(team_id=team_id)
    if role in Role.values:
        users = users.filter(role=role)
    return users


def user_get(*, pk: int) -> User:
    user = User.objects.select_related("team").filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def team_list() -> QuerySet[Team]:
    return Team.objects.annotate(
        member_count=Count("members", filter=Q(members__is_active=True))
    ).order_by("code")


def team_get(*, pk: int) -> Team:
    team = (
        Team.objects.prefetch_related(
            Prefetch("members", queryset=User.objects.order_by("username"))
        )
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise Http404
    return team


@dataclass(frozen=True)
class SignInFailures:
    """Recent failed sign-ins with one username from one address."""

    ip_address: str | None
    failures: int
    last_at: datetime
    locked: bool  # this username may not sign in from this address now
    address_refused: bool  # nobody may: the address failed too often with any usernames


@dataclass(frozen=True)
class SignInState:
    """A user's failed sign-ins still within the cool-off time, per address, latest first."""

    addresses: list[SignInFailures]
    failure_limit: int

    @property
    def locked(self) -> bool:
        return any(a.locked or a.address_refused for a in self.addresses)


def user_sign_in_state(*, user: User) -> SignInState:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(username=user.username, attempt_time__gte=since)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last_at=Max("attempt_time"))
        .order_by("-last_at")
    )
    per_address: dict[str | None, int] = {}
    if rows:
        # The same addresses' failures with every username: the address rule of lockout.py.
        per_address = dict(
            AccessAttempt.objects.filter(ip_address__in=[r["ip_address"] for r in rows],
                                         attempt_time__gte=since)
            .values("ip_address").annotate(failures=Sum("failures_since_start"))
            .values_list("ip_address", "failures")
        )
    addresses = [
        SignInFailures(
            ip_address=row["ip_address"], failures=row["failures"], last_at=row["last_at"],
            locked=row["failures"] >= settings.AXES_FAILURE_LIMIT,
            address_refused=per_address.get(row["ip_address"], 0)
            >= settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        )
        for row in rows
    ]
    return SignInState(addresses=addresses, failure_limit=settings.AXES_FAILURE_LIMIT)
