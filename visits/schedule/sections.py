"""The customer sheet's Tasks section (contributed in hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import RevisitTask

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


def tasks_section(*, customer, user: User) -> dict:
    """The customer's open tasks, in one query whatever their number."""
    tasks = list(RevisitTask.objects.filter(customer=customer, status=RevisitTask.Status.OPEN)
                 .order_by("due_on", "pk"))
    return {"tasks": tasks}
