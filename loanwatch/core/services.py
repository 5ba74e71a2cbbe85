from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .broker import broker_available
from .models import Heartbeat

logger = logging.getLogger(__name__)


def heartbeat_record(*, name: str) -> datetime:
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a Celery task once the current transaction commits.

    A broker outage must delay the work, never undo the user's save: a failure to publish is
    logged, and the periodic jobs that own the work pick it up from the database later.
    """

    def send() -> None:
        name = getattr(task, "name", task)
        if not broker_available():
            logger.warning("broker unavailable; %s left to its periodic job", name)
            return
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # any broker/transport error: the saved data stays saved
            logger.exception("could not enqueue %s; it will be retried by its periodic job", name)

    transaction.on_commit(send)
