from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from customers.selectors import portfolio_summary

from .broker import broker_available, broker_client, broker_ping
from .models import Heartbeat


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def broker_ok() -> bool:
    """An uncached check, for /healthz: monitoring wants the truth of this moment."""
    return broker_ping(timeout=1.0)


def heartbeat_last(*, name: str) -> datetime | None:
    return Heartbeat.objects.filter(name=name).values_list("at", flat=True).first()


def broker_queue_length(*, queue: str = "celery") -> int | None:
    """Tasks waiting in the broker, or None when it is not reachable right now."""
    import redis

    if not broker_available():
        return None
    try:
        return int(broker_client().llen(queue))
    except (redis.RedisError, OSError):
        return None


# --- Home pages -------------------------------------------------------------------------------
# Each returns the template context of one role's home page. Later features add their figures
# here, always as aggregate queries scoped to the user.


def officer_home(*, user) -> dict:
    from loanwatch.accounts.models import User
    from loanwatch.accounts.roles import Role

    # The team's officers and supervisors in one query, split here.
    members = list(
        User.objects.filter(team_id=user.team_id, is_active=True,
                            role__in=[Role.OFFICER, Role.SUPERVISOR]).order_by("full_name", "pk")
    ) if user.team_id else []
    return {"team": user.team,
            "colleagues": [m for m in members if m.role == Role.OFFICER and m.pk != user.pk],
            "supervisors": [m for m in members if m.role == Role.SUPERVISOR],
            "portfolio": portfolio_summary(user=user)}


def supervisor_home(*, user) -> dict:
    from loanwatch.accounts.models import User

    officers = (
        User.objects.filter(team_id=user.team_id, is_active=True, role="officer")
        .order_by("full_name")
        if user.team_id
        else User.objects.none()
    )
    return {"team": user.team, "officers": officers,
            "portfolio": portfolio_summary(user=user)}


def admin_home(*, user) -> dict:
    from django.db.models import Count, Q

    from loanwatch.accounts.models import Team, User

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
        "last_planner_run": _last_planner_run(),
        "broker_up": broker_available(),
        "queue_length": broker_queue_length(),
        "portfolio": bank_portfolio(user=user),
    }


BANK_PORTFOLIO_KEY = "home:bank-portfolio"
BANK_PORTFOLIO_SECONDS = 60


def bank_portfolio(*, user) -> dict:
    """The whole bank's book for the administrator's home page, kept for a minute and shown
    with the time it was counted.

    Summing a quarter of a million loans and counting a hundred thousand customers takes the
    database ~90 ms however it is indexed; every administrator sees the same figures, so they
    are counted at most once a minute per process instead of on every request.
    """
    figures = cache.get(BANK_PORTFOLIO_KEY)
    if figures is None:
        figures = {**portfolio_summary(user=user), "as_of": timezone.now()}
        cache.set(BANK_PORTFOLIO_KEY, figures, BANK_PORTFOLIO_SECONDS)
    return figures


def _last_planner_run():
    from visits.schedule.models import PlannerRun

    return PlannerRun.objects.order_by("-started_at").first()


def notifications_for(*, user):
    from .models import Notification

    return Notification.objects.filter(recipient=user).order_by("-created_at")


def notification_unread_count(*, user) -> int:
    from .models import Notification

    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
