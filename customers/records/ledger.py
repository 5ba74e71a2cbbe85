"""Record checks in the post-loan ledger and the customer's workbook (contributed in
hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from customers.ledger import SheetTable

from .models import RecordCheck
from .selectors import checks_of_customer

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

last_check = Subquery(
    RecordCheck.objects.filter(customer=OuterRef("customer_id"), person__isnull=True)
    .order_by().values("customer").annotate(last=Max("checked_on")).values("last"))



def sheet_tables(*, customer, user: User) -> list[SheetTable]:
    return [SheetTable(
        title=_("Record checks"),
        headers=[_("checked on"), _("subject"), _("source"), _("findings")],
        rows=[[c.checked_on, c.subject_name, c.get_source_display(),
               "; ".join(f.message for f in c.findings.all())]
              for c in checks_of_customer(customer=customer)])]
