"""Risk reports in the post-loan ledger and the customer's workbook (contributed in hooks.py):
the latest warning on the customer and where its report stands."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.ledger import SheetTable

from .models import RiskReport

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

# The customer's newest report that has left its author's drafts: its warning and status.
latest = (RiskReport.objects.filter(customer=OuterRef("customer_id"))
          .exclude(status=RiskReport.Status.DRAFT)
          .order_by("-submitted_at", "-pk"))


def label_of(choices):
    return lambda value: str(choices(value).label) if value else ""


def local_date(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def sheet_tables(*, customer, user: User) -> list[SheetTable]:
    reports = (RiskReport.objects.filter(customer=customer).select_related("author")
               .order_by("-created_at", "-pk"))
    return [SheetTable(
        title=_("Risk reports"),
        headers=[_("created"), _("author"), _("warning level"), _("status"), _("decided")],
        rows=[[r.created_at.date(), str(r.author), r.get_warning_level_display(),
               r.get_status_display(), r.decided_at.date() if r.decided_at else ""]
              for r in reports])]
