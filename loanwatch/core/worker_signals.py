"""The worker's own heartbeat, separate from beat's tick.

Beat's tick proves that beat sends and some worker runs; this proves a worker is running
anything at all, so that the admin home page can tell "beat stopped" from "no worker". It is
written after a task ends and when a worker starts, at most twice a minute, with one
conditional UPDATE (no read first), so the cost per task is one cheap statement.
"""

from __future__ import annotations

from datetime import timedelta

from celery.signals import task_postrun, worker_ready
from django.db import transaction
from django.utils import timezone

from .models import Heartbeat

NAME = "worker"
EVERY = timedelta(seconds=30)


def worker_alive() -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=NAME, at__lt=now - EVERY).update(at=now)
        if not updated and not Heartbeat.objects.filter(name=NAME).exists():
            Heartbeat.objects.get_or_create(name=NAME, defaults={"at": now})


@worker_ready.connect
def _on_worker_ready(**kwargs) -> None:
    worker_alive()


@task_postrun.connect
def _on_task_done(**kwargs) -> None:
    # Celery's Django fix-up already closes stale connections around each task.
    worker_alive()
