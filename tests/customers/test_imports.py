"""Import of customers with loans: all or nothing, every bad row named."""

from __future__ import annotations

import csv
import io
import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from customers import imports
from customers.models import Customer, Loan

from .factories import CustomerFactory, resident_id, uscc

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in imports.COLUMNS]


def row(n: int, **overrides) -> list[str]:
    values = {"kind": "法人", "name": f"导入企业{n}", "identifier": uscc(1000 + n),
              "industry": "", "address": "", "phone": "", "officer": "", "risk_group": "",
              "contract_number": f"IMP-{n:04d}", "amount": "1,000,000", "balance": "500000",
              "disbursed_on": "2025-01-15", "matures_on": "2027/01/15", "purpose": "流动资金",
              "repayment_method": "bullet", "repayment_source": "经营收入",
              "guarantee_types": "保证，抵押", "days_past_due": "0", "classification": "正常"}
    values.update(overrides)
    return [values[c.key] for c in imports.COLUMNS]


def xlsx(rows: list[list[str]]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("ledger.xlsx", buffer.getvalue())


def csv_file(rows: list[list[str]], headers=HEADERS) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return SimpleUploadedFile("ledger.csv", text.getvalue().encode("utf-8-sig"))


def upload_and_confirm(client, upload):
    preview = client.post(reverse("customers:customer_import"), {"file": upload},
                          HTTP_ACCEPT_LANGUAGE="en")
    confirm = client.post(reverse("customers:customer_import"), {"confirm": "1"},
                          HTTP_ACCEPT_LANGUAGE="en")
    return preview, confirm


def test_a_valid_file_is_previewed_then_imported(officer_client, officer):
    rows = [row(n) for n in range(30)]
    rows.append(row(0, contract_number="IMP-EXTRA"))  # a second loan of the first customer
    rows.append(row(99, kind="个人", name="王个体", identifier=resident_id(5),
                    **{c.key: "" for c in imports.COLUMNS if c.loan}))  # no loan yet
    preview, confirm = upload_and_confirm(officer_client, xlsx(rows))
    assert "import-preview" in preview.content.decode()
    assert confirm.status_code == 302
    assert Customer.objects.filter(officer=officer).count() == 31
    assert Loan.objects.count() == 31
    assert Loan.objects.get(contract_number="IMP-EXTRA").customer.name == "导入企业0"
    assert Loan.objects.get(contract_number="IMP-0001").guarantee_types == ["guaranteed",
                                                                             "mortgage"]


def test_one_bad_row_among_many_writes_nothing_and_names_it(officer_client):
    rows = [row(n) for n in range(40)]
    good = rows[17][2]
    rows[17][2] = good[:17] + ("0" if good[-1] != "0" else "1")  # a typing error: row 19
    preview = officer_client.post(reverse("customers:customer_import"), {"file": xlsx(rows)},
                                  HTTP_ACCEPT_LANGUAGE="en")
    page = preview.content.decode()
    assert "import-problems" in page and "import-preview" not in page
    assert "<td>19</td>" in page and "USCC or resident ID" in page and "check character" in page
    assert officer_client.post(reverse("customers:customer_import"),
                               {"confirm": "1"}).status_code == 302
    assert not Customer.objects.exists() and not Loan.objects.exists()


def test_every_problem_is_reported_with_row_and_column(officer):
    CustomerFactory(officer=officer, identifier=uscc(1003))
    rows = [row(1, balance="2000000"), row(2, days_past_due="100", classification="关注"),
            row(3), row(4, disbursed_on="someday"), row(5, contract_number="IMP-0001")]
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.check_rows(rows=imports.read_file(csv_file(rows)), acting_user=officer)
    found = {(p.row, p.column.split(" ", 1)[1]) for p in rejected.value.problems}
    assert found == {(2, "balance"), (3, "classification"), (4, "USCC or resident ID"),
                     (5, "disbursement date"), (6, "contract number")}


def test_csv_with_english_headers(officer):
    rows = [row(1)]
    upload = csv_file(rows, headers=[c.en for c in imports.COLUMNS])
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [p.data["name"] for p in plan] == ["导入企业1"]


def test_supervisor_must_name_an_officer_of_the_team(supervisor, officer, officer_b):
    rows = [row(1, officer=officer.username), row(2, officer=officer_b.username)]
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.check_rows(rows=imports.read_file(xlsx(rows)), acting_user=supervisor)
    assert [(p.row, p.column) for p in rejected.value.problems] == [
        (3, imports.BY_KEY["officer"].header)]


def test_the_template_has_both_languages_and_a_valid_example(officer_client, officer):
    response = officer_client.get(reverse("customers:import_template"))
    sheet = load_workbook(BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert "客户名称 name" in headers and "合同编号 contract number" in headers
    upload = SimpleUploadedFile("template.xlsx", response.content)
    assert len(imports.check_rows(rows=imports.read_file(upload), acting_user=officer)) == 1


# Values each column's model field refuses, though the cell reads well: before the fields judged
# the preview, the preview passed them and the confirmation died in the database.
REFUSED_BY_THE_FIELD = {
    "name": "长" * 201,
    "phone": "1" * 40,
    "address": "址" * 301,
    "contract_number": "H" * 51,
    "purpose": "用" * 301,
    "days_past_due": str(10**12),
}


@pytest.mark.parametrize("key", sorted(REFUSED_BY_THE_FIELD))
def test_preview_and_confirmation_agree_on_what_a_field_holds(officer, key):
    rows = [row(1), row(2, **{key: REFUSED_BY_THE_FIELD[key]}),
            row(3, **{key: REFUSED_BY_THE_FIELD[key]})]
    if key == "days_past_due":  # so many days past due need the classification "loss"
        rows[1][imports.COLUMNS.index(imports.BY_KEY["classification"])] = "损失"
        rows[2][imports.COLUMNS.index(imports.BY_KEY["classification"])] = "损失"
    read = imports.read_file(xlsx(rows))
    with pytest.raises(imports.ImportRejected) as preview:
        imports.check_rows(rows=read, acting_user=officer)
    with pytest.raises(imports.ImportRejected) as confirmation:
        imports.import_rows(rows=read, acting_user=officer)
    expected = {(3, imports.BY_KEY[key].header), (4, imports.BY_KEY[key].header)}
    assert {(p.row, p.column) for p in preview.value.problems} == expected  # every bad row
    assert preview.value.problems == confirmation.value.problems
    assert not Customer.objects.exists() and not Loan.objects.exists()


def test_a_nul_in_a_csv_cell_is_named_not_a_server_error(officer_client, officer):
    rows = [row(1), row(2, name="导入企业\x00")]
    assert "\x00" in imports.read_file(csv_file(rows))[1]["name"]  # Python's csv reads NUL
    preview, confirm = upload_and_confirm(officer_client, csv_file(rows))
    page = preview.content.decode()
    assert "import-problems" in page and "import-preview" not in page
    assert "<td>3</td>" in page and "Null characters are not allowed." in page
    assert confirm.status_code == 302  # nothing was kept to confirm
    assert not Customer.objects.exists()


def test_a_day_count_in_digits_that_are_not_ascii_is_named(officer):
    with pytest.raises(imports.ImportRejected) as rejected:
        imports.check_rows(rows=imports.read_file(xlsx([row(1, days_past_due="²")])),
                           acting_user=officer)
    assert [(p.row, p.column) for p in rejected.value.problems] == [
        (2, imports.BY_KEY["days_past_due"].header)]


@pytest.mark.parametrize("headers", [
    [c.zh for c in imports.COLUMNS],
    [f"{c.en} {c.zh}" for c in imports.COLUMNS],
    [c.en.upper() for c in imports.COLUMNS],
    [f"  {c.key}  " for c in imports.COLUMNS],  # identifier, disbursed_on …
])
def test_headers_in_either_language_in_any_case(officer, headers):
    plan = imports.check_rows(rows=imports.read_file(csv_file([row(1)], headers=headers)),
                              acting_user=officer)
    assert [(p.data["name"], len(p.loans)) for p in plan] == [("导入企业1", 1)]


def test_a_csv_saved_by_chinese_excel_in_gb18030(officer):
    text = io.StringIO()
    csv.writer(text).writerows([[c.zh for c in imports.COLUMNS], row(1)])
    upload = SimpleUploadedFile("ledger.csv", text.getvalue().encode("gb18030"))
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [p.data["name"] for p in plan] == ["导入企业1"]


def test_json_lines_keyed_by_the_headers(officer):
    lines = [json.dumps(dict(zip([c.en for c in imports.COLUMNS], row(n), strict=True)),
                        ensure_ascii=False) for n in (1, 2)]
    upload = SimpleUploadedFile("ledger.jsonl", "\n".join(lines).encode())
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [(p.row, p.data["name"]) for p in plan] == [(1, "导入企业1"), (2, "导入企业2")]


def _truncated_workbook() -> bytes:
    return xlsx([row(1)]).read()[:700]


@pytest.mark.parametrize(("name", "content"), [
    ("ledger.xlsx", _truncated_workbook),
    ("ledger.xlsx", lambda: bytes(range(256)) * 8),
    ("ledger.xlsx", lambda: b""),
    ("ledger.csv", lambda: "客户名称\n".encode("utf-16")),
])
def test_a_broken_file_gets_a_message_and_changes_nothing(officer_client, name, content):
    upload = SimpleUploadedFile(name, content())
    response = officer_client.post(reverse("customers:customer_import"), {"file": upload},
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert any(words in page for words in ("cannot be read", "no rows", "is empty",
                                           "nothing was saved"))
    assert not Customer.objects.exists()
