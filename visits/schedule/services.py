"""Write services for revisit tasks, called by other apps.

Record checks and risk events raise tasks with `task_raise`; visits call `visit_submitted`
when a visit is submitted so that the tasks it fulfils close.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RevisitTask


def task_raise(*, customer, reason: str, due_on: datetime.date, note: str = "",
               source_key: str = "") -> tuple[RevisitTask, bool]:
    """Open a task for `customer` unless `source_key` already raised one; (task, created).

    Safe under concurrency: the unique constraint on (customer, source_key) decides, and the
    loser of a race reads the winner's row.
    """
    task = RevisitTask(customer=customer, officer_id=customer.officer_id, reason=reason,
                       note=note[:300], source_key=source_key, due_on=due_on)
    if not source_key:
        task.save()
        return task, True
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        # Raised before, or by a concurrent call that committed first: use that task.
        return RevisitTask.objects.get(customer=customer, source_key=source_key), False
    return task, True


def visit_submitted(*, visit) -> list[RevisitTask]:
    """Close the open tasks a submitted visit fulfils; returns them.

    The task the visit names is closed whatever its reason. (Which other open tasks a visit
    fulfils, and when the next periodic task falls due, is the revisit policy's to decide.)
    """
    closed = []
    if visit.task_id:
        task = RevisitTask.objects.select_for_update().get(pk=visit.task_id)
        if task.status == RevisitTask.Status.OPEN:
            task.status = RevisitTask.Status.DONE
            task.closed_at = timezone.now()
            task.save(update_fields=["status", "closed_at"])
            closed.append(task)
    return closed
