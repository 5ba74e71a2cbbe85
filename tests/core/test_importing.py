"""The importer skeleton, through a loan-status feed declared here as one more spec: every
encoding and file kind, headers in either language, every bad row named, the row limit, and
nothing written unless every row is good."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from customers.models import Classification, Loan
from loanwatch.core import importing
from loanwatch.core.importing import Column, ImportRejected, Row
from tests.customers.factories import LoanFactory
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS

STATUS = [("active", "active"), ("settled", "settled"), ("written_off", "written off")]

LOAN_STATUS = importing.Spec(columns=(
    Column("contract_number", "合同编号", "contract number", True, aliases=("合同号",)),
    Column("as_of", "数据日期", "as of", True, parse=importing.day),
    Column("balance", "贷款余额", "balance", True, parse=importing.decimal_number),
    Column("principal_overdue", "逾期本金", "principal overdue",
           parse=importing.decimal_number),
    Column("interest_overdue", "逾期利息", "interest overdue", parse=importing.decimal_number),
    Column("days_past_due", "逾期天数", "days past due", parse=importing.whole_number,
           aliases=("DPD",)),
    Column("next_due_on", "下次还款日", "next due on", parse=importing.day),
    Column("matures_on", "到期日", "matures on", parse=importing.day),
    Column("status", "贷款状态", "status", True,
           parse=importing.Choice(STATUS, words={"正常": "active", "结清": "settled",
                                                 "核销": "written_off"},
                                  message="Write active, settled or written_off.")),
    Column("classification", "五级分类", "classification",
           parse=importing.Choice(Classification.choices, message="Unknown classification.")),
), max_rows=50)


class LoanStatusImport(importing.Importer[list[tuple[Loan, dict[str, Any]]]]):
    spec = LOAN_STATUS

    def plan(self, rows: list[Row]) -> list[tuple[Loan, dict[str, Any]]]:
        loans = Loan.objects.in_bulk([r.get("contract_number", "") for r in rows
                                      if "\x00" not in r.get("contract_number", "")],
                                     field_name="contract_number")
        planned = []
        for row in rows:
            before = len(self.problems)
            cells = self.cells(row)
            loan = loans.get(cells["contract_number"] or "")
            if cells["contract_number"] and loan is None:
                self.problem(row, "contract_number", "No such contract.")
            values = {"balance": cells["balance"],
                      "days_past_due": cells["days_past_due"] or 0}
            if cells["classification"]:
                values["classification"] = cells["classification"]
            # The fields judge what parsed; an empty or a bad cell is reported already.
            self.fields(row, model=Loan, values={k: v for k, v in values.items() if v is not None})
            if len(self.problems) == before and loan is not None:
                planned.append((loan, values))
        return planned

    def write(self, plan: list[tuple[Loan, dict[str, Any]]]) -> dict[str, int]:
        for loan, values in plan:
            if values["balance"] > loan.amount:  # as a constraint found only while writing
                raise ImportRejected([importing.Problem(0, "", "Balance above the amount.")])
            Loan.objects.filter(pk=loan.pk).update(**values)
        return {"loans": len(plan)}


HEADERS_EN = ["contract number", "as of", "balance", "principal overdue", "interest overdue",
              "days past due", "next due on", "matures on", "status", "classification"]
HEADERS_ZH = ["合同编号", "数据日期", "贷款余额", "逾期本金", "逾期利息", "逾期天数",
              "下次还款日", "到期日", "贷款状态", "五级分类"]


def line(contract: str = "HT-1", **overrides: str) -> list[str]:
    values = {"contract_number": contract, "as_of": "2026-11-29", "balance": "750,000.00",
              "principal_overdue": "0", "interest_overdue": "1200.5", "days_past_due": "3",
              "next_due_on": "2026/12/21", "matures_on": "20270115", "status": "正常",
              "classification": "关注"}
    values.update(overrides)
    return [values[c.key] for c in LOAN_STATUS.columns]


def csv_upload(rows: list[list[str]], headers: list[str] = HEADERS_ZH,
               encoding: str = "utf-8") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("feed.csv", text.getvalue().encode(encoding))


def xlsx_upload(rows: list[list[Any]], headers: list[str] = HEADERS_EN) -> SimpleUploadedFile:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("feed.xlsx", buffer.getvalue())


def jsonl_upload(rows: list[list[str]], headers: list[str] = HEADERS_EN) -> SimpleUploadedFile:
    lines = [json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False)
             for row in rows]
    return SimpleUploadedFile("feed.jsonl", "\n".join(lines).encode())


def read(upload: SimpleUploadedFile) -> list[Row]:
    return importing.read_rows(upload, spec=LOAN_STATUS)


def problems(upload_or_rows: Any) -> set[tuple[int, str]]:
    with pytest.raises(ImportRejected) as rejected:
        rows = upload_or_rows if isinstance(upload_or_rows, list) else read(upload_or_rows)
        LoanStatusImport(acting_user=None).check(rows)
    return {(p.row, p.column) for p in rejected.value.problems}


EXPECTED = {"_row": 2, "contract_number": "HT-1", "as_of": "2026-11-29",
            "balance": "750,000.00", "principal_overdue": "0", "interest_overdue": "1200.5",
            "days_past_due": "3", "next_due_on": "2026/12/21", "matures_on": "20270115",
            "status": "正常", "classification": "关注"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_every_encoding_reads_the_same(encoding):
    assert read(csv_upload([line()], encoding=encoding)) == [EXPECTED]


def test_xlsx_and_json_lines_read_as_the_csv_does():
    assert read(xlsx_upload([line()])) == [EXPECTED]
    numbers = line(as_of=date(2026, 11, 29), balance=750000.0, days_past_due=3)  # typed cells
    assert read(xlsx_upload([numbers]))[0] | {"balance": "750,000.00"} == EXPECTED
    lines = jsonl_upload([line(), line("HT-2")])
    assert [r["_row"] for r in read(lines)] == [1, 2]  # a JSON line's row is its line


@pytest.mark.parametrize("headers", [
    HEADERS_EN, HEADERS_ZH,
    [c.header for c in LOAN_STATUS.columns],  # as a template writes them: 合同编号 contract number
    [f"{c.en} {c.zh}" for c in LOAN_STATUS.columns],
    [c.key.upper() for c in LOAN_STATUS.columns],  # CONTRACT_NUMBER
    ["  Contract   Number ", "AS OF", "Balance", "principal_overdue", "Interest Overdue", "DPD",
     "next_due_on", "Matures On", "\ufeffStatus", "五级分类 "],
])
def test_headers_in_either_language_ignoring_case_spaces_and_underscores(headers):
    assert read(csv_upload([line()], headers=headers)) == [EXPECTED]


@translation.override("en")
def test_an_unknown_column_is_ignored_a_missing_or_doubled_one_is_named():
    rows = read(csv_upload([[*line(), "x"]], headers=[*HEADERS_ZH, "备注"]))
    assert "备注" not in rows[0]
    with pytest.raises(ImportRejected) as missing:
        read(csv_upload([line()[1:]], headers=HEADERS_ZH[1:]))
    assert [(p.row, p.column) for p in missing.value.problems] == [
        (1, "合同编号 contract number")]
    with pytest.raises(ImportRejected) as twice:
        read(csv_upload([[*line(), "HT-2"]], headers=[*HEADERS_ZH, "contract number"]))
    assert [(p.row, p.reason) for p in twice.value.problems] == [
        (1, "This column appears twice.")]


@pytest.mark.parametrize(("name", "content"), [
    ("feed.xls", b"old excel"), ("feed.xlsx", b"not a zip"), ("feed.csv", b""),
    ("feed.csv", b"\n\n"), ("feed.jsonl", b'{"contract number": "HT-1"}\n[1, 2]\n'),
    ("feed.jsonl", b"{not json"), ("feed.csv", "合同编号\n".encode()),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(name, content):
    with pytest.raises(ImportRejected) as rejected:
        read(SimpleUploadedFile(name, content))
    assert rejected.value.problems and all(p.reason for p in rejected.value.problems)


@translation.override("en")
def test_the_row_limit_stops_reading():
    with pytest.raises(ImportRejected) as rejected:
        read(csv_upload([line(f"HT-{n}") for n in range(51)]))
    assert [p.reason for p in rejected.value.problems] == ["At most 50 rows per file."]
    assert len(read(csv_upload([line(f"HT-{n}") for n in range(50)]))) == 50


@pytest.mark.django_db
def test_every_bad_row_is_named_with_its_column():
    for n in range(1, 8):
        LoanFactory(contract_number=f"HT-{n}")
    upload = csv_upload([
        line("HT-1"),
        line("HT-2", balance="lots"),                              # row 3
        line("HT-3", as_of="2026-02-30", status="?"),              # row 4: two problems
        line("HT-4", days_past_due="²"),                           # row 5
        line("HT-9"),                                              # row 6: no such contract
        line("HT-5", classification="好"),                         # row 7
        line("HT-6", days_past_due=str(10**12)),                   # row 8: the field's limit
        line("", balance=""),                                      # row 9: required cells
        line("HT-7", interest_overdue="1e999"),                    # row 10
    ])
    assert problems(upload) == {
        (3, "贷款余额 balance"), (4, "数据日期 as of"), (4, "贷款状态 status"),
        (5, "逾期天数 days past due"), (6, "合同编号 contract number"),
        (7, "五级分类 classification"), (8, "逾期天数 days past due"),
        (9, "合同编号 contract number"), (9, "贷款余额 balance"), (10, "逾期利息 interest overdue")}


@pytest.mark.django_db
def test_the_reasons_are_in_the_users_language():
    LoanFactory(contract_number="HT-1")
    rows = read(csv_upload([line("HT-1", balance="lots", as_of="someday")]))
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as rejected:
        LoanStatusImport(acting_user=None).check(rows)
    assert sorted(p.reason for p in rejected.value.problems) == [
        "“lots”不是数字。", "“someday”不是日期（YYYY-MM-DD）。"]


@pytest.mark.django_db
def test_a_nul_is_named_before_any_lookup():
    LoanFactory(contract_number="HT-1")
    assert problems([{"_row": 2, **{k: v for k, v in EXPECTED.items() if k != "_row"},
                      "contract_number": "HT-\x00"}]) == {(2, "合同编号 contract number")}


@pytest.mark.django_db
def test_a_good_file_is_applied():
    loan = LoanFactory(contract_number="HT-1")
    rows = read(xlsx_upload([line("HT-1", classification="substandard", days_past_due="95")]))
    assert LoanStatusImport(acting_user=None).apply(rows) == {"loans": 1}
    loan.refresh_from_db()
    assert (loan.balance, loan.days_past_due, loan.classification) == (
        Decimal("750000.00"), 95, "substandard")


@pytest.mark.django_db
def test_one_bad_row_anywhere_writes_nothing():
    loans = [LoanFactory(contract_number=f"HT-{n}") for n in range(1, 31)]
    good = [line(f"HT-{n}", balance="1.00") for n in range(1, 31)]
    good[29] = line("HT-30", balance="-1")  # the last row: the field refuses a negative
    with pytest.raises(ImportRejected) as rejected:
        LoanStatusImport(acting_user=None).apply(read(csv_upload(good)))
    assert [(p.row, p.column) for p in rejected.value.problems] == [(31, "贷款余额 balance")]
    assert {loan.balance for loan in Loan.objects.filter(pk__in=[x.pk for x in loans])} == {
        Decimal("800000.00")}


@pytest.mark.django_db
def test_a_problem_found_while_writing_undoes_what_was_written():
    LoanFactory(contract_number="HT-1")
    LoanFactory(contract_number="HT-2")
    rows = read(csv_upload([line("HT-1", balance="1.00"), line("HT-2", balance="9999999")]))
    with pytest.raises(ImportRejected):
        LoanStatusImport(acting_user=None).apply(rows)
    assert set(Loan.objects.values_list("balance", flat=True)) == {Decimal("800000.00")}


def test_a_header_naming_two_columns_is_a_mistake_in_the_spec():
    with pytest.raises(ValueError, match="names two columns"):
        importing.Spec(columns=(Column("a", "甲", "first", aliases=("x",)),
                                Column("b", "乙", "second", aliases=("X",))))


@HYPOTHESIS
@given(raw=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".jsonl"]))
def test_any_bytes_are_read_or_refused_never_an_error(raw, suffix):
    try:
        rows = read(SimpleUploadedFile(f"feed{suffix}", raw))
    except ImportRejected as rejected:
        assert rejected.problems
    else:
        assert all(isinstance(r["_row"], int) and all(isinstance(v, str) for k, v in r.items()
                                                      if k != "_row") for r in rows)


@pytest.mark.django_db
@HYPOTHESIS
@given(cells=st.fixed_dictionaries({
    "as_of": HOSTILE_DATE, "balance": HOSTILE_NUMBER, "interest_overdue": HOSTILE_NUMBER,
    "days_past_due": HOSTILE_NUMBER, "status": HOSTILE_TEXT, "classification": HOSTILE_TEXT}))
def test_hostile_cells_are_named_or_applied_never_an_error(cells):
    loan = Loan.objects.filter(contract_number="HT-H").first() or LoanFactory(
        contract_number="HT-H")
    rows = [{"_row": 2, **{k: v for k, v in EXPECTED.items() if k != "_row"},
             "contract_number": "HT-H", **cells}]
    before = Loan.objects.values_list("balance", "days_past_due").get(pk=loan.pk)
    try:
        LoanStatusImport(acting_user=None).apply(rows)
    except ImportRejected as rejected:
        assert rejected.problems
        assert Loan.objects.values_list("balance", "days_past_due").get(pk=loan.pk) == before
