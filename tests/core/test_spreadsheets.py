"""Every CSV and Excel file the application writes keeps formula-like text as text
(loanwatch/core/spreadsheets.py), and numbers, negative ones included, as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import RiskGroup
from loanwatch.core.spreadsheets import FORMULA_STARTS, safe_cell
from tests.customers.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3+cmd|x!A0",
           "@SUM(1+1)*cmd|x!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_gains_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, Decimal("-1234.50"), 0, 3.5, "-12.50", "+3", "1e6", "",
                                   "贷后管理", "a=b", "(2026)京0108执1号", None])
def test_numbers_and_plain_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def _assert_no_formula(cells: list) -> None:
    for value in cells:
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            assert safe_cell(value) == value, f"a formula-like cell: {value!r}"


def test_chart_csv_neutralises_names_and_keeps_numbers(officer_client, officer):
    RiskGroup.objects.filter(code="normal").update(name_en=HOSTILE[0], name_zh=HOSTILE[2])
    LoanFactory(customer=CustomerFactory(officer=officer), balance=Decimal("250000.00"))
    response = officer_client.get(reverse("core:chart_csv", args=["risk-groups"]),
                                  HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    assert "'" + HOSTILE[0] in rows[0]
    _assert_no_formula([cell for row in rows for cell in row])
    column = rows[0].index("'" + HOSTILE[0])
    # The figures, as numbers: the balance in yuan, the officer's unit.
    assert [row[column] for row in rows[1:]] == ["1", "250000.0"]


@pytest.mark.parametrize(("name", "shown"), [
    ("customers:customer_export", [HOSTILE[1]]),
    ("customers:ledger_export", [HOSTILE[1], HOSTILE[2]]),
    ("customers:customer_sheet_export", [HOSTILE[1], HOSTILE[2], HOSTILE[3]])])
def test_excel_files_keep_formula_like_text_as_text(officer_client, officer, name, shown):
    customer = CustomerFactory(officer=officer, name=HOSTILE[1], phone=HOSTILE[3])
    LoanFactory(customer=customer, contract_number=HOSTILE[2])
    args = [customer.pk] if name == "customers:customer_sheet_export" else []
    response = officer_client.get(reverse(name, args=args))
    content = (b"".join(response.streaming_content) if response.streaming
               else response.content)
    book = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    _assert_no_formula(values)
    for text in shown:
        assert "'" + text in values


def test_the_templates_hold_no_formula(officer_client):
    book = load_workbook(io.BytesIO(officer_client.get(
        reverse("customers:import_template")).content))
    _assert_no_formula([cell.value for sheet in book.worksheets for row in sheet.iter_rows()
                        for cell in row])
    feed = officer_client.get(reverse("records:feed_template")).content.decode()
    _assert_no_formula([cell for row in csv.reader(io.StringIO(feed.lstrip("\ufeff")))
                        for cell in row])
