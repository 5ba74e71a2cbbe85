"""The post-loan ledger (贷后检查台账) as Excel: the portfolio, one row per loan, and one
customer's information sheet as a workbook.

The ledger's later columns (last visit, next due date, latest warning…) belong to the apps that
keep those records. Each such app may have a `ledger` module with
  - LOAN_COLUMNS: columns for the portfolio ledger, each an annotation on the loan query (so the
    whole file is one query however many loans it holds), and
  - sheet_tables(customer, user): tables for one customer's workbook;
found here by name, so the customers app never imports them (the sheet's sections work alike).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from io import BytesIO
from typing import Any

from django.db.models import Expression, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Customer, Loan
from .selectors import loan_to_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Apps whose `ledger` module adds columns and sheet tables, in the order they appear.
LEDGER_APPS = ("customers.records", "visits", "visits.schedule", "reports")


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the portfolio ledger: `expression` is annotated on the loan query under
    `key`; `show` turns the annotated value into the cell (a label for a code, say). A column
    without an expression shows the value another column annotated under `source`, so that one
    subquery can feed two columns."""

    key: str
    header: Promise | str
    expression: Expression | None = None
    show: Callable[[Any], Any] | None = None
    width: int = 14
    source: str = ""


@dataclass(frozen=True)
class SheetTable:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _ledger_modules() -> list:
    return [import_module(f"{app}.ledger") for app in LEDGER_APPS
            if find_spec(f"{app}.ledger") is not None]


def extra_columns() -> list[LedgerColumn]:
    return [column for module in _ledger_modules()
            for column in getattr(module, "LOAN_COLUMNS", [])]


BASE_COLUMNS: list[tuple[Promise, Callable[[Loan], Any], int]] = [
    (gettext_lazy("customer"), lambda loan: loan.customer.name, 30),
    (gettext_lazy("USCC or resident ID"), lambda loan: loan.customer.identifier, 22),
    (gettext_lazy("officer"), lambda loan: str(loan.customer.officer), 10),
    (gettext_lazy("team"), lambda loan: str(loan.customer.team), 14),
    (gettext_lazy("risk group"), lambda loan: str(loan.customer.risk_group), 10),
    (gettext_lazy("contract number"), lambda loan: loan.contract_number, 20),
    (gettext_lazy("amount (CNY)"), lambda loan: loan.amount, 16),
    (gettext_lazy("outstanding balance (CNY)"), lambda loan: loan.balance, 16),
    (gettext_lazy("disbursement date"), lambda loan: loan.disbursed_on, 12),
    (gettext_lazy("maturity date"), lambda loan: loan.matures_on, 12),
    (gettext_lazy("classification"), lambda loan: loan.get_classification_display(), 10),
    (gettext_lazy("days past due"), lambda loan: loan.days_past_due, 8),
]


def portfolio_loans(*, customers: QuerySet[Customer]) -> QuerySet[Loan]:
    """The loans of these (already scoped and filtered) customers, with every ledger column."""
    loans = (Loan.objects.filter(customer__in=customers.values("pk"))
             .select_related("customer__officer", "customer__team", "customer__risk_group")
             .order_by("customer__name", "customer_id", "contract_number"))
    columns = extra_columns()
    if columns:
        loans = loans.annotate(**{c.key: c.expression for c in columns if c.expression})
    return loans


def _as_text_not_formula(sheet) -> None:
    # A customer's name typed as "=…" must stay text: never let data become a formula.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _write(sheet, headers: list[str], rows: Iterable[list[Any]], widths: list[int]) -> None:
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
    _as_text_not_formula(sheet)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"


def _response(book: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def portfolio_xlsx_response(*, customers: QuerySet[Customer]) -> HttpResponse:
    columns = extra_columns()
    book = Workbook()
    sheet = book.active
    sheet.title = _("Post-loan ledger")[:31]
    headers = [str(h) for h, _value, _w in BASE_COLUMNS] + [str(c.header) for c in columns]
    widths = [w for _h, _value, w in BASE_COLUMNS] + [c.width for c in columns]

    def rows():
        for loan in portfolio_loans(customers=customers).iterator(chunk_size=2000):
            base = [value(loan) for _h, value, _w in BASE_COLUMNS]
            extra = []
            for column in columns:
                value = getattr(loan, column.source or column.key)
                extra.append(column.show(value) if column.show else value)
            yield base + ["" if v is None else v for v in extra]

    _write(sheet, headers, rows(), widths)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _response(book, f"ledger-{stamp}.xlsx")


def customer_sheet_tables(*, customer: Customer, user) -> list[SheetTable]:
    """The information sheet as tables: this app's, then each ledger app's."""
    identity = SheetTable(
        title=_("Identity"), headers=[_("field"), _("value")],
        rows=[[_("name"), customer.name], [_("kind"), customer.get_kind_display()],
              [_("USCC or resident ID"), customer.identifier],
              [_("industry"), str(customer.industry or "")],
              [_("registered address"), customer.registered_address],
              [_("operating or home address"), customer.address],
              [_("phone"), customer.phone], [_("officer"), str(customer.officer)],
              [_("team"), str(customer.team)], [_("risk group"), str(customer.risk_group)],
              [_("status"), customer.get_status_display()]])
    persons = SheetTable(
        title=_("Related persons"), headers=[_("role"), _("name"), _("stake %")],
        rows=[[r.get_role_display(), r.person.name, r.stake_pct]
              for r in customer.relations.all()])
    loans = list(customer.loans.all())
    loan_rows = []
    for loan in loans:
        ltv = loan_to_value(loan=loan)
        loan_rows.append([loan.contract_number, loan.amount, loan.balance, loan.disbursed_on,
                          loan.matures_on, loan.get_classification_display(),
                          loan.days_past_due, ", ".join(map(str, loan.guarantee_type_labels)),
                          ltv if ltv is not None else ""])
    loan_table = SheetTable(
        title=_("Loans"),
        headers=[_("contract number"), _("amount (CNY)"), _("outstanding balance (CNY)"),
                 _("disbursement date"), _("maturity date"), _("classification"),
                 _("days past due"), _("guarantee types"), _("LTV %")],
        rows=loan_rows)
    collateral = SheetTable(
        title=_("Collateral"),
        headers=[_("type"), _("description"), _("location"), _("appraised value (CNY)"),
                 _("current value (CNY)")],
        rows=[[c.get_kind_display(), c.description, c.location, c.appraised_value,
               c.current_value()] for c in customer.collaterals.all()])
    guarantees = SheetTable(
        title=_("Guarantees"),
        headers=[_("contract number"), _("guarantor"), _("guaranteed amount (CNY)")],
        rows=[[loan.contract_number, str(g), g.amount]
              for loan in loans for g in loan.guarantees.all()])
    tables = [identity, persons, loan_table, collateral, guarantees]
    for module in _ledger_modules():
        if hasattr(module, "sheet_tables"):
            tables += module.sheet_tables(customer=customer, user=user)
    return tables


def customer_xlsx_response(*, customer: Customer, user) -> HttpResponse:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in customer_sheet_tables(customer=customer, user=user):
        title = table.title[:31]
        while title in used:  # Excel refuses two sheets of one name
            title = title[:29] + f"{len(used):02d}"
        used.add(title)
        sheet = book.create_sheet(title)
        _write(sheet, table.headers, table.rows, [18] * len(table.headers))
    return _response(book, f"sheet-{customer.pk}.xlsx")


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def customer_pdf_response(*, customer: Customer, user) -> HttpResponse:
    """The information sheet printed: the same tables as the workbook, one after another."""
    from loanwatch.core import pdf

    title = _("Post-loan management information sheet")
    story = [pdf.para(title, "title"), pdf.para(customer.name, "heading"),
             pdf.para(_("Printed %(when)s by %(user)s") % {
                 "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "user": user},
                 "small"), pdf.spacer()]
    for table in customer_sheet_tables(customer=customer, user=user):
        story.append(pdf.para(table.title, "heading"))
        if not table.rows:
            story.append(pdf.para(_("None recorded."), "small"))
            continue
        width = pdf.CONTENT_WIDTH / len(table.headers)
        story.append(pdf.table([table.headers, *[[_cell(v) for v in row] for row in table.rows]],
                               [width] * len(table.headers)))
    body = pdf.render(story, title=f"{title} · {customer.name}",
                      footer=f"LoanWatch · {customer.name} · {customer.identifier}")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sheet-{customer.pk}.pdf"'
    return response
