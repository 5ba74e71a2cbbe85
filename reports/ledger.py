"""Risk reports in the post-loan ledger and the customer's workbook (customers/ledger.py finds
this module by name): the latest warning on the customer and where its report stands."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.ledger import LedgerColumn, SheetTable

from .models import RiskReport, WarningLevel

# The customer's newest report that has left its author's drafts: its warning and status.
_latest = (RiskReport.objects.filter(customer=OuterRef("customer_id"))
           .exclude(status=RiskReport.Status.DRAFT)
           .order_by("-submitted_at", "-pk"))


def _label(choices):
    return lambda value: str(choices(value).label) if value else ""


LOAN_COLUMNS = [
    LedgerColumn(key="ledger_warning", header=gettext_lazy("latest warning"),
                 expression=Subquery(_latest.values("warning_level")[:1]),
                 show=_label(WarningLevel), width=10),
    LedgerColumn(key="ledger_warning_status", header=gettext_lazy("warning status"),
                 expression=Subquery(_latest.values("status")[:1]),
                 show=_label(RiskReport.Status), width=12),
]


def sheet_tables(*, customer, user) -> list[SheetTable]:
    reports = (RiskReport.objects.filter(customer=customer).select_related("author")
               .order_by("-created_at", "-pk"))
    return [SheetTable(
        title=_("Risk reports"),
        headers=[_("created"), _("author"), _("warning level"), _("status"), _("decided")],
        rows=[[r.created_at.date(), str(r.author), r.get_warning_level_display(),
               r.get_status_display(), r.decided_at.date() if r.decided_at else ""]
              for r in reports])]
