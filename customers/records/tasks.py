from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="customers.records.tasks.record_checks_remind")
def record_checks_remind() -> int:
    """Sent by beat each morning: officers hear how many of their subjects are due."""
    return services.reminders_send()
