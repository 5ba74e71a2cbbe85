from __future__ import annotations

from celery import shared_task

from loanwatch.core.runs import queued_ids

from . import folder, services
from .models import FeedRun


@shared_task(name="customers.feed.tasks.feed_run")
def feed_run(run_id: int) -> str:
    """Apply an uploaded loan-feed file; a run already started is left alone. A file from the
    watched folder moves to done/ or failed/ once its run is over."""
    try:
        run = services.feed_run_execute(run_id=run_id)
    finally:
        folder.feed_folder_finish(run=FeedRun.objects.defer("content").get(pk=run_id))
    return run.status


@shared_task(name="customers.feed.tasks.feed_folder_scan")
def feed_folder_scan() -> list[int]:
    """Beat, every few minutes: new files of FEED_DIR become runs (nothing when unset)."""
    return folder.feed_folder_pickup()


def send_queued() -> None:
    """At a worker's or beat's start: the runs whose job the broker lost (it was down when the
    upload committed). A run sent twice is applied once: the job starts only a queued run."""
    for pk in queued_ids(FeedRun):
        feed_run.apply_async(args=[pk])
