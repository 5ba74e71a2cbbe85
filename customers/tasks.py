"""Beat jobs of the customers app: each takes no model instance and calls one service."""

from __future__ import annotations

from celery import shared_task

from . import signals


@shared_task(name="customers.tasks.expire_signals")
def expire_signals() -> int:
    """Each night: open notices and warnings past the administrators' limit expire. A repeated
    or retried run finds nothing left to expire."""
    return signals.signals_expire()
