"""The visits' columns of the post-loan ledger and their table in a customer's workbook
(customers/ledger.py finds this module by name)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.ledger import LedgerColumn, SheetTable

from .models import Visit

# A visit corrected by a submitted amendment is read through the amendment, as everywhere.
_last_submitted = (Visit.objects.filter(customer=OuterRef("customer_id"),
                                        status=Visit.Status.SUBMITTED)
                   .exclude(Exists(Visit.objects.filter(amends=OuterRef("pk"),
                                                        status=Visit.Status.SUBMITTED)))
                   .order_by("-visited_on", "-pk"))

LOAN_COLUMNS = [
    LedgerColumn(key="ledger_last_visit", header=gettext_lazy("last visit"),
                 expression=Subquery(_last_submitted.values("visited_on")[:1]), width=12),
    LedgerColumn(key="ledger_last_visit_method", header=gettext_lazy("last visit method"),
                 expression=Subquery(_last_submitted.values("method")[:1]),
                 show=lambda value: str(Visit.Method(value).label) if value else "", width=10),
]


def sheet_tables(*, customer, user) -> list[SheetTable]:
    visits = (Visit.objects.filter(customer=customer)
              .select_related("officer").order_by("-visited_on", "-pk"))
    return [SheetTable(
        title=_("Visits"),
        headers=[_("visit date"), _("method"), _("visiting officer"), _("status"), _("place")],
        rows=[[v.visited_on, v.get_method_display(), str(v.officer), v.get_status_display(),
               v.place] for v in visits])]
