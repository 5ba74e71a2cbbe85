from __future__ import annotations

from celery import shared_task
from django.core.management import call_command

from . import held, once, runs, services


@shared_task(name="loanwatch.core.tasks.beat_tick")
def beat_tick() -> str:
    """Sent by beat every minute and run by a worker: proves both are alive."""
    return services.heartbeat_record(name="beat").isoformat()


@shared_task(name="loanwatch.core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Nightly: expired sessions, form keys too old for any retry to come back, and posts held
    across an idle-out that nobody came back for."""
    call_command("clearsessions")
    once.forget_old()
    held.forget_old()


@shared_task(name="loanwatch.core.tasks.notification_send_email")
def notification_send_email(notification_id: int) -> bool:
    return services.notification_email(notification_id=notification_id)


@shared_task(name="loanwatch.core.tasks.notifications_sweep")
def notifications_sweep() -> int:
    """The outbox sweep: mail what was not mailed (broker was down, or a worker died)."""
    sent = 0
    for pk in services.notification_pending_ids():
        sent += services.notification_email(notification_id=pk)
    return sent


@shared_task(name="loanwatch.core.tasks.runs_fail_stale")
def runs_fail_stale() -> int:
    """Beat, every few minutes, and a worker's start: file runs whose worker stopped are failed
    (loanwatch/core/runs.py)."""
    return runs.runs_fail_stale()
