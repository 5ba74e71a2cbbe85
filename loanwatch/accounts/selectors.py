from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

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


def user_is_locked(*, user: User) -> bool:
    """Whether sign-in is locked for this username now (failures within the cool-off time)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    return AccessAttempt.objects.filter(
        username=user.username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).exists()

