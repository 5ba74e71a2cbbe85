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


def visit_qualifies(*, visit) -> bool:
    """Whether a submitted visit counts for the schedule: on-site always; phone or video where
    the policy for the customer's risk group and kind says so; third-party inquiries and social
    media never."""
    from .models import RevisitPolicy

    if visit.method == "on_site":
        return True
    if visit.method not in ("phone", "video"):
        return False
    customer = visit.customer
    return RevisitPolicy.objects.filter(risk_group_id=customer.risk_group_id,
                                        customer_kind=customer.kind,
                                        remote_counts=True).exists()


def visit_submitted(*, visit) -> list[RevisitTask]:
    """Close the open tasks a submitted visit fulfils and plan the customer's next visit.

    Called inside the submit transaction. The task the visit names closes whatever its reason
    or the method. A qualifying visit also closes the open periodic task, and every other open
    task of the customer raised on or before the visit date (a visit made before an event was
    declared cannot answer it). The planner then sets the next periodic task from this visit.
    """
    from .planner import plan

    now = timezone.now()
    ids = set()
    if visit.task_id:
        ids.add(visit.task_id)
    if visit_qualifies(visit=visit):
        open_tasks = RevisitTask.objects.filter(customer_id=visit.customer_id,
                                                status=RevisitTask.Status.OPEN)
        ids.update(open_tasks.filter(reason=RevisitTask.Reason.PERIODIC)
                   .values_list("pk", flat=True))
        ids.update(open_tasks.exclude(reason=RevisitTask.Reason.PERIODIC)
                   .filter(created_at__date__lte=visit.visited_on)
                   .values_list("pk", flat=True))
    closed = list(RevisitTask.objects.select_for_update()
                  .filter(pk__in=ids, status=RevisitTask.Status.OPEN).order_by("pk"))
    for task in closed:
        task.status = RevisitTask.Status.DONE
        task.closed_at = now
        task.closed_by_id = visit.pk
        task.save(update_fields=["status", "closed_at", "closed_by"])
    plan(customer_ids=[visit.customer_id])
    return closed
