"""The revisit schedule's columns of the post-loan ledger and the customer's tasks in its
workbook (contributed in hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.ledger import SheetTable

from .models import RevisitTask

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


def days_overdue(due):
    if not due:
        return ""
    days = (timezone.localdate() - due).days
    return days if days > 0 else 0


next_due = Subquery(
    RevisitTask.objects.filter(customer=OuterRef("customer_id"),
                               status=RevisitTask.Status.OPEN)
    .order_by().values("customer").annotate(due=Min("due_on")).values("due"))



def sheet_tables(*, customer, user: User) -> list[SheetTable]:
    tasks = RevisitTask.objects.filter(customer=customer).order_by("-due_on", "-pk")
    return [SheetTable(
        title=_("Revisit tasks"),
        headers=[_("due"), _("reason"), _("note"), _("status"), _("planned for")],
        rows=[[t.due_on, t.get_reason_display(), t.note, t.get_status_display(),
               t.planned_on or ""] for t in tasks])]
