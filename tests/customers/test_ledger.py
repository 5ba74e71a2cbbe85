"""The post-loan ledger in Excel: one row per loan in the user's scope, with the last visit and
the next due date; one customer's information sheet as a workbook."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import RiskReport
from visits.models import Visit
from visits.schedule.models import RevisitTask

from .downloads import download
from .factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _book(officer, loans: int) -> None:
    for n in range(loans):
        LoanFactory(customer=CustomerFactory(officer=officer, name=f"台账客户{n:03d}"))


def test_ledger_lists_the_users_loans_with_visit_and_due_date(officer_client, officer,
                                                              officer_b):
    mine = CustomerFactory(officer=officer, name="台账甲公司")
    loan = LoanFactory(customer=mine, contract_number="LEDGER-1")
    LoanFactory(customer=CustomerFactory(officer=officer_b), contract_number="NOT-MINE")
    Visit.objects.create(customer=mine, officer=officer, visited_on=datetime.date(2026, 9, 1),
                         status=Visit.Status.SUBMITTED, submitted_at=timezone.now(),
                         submitted_by=officer)
    Visit.objects.create(customer=mine, officer=officer, visited_on=datetime.date(2026, 11, 1))
    Visit.objects.create(customer=mine, officer=officer, visited_on=datetime.date(2026, 10, 20),
                         kind=Visit.Kind.CONTACT, status=Visit.Status.SUBMITTED,
                         submitted_at=timezone.now(), submitted_by=officer)
    RiskReport.objects.create(customer=mine, author=officer, status="submitted",
                              warning_level="yellow", submitted_at=timezone.now())
    RiskReport.objects.create(customer=mine, author=officer, warning_level="red")  # a draft
    due = timezone.localdate() - datetime.timedelta(days=4)
    RevisitTask.objects.create(customer=mine, officer=officer, due_on=due,
                               reason=RevisitTask.Reason.PERIODIC)

    rows = _rows(download(officer_client, reverse("customers:ledger_export"),
                             HTTP_ACCEPT_LANGUAGE="en"))
    header, *body = rows
    assert [r[header.index("contract number")] for r in body] == ["LEDGER-1"]
    (row,) = body
    assert row[header.index("customer")] == "台账甲公司"
    assert row[header.index("outstanding balance (CNY)")] == float(loan.balance)
    # The draft of 1 November is not a visit made, the call of 20 October not a revisit; the
    # submitted visit of 1 September is.
    assert row[header.index("last visit")].date() == datetime.date(2026, 9, 1)
    assert row[header.index("next visit due")].date() == due
    assert row[header.index("days overdue")] == 4
    assert row[header.index("latest warning")] == "yellow"
    assert row[header.index("warning status")] == "awaiting decision"


def test_ledger_headers_follow_the_users_language(officer_client, officer):
    _book(officer, 1)
    header = _rows(download(officer_client, reverse("customers:ledger_export"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans"))[0]
    assert "合同编号" in header and "最近回访" in header and "下次回访到期日" in header


def test_ledger_follows_the_list_filters(supervisor_client, officer):
    LoanFactory(customer=CustomerFactory(officer=officer, name="筛选甲"), days_past_due=10,
                classification="special_mention")
    LoanFactory(customer=CustomerFactory(officer=officer, name="筛选乙"))
    rows = _rows(download(supervisor_client, reverse("customers:ledger_export") + "?overdue=1",
                         HTTP_ACCEPT_LANGUAGE="en"))
    assert [r[0] for r in rows[1:]] == ["筛选甲"]


def test_ledger_costs_the_same_queries_for_5_and_60_loans(officer_client, officer):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            officer_client.get(reverse("customers:ledger_export"))
        return len(captured)

    _book(officer, 5)
    small = count()
    _book(officer, 55)
    assert count() == small


def test_sheet_workbook_has_every_section(officer_client, officer):
    customer = CustomerFactory(officer=officer, name="工作簿公司")
    LoanFactory(customer=customer, contract_number="BOOK-1")
    response = officer_client.get(reverse("customers:customer_sheet_export", args=[customer.pk]),
                                  HTTP_ACCEPT_LANGUAGE="en")
    book = load_workbook(BytesIO(response.content))
    assert {"Identity", "Loans", "Collateral", "Guarantees", "Visits",
            "Revisit tasks", "Risk reports"} <= set(book.sheetnames)
    assert ["name", "工作簿公司"] in [list(r) for r in book["Identity"].iter_rows(
        values_only=True)]
    assert "BOOK-1" in [r[0] for r in book["Loans"].iter_rows(values_only=True)]


def test_another_officers_sheet_is_not_found(officer_client, officer_b):
    theirs = CustomerFactory(officer=officer_b)
    url = reverse("customers:customer_sheet_export", args=[theirs.pk])
    assert officer_client.get(url).status_code == 404


def test_sheet_prints_to_pdf_with_the_chinese_name(officer_client, officer):
    customer = CustomerFactory(officer=officer, name="打印测试机械有限公司")
    LoanFactory(customer=customer, contract_number="PDF-1")
    response = officer_client.get(reverse("customers:customer_sheet_pdf", args=[customer.pk]),
                                  HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "打印测试机械有限公司" in text and "PDF-1" in text
    assert "客户贷后管理信息表" in text


def test_ledger_keeps_the_look_and_never_makes_a_formula(supervisor_client, officer):
    LoanFactory(customer=CustomerFactory(officer=officer, name="=HYPERLINK(\"x\")"),
                balance=Decimal("1234.50"), disbursed_on=datetime.date(2025, 3, 1))
    sheet = load_workbook(BytesIO(download(supervisor_client, reverse("customers:ledger_export"),
                                           HTTP_ACCEPT_LANGUAGE="en"))).active
    header = [cell.value for cell in sheet[1]]
    assert all(cell.font.b for cell in sheet[1]) and sheet.freeze_panes == "A2"
    name = sheet.cell(row=2, column=header.index("customer") + 1)
    assert name.value == "'=HYPERLINK(\"x\")" and name.data_type == "s"
    balance = sheet.cell(row=2, column=header.index("outstanding balance (CNY)") + 1)
    assert balance.value == 1234.5 and balance.number_format == "#,##0.00"
    disbursed = sheet.cell(row=2, column=header.index("disbursement date") + 1)
    assert disbursed.value.date() == datetime.date(2025, 3, 1)
    assert disbursed.number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= 30  # the customer's name has room
