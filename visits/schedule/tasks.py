"""Beat jobs of the revisit schedule: each takes no model instance and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services
from .planner import PlanResult, plan, plan_if_missed

# The planner is safe to repeat, so a run cut off by a database outage is tried again, waiting
# longer each time (about 30 s, 1, 2, 4, 8 minutes); the hourly catch-up covers a longer outage.
PLANNER_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 30,
    "retry_backoff_max": 10 * 60,
    "retry_jitter": False,
    "max_retries": 5,
}


def _with_reminders(result: PlanResult) -> dict:
    # After the plan, so the reminders speak of today's tasks.
    outcome = result.as_dict()
    outcome.update(services.reminders_send())
    return outcome


@shared_task(name="visits.schedule.tasks.plan_revisits", **PLANNER_RETRY)
def plan_revisits() -> dict:
    """Each morning: plan the whole portfolio, then remind officers of what is due or overdue."""
    return _with_reminders(plan(trigger="beat"))


@shared_task(name="visits.schedule.tasks.plan_revisits_if_missed", **PLANNER_RETRY)
def plan_revisits_if_missed() -> dict | None:
    """Hourly: today's plan, if the planner time has passed and no run of today finished."""
    result = plan_if_missed()
    return None if result is None else _with_reminders(result)


@shared_task(name="visits.schedule.tasks.send_reminders")
def send_reminders() -> dict:
    return services.reminders_send()


@shared_task(name="visits.schedule.tasks.overdue_digest")
def overdue_digest() -> int:
    return services.overdue_digest_send()


def send_catch_up() -> None:
    """At a worker's or beat's start: today's plan, if the planner time passed without a run."""
    plan_revisits_if_missed.apply_async(expires=50 * 60)
