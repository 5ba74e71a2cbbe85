"""The revisit schedule's columns of the post-loan ledger and the customer's tasks in its
workbook (customers/ledger.py finds this module by name)."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.ledger import LedgerColumn, SheetTable

from .models import RevisitTask


def _days_overdue(due):
    if not due:
        return ""
    days = (timezone.localdate() - due).days
    return days if days > 0 else 0


_next_due = Subquery(
    RevisitTask.objects.filter(customer=OuterRef("customer_id"),
                               status=RevisitTask.Status.OPEN)
    .order_by().values("customer").annotate(due=Min("due_on")).values("due"))

LOAN_COLUMNS = [
    LedgerColumn(key="ledger_next_due", header=gettext_lazy("next visit due"),
                 expression=_next_due, width=12),
    LedgerColumn(key="ledger_days_overdue", header=gettext_lazy("days overdue"),
                 source="ledger_next_due", show=_days_overdue, width=8),
]


def sheet_tables(*, customer, user) -> list[SheetTable]:
    tasks = RevisitTask.objects.filter(customer=customer).order_by("-due_on", "-pk")
    return [SheetTable(
        title=_("Revisit tasks"),
        headers=[_("due"), _("reason"), _("note"), _("status"), _("planned for")],
        rows=[[t.due_on, t.get_reason_display(), t.note, t.get_status_display(),
               t.planned_on or ""] for t in tasks])]
