"""Beat jobs of the revisit schedule: each takes no model instance and calls one service."""

from __future__ import annotations

from celery import shared_task

from . import services
from .planner import plan


@shared_task(name="visits.schedule.tasks.plan_revisits")
def plan_revisits() -> dict:
    """Each morning: plan the whole portfolio, then remind officers of what is due or overdue
    (after the plan, so the reminders speak of today's tasks)."""
    result = plan(trigger="beat").as_dict()
    result.update(services.reminders_send())
    return result


@shared_task(name="visits.schedule.tasks.send_reminders")
def send_reminders() -> dict:
    return services.reminders_send()


@shared_task(name="visits.schedule.tasks.overdue_digest")
def overdue_digest() -> int:
    return services.overdue_digest_send()
