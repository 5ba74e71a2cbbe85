from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import redis
from django.db import connection
from django.db.models import Count, Q

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role

from .broker import broker_available, broker_client, broker_ping
from .models import Heartbeat, Notification

if TYPE_CHECKING:
    from django.db.models import QuerySet




def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        return False


def broker_ok() -> bool:
    """An uncached check, for /healthz: monitoring wants the truth of this moment."""
    return broker_ping(timeout=1.0)


def heartbeat_last(*, name: str) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def broker_queue_length(*, queue: str = "celery") -> int | None:
    """Tasks waiting in the broker, or None when it is not reachable right now."""
    if not broker_available():
        return None
    try:
        return int(broker_client().llen(queue))
    except (redis.RedisError, OSError):
        return None


# --- Home pages -------------------------------------------------------------------------------
# Each returns core's own part of one role's home page; the apps' cards come from the
# "home_cards" hooks (loanwatch/core/home.py).


def officer_home(*, user: User) -> dict[str, Any]:
    # The team's officers and supervisors in one query, split here.
    members = list(
        User.objects.filter(team_id=user.team_id, is_active=True,
                            role__in=[Role.OFFICER, Role.SUPERVISOR]).order_by("full_name", "pk")
    ) if user.team_id else []
    return {"team": user.team,
            "colleagues": [m for m in members if m.role == Role.OFFICER and m.pk != user.pk],
            "supervisors": [m for m in members if m.role == Role.SUPERVISOR]}


def supervisor_home(*, user: User) -> dict[str, Any]:
    officers = (
        User.objects.filter(team_id=user.team_id, is_active=True, role="officer")
        .order_by("full_name")
        if user.team_id
        else User.objects.none()
    )
    return {"team": user.team, "officers": officers}


def admin_home(*, user: User) -> dict[str, Any]:
    teams = Team.objects.annotate(
        officer_count=Count("members", filter=Q(members__role="officer",
                                                members__is_active=True)),
        supervisor_count=Count("members", filter=Q(members__role="supervisor",
                                                   members__is_active=True)),
    ).order_by("code")
    beats = dict(Heartbeat.objects.filter(name__in=["beat", "worker"]).values_list("name", "at"))
    return {
        "teams": teams,
        "user_count": User.objects.filter(is_active=True).count(),
        "last_beat": beats.get("beat"),
        "last_worker": beats.get("worker"),
        "broker_up": broker_available(),
        "queue_length": broker_queue_length(),
    }


def notifications_for(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
