from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from . import services


@shared_task(name="loanwatch.core.tasks.beat_tick")
def beat_tick() -> str:
    """Sent by beat every minute and run by a worker: proves both are alive."""
    return services.heartbeat_record(name="beat").isoformat()


@shared_task(name="loanwatch.core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    call_command("clearsessions")
