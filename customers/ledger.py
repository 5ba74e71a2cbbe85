"""The post-loan ledger (贷后检查台账) as Excel: the portfolio, one row per loan, and one
customer's information sheet as a workbook.

The ledger's later columns (last visit, next due date, latest warning…) belong to the apps that
keep those records. Each such app contributes, in its `hooks.py`,
  - "ledger_columns": LedgerColumns for the portfolio ledger, each an annotation on the loan
    query (so the whole file is one query however many loans it holds), and
  - "customer_workbook_tables": functions (customer=, user=) -> [SheetTable] for one customer's
    workbook;
so the customers app never imports them (the sheet's sections work alike).
"""

from __future__ import annotations

import datetime
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import BaseExpression
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from xlsxwriter import Workbook

from loanwatch.accounts.models import Team, User
from loanwatch.core import hooks, pdf
from loanwatch.core.spreadsheets import safe_cell, safe_row

from .models import Classification, Customer, Loan, RiskGroup, RiskStateChange
from .selectors import loan_to_value, risk_changes_readable

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 2000  # rows between two progress reports of an export job


@dataclass(frozen=True)
class LedgerColumn:
    """One column of the portfolio ledger: `expression` is annotated on the loan query under
    `key`; `show` turns the annotated value into the cell (a label for a code, say). A column
    without an expression shows the value another column annotated under `source`, so that one
    subquery can feed two columns."""

    key: str
    header: Promise | str
    expression: BaseExpression | None = None
    show: Callable[[Any], Any] | None = None
    width: int = 14
    source: str = ""


@dataclass(frozen=True)
class SheetTable:
    title: str
    headers: list[str]
    rows: list[list[Any]]


def extra_columns() -> list[LedgerColumn]:
    return hooks.get_hooks("ledger_columns")


@dataclass
class _Names:
    """What the ledger shows for the ids in a loan's row, looked up once per file: a row read as
    values costs a fraction of a loan with its customer, officer, team and risk group built as
    model instances, which took more of a team's ledger than writing it."""

    officers: dict[int, str]
    teams: dict[int, str]
    risk_groups: dict[int, str]
    classifications: dict[str, str]

    @classmethod
    def of(cls, customers: QuerySet[Customer]) -> _Names:
        return cls(
            officers={u.pk: str(u) for u in User.objects.filter(
                pk__in=customers.values("officer_id"))},
            teams={t.pk: str(t) for t in Team.objects.filter(pk__in=customers.values("team_id"))},
            risk_groups={g.pk: str(g) for g in RiskGroup.objects.all()},
            classifications={value: str(label) for value, label in Classification.choices},
        )


# The loan's row as `portfolio_loans` reads it, and the base columns made from it.
BASE_FIELDS = ("customer__name", "customer__identifier", "customer__officer_id",
               "customer__team_id", "customer__risk_group_id", "contract_number", "amount",
               "balance", "disbursed_on", "matures_on", "classification", "days_past_due")
BASE_COLUMNS: list[tuple[Promise, Callable[[dict, _Names], Any], int]] = [
    (gettext_lazy("customer"), lambda row, names: row["customer__name"], 30),
    (gettext_lazy("USCC or resident ID"), lambda row, names: row["customer__identifier"], 22),
    (gettext_lazy("officer"), lambda row, names: names.officers[row["customer__officer_id"]], 10),
    (gettext_lazy("team"), lambda row, names: names.teams[row["customer__team_id"]], 14),
    (gettext_lazy("risk group"),
     lambda row, names: names.risk_groups[row["customer__risk_group_id"]], 10),
    (gettext_lazy("contract number"), lambda row, names: row["contract_number"], 20),
    (gettext_lazy("amount (CNY)"), lambda row, names: row["amount"], 16),
    (gettext_lazy("outstanding balance (CNY)"), lambda row, names: row["balance"], 16),
    (gettext_lazy("disbursement date"), lambda row, names: row["disbursed_on"], 12),
    (gettext_lazy("maturity date"), lambda row, names: row["matures_on"], 12),
    (gettext_lazy("classification"),
     lambda row, names: names.classifications.get(row["classification"], row["classification"]),
     10),
    (gettext_lazy("days past due"), lambda row, names: row["days_past_due"], 8),
]


def portfolio_loans(*, customers: QuerySet[Customer]) -> QuerySet[Loan]:
    """The loans of these (already scoped and filtered) customers, with every ledger column, as
    rows of values (BASE_FIELDS and each column's key)."""
    loans = (Loan.objects.filter(customer__in=customers.values("pk"))
             .order_by("customer__name", "customer_id", "contract_number"))
    columns = [c for c in extra_columns() if c.expression]
    if columns:
        loans = loans.annotate(**{c.key: c.expression for c in columns})
    return loans.values(*BASE_FIELDS, *(c.key for c in columns))


class _Book:
    """A workbook written straight to XML as rows arrive (xlsxwriter): the ledger of a team
    (over a thousand loans) spent most of its time building openpyxl's cells and styles.

    What the reader sees is what openpyxl made: a bold header row that stays in view, the
    columns' widths, amounts as numbers with thousands separators and two decimals, dates as
    yyyy-mm-dd, and every text as text — through safe_cell, so a name typed as "=…" never
    becomes a formula.
    """

    def __init__(self, path: str | None = None) -> None:
        options = {"strings_to_formulas": False, "strings_to_numbers": False,
                   "strings_to_urls": False}
        self.buffer = BytesIO()
        if path is None:  # one customer's sheet: small, kept in memory
            self.book = Workbook(self.buffer, {"in_memory": True, **options})
        else:
            # A portfolio: each row goes to disk as it is written, so memory stays flat
            # whatever the number of loans (rows must then come in order, as they do here).
            self.book = Workbook(path, {"constant_memory": True, **options})
        self.bold = self.book.add_format({"bold": True})
        self.amount = self.book.add_format({"num_format": "#,##0.00"})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})

    def sheet(self, title: str, headers: list[str], rows: Iterable[list[Any]],
              widths: list[int], progress: Callable[[int], None] | None = None) -> int:
        """Write a sheet; returns its rows (header aside), telling `progress` every
        PROGRESS_EVERY rows."""
        sheet = self.book.add_worksheet(title)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(1, 0)
        sheet.write_row(0, 0, safe_row([str(header) for header in headers]), self.bold)
        written = 0
        for written, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                self._cell(sheet, written, column, value)
            if progress is not None and written % PROGRESS_EVERY == 0:
                progress(written)
        return written

    def _cell(self, sheet, row: int, column: int, value: Any) -> None:
        if value is None or (isinstance(value, str) and not value):
            return  # an empty cell, as openpyxl left it
        if isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, Decimal):
            sheet.write_number(row, column, value, self.amount)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value)
        elif isinstance(value, datetime.date):  # datetimes too, as openpyxl showed them
            sheet.write_datetime(row, column, value, self.day)
        else:
            sheet.write_string(row, column, safe_cell(str(value)))

    def response(self, filename: str) -> HttpResponse:
        self.book.close()
        response = HttpResponse(self.buffer.getvalue(), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


def portfolio_xlsx_write(*, customers: QuerySet[Customer], path: str,
                         progress: Callable[[int], None] | None = None) -> int:
    """Write the ledger of these customers' loans to `path`, rows streamed from a server-side
    cursor into a constant-memory workbook; returns the rows written."""
    columns = extra_columns()
    headers = [str(h) for h, _value, _w in BASE_COLUMNS] + [str(c.header) for c in columns]
    widths = [w for _h, _value, w in BASE_COLUMNS] + [c.width for c in columns]
    # A column's few distinct values (a code, a due date) are shown once each, not once per
    # loan: a label is a translation lookup.
    shown: dict[tuple[str, Any], Any] = {}

    def show(column: LedgerColumn, value: Any) -> Any:
        key = (column.key, value)
        if key not in shown:
            shown[key] = column.show(value)
        return shown[key]

    def rows():
        names = _Names.of(customers)
        for loan in portfolio_loans(customers=customers).iterator(chunk_size=2000):
            base = [value(loan, names) for _h, value, _w in BASE_COLUMNS]
            extra = []
            for column in columns:
                value = loan[column.source or column.key]
                extra.append(show(column, value) if column.show else value)
            yield base + ["" if v is None else v for v in extra]

    book = _Book(path)
    written = book.sheet(_("Post-loan ledger")[:31], headers, rows(), widths, progress)
    book.book.close()
    return written


def streamed_file_response(*, write: Callable[[str], Any], filename: str) -> FileResponse:
    """A workbook written to a temporary file and sent from it in chunks: a small scope's
    download stays immediate without holding the file in memory."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write(path)
        stream = open(path, "rb")  # noqa: SIM115  (the response closes it)
    finally:
        # Unlinked at once: the open file is read to the end, then its space is freed.
        os.unlink(path)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


def portfolio_xlsx_response(*, customers: QuerySet[Customer]) -> HttpResponseBase:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return streamed_file_response(
        write=lambda path: portfolio_xlsx_write(customers=customers, path=path),
        filename=f"ledger-{stamp}.xlsx")


def customer_sheet_tables(*, customer: Customer, user: User) -> list[SheetTable]:
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
    changes = risk_changes_readable(rows=list(
        RiskStateChange.objects.filter(customer=customer).select_related("by")))
    history = SheetTable(
        title=_("Risk-state history"),
        headers=[_("when"), _("source"), _("changes"), _("by"), _("reason")],
        rows=[[timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"), c.get_source_display(),
               "; ".join(c.lines), str(c.by or ""), c.reason] for c in changes])
    tables = [identity, persons, loan_table, collateral, guarantees, history]
    for more in hooks.call("customer_workbook_tables", customer=customer, user=user):
        tables += more
    return tables


def _customer_book(*, customer: Customer, user: User) -> _Book:
    book = _Book()
    used: set[str] = set()
    for table in customer_sheet_tables(customer=customer, user=user):
        title = table.title[:31]
        while title.lower() in used:  # Excel refuses two sheets of one name, in any case
            title = title[:29] + f"{len(used):02d}"
        used.add(title.lower())
        book.sheet(title, table.headers, table.rows, [18] * len(table.headers))
    return book


def customer_xlsx_response(*, customer: Customer, user: User) -> HttpResponse:
    return _customer_book(customer=customer, user=user).response(f"sheet-{customer.pk}.xlsx")


# A sheet is a dozen queries and a small workbook: a team's five hundred take a worker under a
# minute; the bank's hundred thousand would take it hours and make a file nobody opens. Beyond
# this many customers the list must be narrowed first (a team, an officer, a filter).
SHEETS_MAX = 2000


def sheets_zip_write(*, customers: QuerySet[Customer], user: User, path: str,
                     progress: Callable[[int], None] | None = None) -> int:
    """Each customer's information sheet as its own workbook, in one ZIP file written member by
    member (memory holds one workbook at a time); returns how many."""
    written = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for customer in (customers.select_related(None)
                         .select_related("officer", "team", "risk_group", "industry")
                         .iterator(chunk_size=200)):
            book = _customer_book(customer=customer, user=user)
            book.book.close()
            name = slugify(customer.name, allow_unicode=True) or "customer"
            archive.writestr(f"{customer.identifier or customer.pk}-{name}.xlsx",
                             book.buffer.getvalue())
            written += 1
            if progress is not None and written % 50 == 0:
                progress(written)
    return written


def _cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def customer_pdf_response(*, customer: Customer, user: User) -> HttpResponse:
    """The information sheet printed: the same tables as the workbook, one after another."""
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
