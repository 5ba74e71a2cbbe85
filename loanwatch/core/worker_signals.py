"""The worker's own heartbeat, separate from beat's tick; and the catch-up when a worker or
beat starts.

Beat's tick proves that beat sends and some worker runs; this proves a worker is running
anything at all, so that the admin home page can tell "beat stopped" from "no worker". It is
written after a task ends and when a worker starts, at most twice a minute, with one
conditional UPDATE (no read first), so the cost per task is one cheap statement.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery.signals import beat_init, task_postrun, worker_ready
from django.db import transaction
from django.utils import timezone

from . import hooks
from .models import Heartbeat

logger = logging.getLogger(__name__)

NAME = "worker"
EVERY = timedelta(seconds=30)


def worker_alive() -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = Heartbeat.objects.filter(name=NAME, at__lt=now - EVERY).update(at=now)
        if not updated and not Heartbeat.objects.filter(name=NAME).exists():
            Heartbeat.objects.get_or_create(name=NAME, defaults={"at": now})


def catch_up() -> None:
    """Ask for the periodic jobs a stopped worker or beat may have missed today.

    Beat keeps no memory we rely on: started after the planner time with a fresh schedule file
    (a recreated container), it would wait for tomorrow's run; a worker that was down at that
    time left the job to expire. Each "periodic_catch_up" contribution sends a job that runs
    only if its day's run has not finished, so two starts in a row cost nothing.
    """
    for send in hooks.get_hooks("periodic_catch_up"):
        try:
            send()
        except Exception:
            # The broker may still be starting: the hourly catch-up will ask again.
            logger.exception("periodic catch-up not sent")


@worker_ready.connect
def _on_worker_ready(**kwargs) -> None:
    worker_alive()
    catch_up()


@beat_init.connect
def _on_beat_init(**kwargs) -> None:
    catch_up()


@task_postrun.connect
def _on_task_done(**kwargs) -> None:
    # Celery's Django fix-up already closes stale connections around each task.
    worker_alive()
