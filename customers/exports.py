"""The customer list as an Excel workbook, with the same scope and filters as the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from .ledger import XLSX, _Book, streamed_file_response
from .models import Customer
from .selectors import worst_classification_label

__all__ = ["XLSX", "customers_xlsx_response", "customers_xlsx_write"]

WIDTHS = [30, 10, 22, 16, 10, 10, 18, 8, 6, 18, 10, 12]


def customers_xlsx_write(*, customers: QuerySet[Customer], path: str,
                         progress: Callable[[int], None] | None = None) -> int:
    """Write the customers to `path`, read from a server-side cursor into a constant-memory
    workbook; returns the rows written."""
    headers = [_("name"), _("kind"), _("USCC or resident ID"), _("industry"), _("risk group"),
               _("officer"), _("team"), _("status"), _("loans"),
               _("outstanding balance (CNY)"), _("days past due"), _("worst classification")]

    def rows() -> Iterator[list[Any]]:
        for customer in customers.iterator(chunk_size=2000):
            yield [customer.name, customer.get_kind_display(), customer.identifier,
                   str(customer.industry) if customer.industry else "",
                   str(customer.risk_group), str(customer.officer), str(customer.team),
                   customer.get_status_display(), customer.loan_count,
                   customer.total_balance or 0, customer.max_days_past_due or 0,
                   str(worst_classification_label(customer.worst_rank))]

    book = _Book(path)
    written = book.sheet(_("Customers")[:31], [str(h) for h in headers], rows(), WIDTHS,
                         progress)
    book.book.close()
    return written


def customers_xlsx_response(*, customers: QuerySet[Customer]) -> HttpResponseBase:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return streamed_file_response(
        write=lambda path: customers_xlsx_write(customers=customers, path=path),
        filename=f"customers-{stamp}.xlsx")
