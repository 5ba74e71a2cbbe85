"""The visits' columns of the post-loan ledger and their table in a customer's workbook
(contributed in hooks.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from customers.ledger import SheetTable

from .models import Visit

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

# A visit corrected by a submitted amendment is read through the amendment, as everywhere. A
# quick contact (a call, a message) is not the revisit the ledger's "last visit" reports.
last_submitted = (Visit.objects.filter(customer=OuterRef("customer_id"),
                                       status=Visit.Status.SUBMITTED, kind=Visit.Kind.VISIT)
                  .exclude(Exists(Visit.objects.filter(amends=OuterRef("pk"),
                                                       status=Visit.Status.SUBMITTED)))
                  .order_by("-visited_on", "-pk"))



def sheet_tables(*, customer, user: User) -> list[SheetTable]:
    visits = (Visit.objects.filter(customer=customer)
              .select_related("officer").order_by("-visited_on", "-pk"))
    return [SheetTable(
        title=_("Visits"),
        headers=[_("visit date"), _("method"), _("visiting officer"), _("status"), _("place")],
        rows=[[v.visited_on, v.get_method_display(), str(v.officer), v.get_status_display(),
               v.place] for v in visits])]
