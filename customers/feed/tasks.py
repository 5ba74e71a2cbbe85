from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="customers.feed.tasks.feed_run")
def feed_run(run_id: int) -> str:
    """Apply an uploaded loan-feed file; a run already started is left alone."""
    return services.feed_run_execute(run_id=run_id).status
