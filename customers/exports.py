"""The customer list as an Excel workbook, with the same scope and filters as the page."""

from __future__ import annotations

from io import BytesIO

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from loanwatch.core.spreadsheets import safe_row

from .models import Customer
from .selectors import worst_classification_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def customers_xlsx_response(*, customers: QuerySet[Customer]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Customers")[:31]
    sheet.append(safe_row([_("name"), _("kind"), _("USCC or resident ID"), _("industry"),
                           _("risk group"), _("officer"), _("team"), _("status"), _("loans"),
                           _("outstanding balance (CNY)"), _("days past due"),
                           _("worst classification")]))
    for customer in customers.iterator(chunk_size=500):
        sheet.append(safe_row([
            customer.name, customer.get_kind_display(), customer.identifier,
            str(customer.industry) if customer.industry else "", str(customer.risk_group),
            str(customer.officer), str(customer.team), customer.get_status_display(),
            customer.loan_count, customer.total_balance or 0,
            customer.max_days_past_due or 0,
            str(worst_classification_label(customer.worst_rank)),
        ]))
    for column, width in zip("ABCDEFGHIJKL", (30, 10, 22, 16, 10, 10, 18, 8, 6, 18, 10, 12),
                             strict=True):
        sheet.column_dimensions[column].width = width
    for cell in sheet["J"][1:]:
        cell.number_format = "#,##0.00"
    buffer = BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.xlsx"'
    return response
