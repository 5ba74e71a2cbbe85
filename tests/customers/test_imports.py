"""Import of customers with loans: a background run, all or nothing, every bad row named;
existing customers and loans updated by identifier and contract number."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from customers import imports
from customers.models import Customer, ImportRun, Loan
from tests.factories import UserFactory

from .factories import CustomerFactory, LoanFactory, resident_id, uscc

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


def run_import(upload: SimpleUploadedFile, user) -> ImportRun:
    """What the job does with an uploaded file, in this process."""
    upload.seek(0)
    run = imports.import_run_create(name=upload.name, content=upload.read(), acting_user=user,
                                    language="en", enqueue=False)
    return imports.import_run_execute(run_id=run.pk)


def upload_and_run(client, upload, user):
    """The upload answers with the queued run's page; the job then runs it (here, in this
    process); the run's page shows the result."""
    response = client.post(reverse("customers:customer_import"), {"file": upload},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    run = ImportRun.objects.get(uploaded_by=user)
    assert response["Location"] == reverse("customers:import_run", kwargs={"pk": run.pk})
    imports.import_run_execute(run_id=run.pk)
    return client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")


def test_a_valid_file_is_imported_by_the_job(officer_client, officer):
    rows = [row(n) for n in range(30)]
    rows.append(row(0, contract_number="IMP-EXTRA"))  # a second loan of the first customer
    rows.append(row(99, kind="个人", name="王个体", identifier=resident_id(5),
                    **{c.key: "" for c in imports.COLUMNS if c.loan}))  # no loan yet
    page = upload_and_run(officer_client, xlsx(rows), officer).content.decode()
    assert 'id="import-result"' in page
    assert "Customers: 31 created, 0 updated. Loans: 31 created, 0 updated." in page
    assert Customer.objects.filter(officer=officer).count() == 31
    assert Loan.objects.count() == 31
    assert Loan.objects.get(contract_number="IMP-EXTRA").customer.name == "导入企业0"
    assert Loan.objects.get(contract_number="IMP-0001").guarantee_types == ["guaranteed",
                                                                             "mortgage"]


def test_one_bad_row_among_many_writes_nothing_and_names_it(officer_client, officer):
    rows = [row(n) for n in range(40)]
    good = rows[17][2]
    rows[17][2] = good[:17] + ("0" if good[-1] != "0" else "1")  # a typing error: row 19
    page = upload_and_run(officer_client, xlsx(rows), officer).content.decode()
    assert "import-problems" in page and "import-result" not in page
    assert "<td>19</td>" in page and "USCC or resident ID" in page and "check character" in page
    assert ImportRun.objects.get().status == "rejected"
    assert not Customer.objects.exists() and not Loan.objects.exists()


def test_every_problem_is_reported_with_row_and_column(officer, officer_b):
    # Found by the row checks, and by the database's against what is there: a customer of
    # another officer's book.
    CustomerFactory(officer=officer_b, identifier=uscc(1003))
    rows = [row(1, balance="2000000"), row(2, days_past_due="100", classification="关注"),
            row(3), row(4, disbursed_on="someday"), row(5, contract_number="IMP-0001")]
    run = run_import(csv_file(rows), officer)
    found = {(p["row"], p["column"].split(" ", 1)[1]) for p in run.errors}
    assert found == {(2, "balance"), (3, "classification"), (4, "USCC or resident ID"),
                     (5, "disbursement date"), (6, "contract number")}
    assert run.status == "rejected" and Customer.objects.count() == 1


def test_csv_with_english_headers(officer):
    rows = [row(1)]
    upload = csv_file(rows, headers=[c.en for c in imports.COLUMNS])
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [p[3] for p in plan.customers] == ["导入企业1"]


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
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert (len(plan.customers), len(plan.loans)) == (1, 1)


# Values each column's model field refuses, though the cell reads well: the check names them
# before the database would refuse them.
REFUSED_BY_THE_FIELD = {
    "name": "长" * 201,
    "phone": "1" * 40,
    "address": "址" * 301,
    "contract_number": "H" * 51,
    "purpose": "用" * 301,
    "days_past_due": str(10**12),
}


@pytest.mark.parametrize("key", sorted(REFUSED_BY_THE_FIELD))
def test_the_check_and_the_run_agree_on_what_a_field_holds(officer, key):
    rows = [row(1), row(2, **{key: REFUSED_BY_THE_FIELD[key]}),
            row(3, **{key: REFUSED_BY_THE_FIELD[key]})]
    if key == "days_past_due":  # so many days past due need the classification "loss"
        rows[1][imports.COLUMNS.index(imports.BY_KEY["classification"])] = "损失"
        rows[2][imports.COLUMNS.index(imports.BY_KEY["classification"])] = "损失"
    read = imports.read_file(xlsx(rows))
    with pytest.raises(imports.ImportRejected) as check, translation.override("en"):
        imports.check_rows(rows=read, acting_user=officer)
    run = run_import(xlsx(rows), officer)
    expected = {(3, imports.BY_KEY[key].header), (4, imports.BY_KEY[key].header)}
    assert {(p.row, p.column) for p in check.value.problems} == expected  # every bad row
    assert [(p.row, p.column, p.reason) for p in check.value.problems] == [
        (p["row"], p["column"], p["reason"]) for p in run.errors]
    assert not Customer.objects.exists() and not Loan.objects.exists()


def test_a_nul_in_a_csv_cell_is_named_not_a_server_error(officer_client, officer):
    rows = [row(1), row(2, name="导入企业\x00")]
    assert "\x00" in imports.read_file(csv_file(rows))[1]["name"]  # Python's csv reads NUL
    page = upload_and_run(officer_client, csv_file(rows), officer).content.decode()
    assert "import-problems" in page and "import-result" not in page
    assert "<td>3</td>" in page and "Null characters are not allowed." in page
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
    assert ([p[3] for p in plan.customers], len(plan.loans)) == (["导入企业1"], 1)


def test_a_csv_saved_by_chinese_excel_in_gb18030(officer):
    text = io.StringIO()
    csv.writer(text).writerows([[c.zh for c in imports.COLUMNS], row(1)])
    upload = SimpleUploadedFile("ledger.csv", text.getvalue().encode("gb18030"))
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [p[3] for p in plan.customers] == ["导入企业1"]


def test_json_lines_keyed_by_the_headers(officer):
    lines = [json.dumps(dict(zip([c.en for c in imports.COLUMNS], row(n), strict=True)),
                        ensure_ascii=False) for n in (1, 2)]
    upload = SimpleUploadedFile("ledger.jsonl", "\n".join(lines).encode())
    plan = imports.check_rows(rows=imports.read_file(upload), acting_user=officer)
    assert [(p[0], p[3]) for p in plan.customers] == [(1, "导入企业1"), (2, "导入企业2")]


def _truncated_workbook() -> bytes:
    return xlsx([row(1)]).read()[:700]


@pytest.mark.parametrize(("name", "content"), [
    ("ledger.xlsx", _truncated_workbook),
    ("ledger.xlsx", lambda: bytes(range(256)) * 8),
    ("ledger.xlsx", lambda: b""),
    ("ledger.csv", lambda: "客户名称\n".encode("utf-16")),
])
def test_a_broken_file_gets_a_message_and_changes_nothing(officer_client, officer, name,
                                                          content):
    upload = SimpleUploadedFile(name, content())
    response = officer_client.post(reverse("customers:customer_import"), {"file": upload},
                                   HTTP_ACCEPT_LANGUAGE="en")
    if response.status_code == 302:  # stored as a run; the job finds what is wrong
        imports.import_run_execute(run_id=ImportRun.objects.get().pk)
        response = officer_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert any(words in page for words in ("cannot be read", "no rows", "is empty",
                                           "nothing was saved"))
    assert not Customer.objects.exists()


# --- Updates ----------------------------------------------------------------------------------


def test_existing_customers_and_loans_are_updated_by_identifier_and_contract(officer):
    customer = CustomerFactory(officer=officer, identifier=uscc(1001), name="旧名称",
                               phone="010-1")
    LoanFactory(customer=customer, contract_number="IMP-0001", purpose="旧用途",
                amount=Decimal("1000000"), balance=Decimal("500000"))
    before = Customer.objects.get().version
    rows = [row(1, name="新名称", phone="", contract_number="IMP-0001", purpose="新用途",
                balance="500000", classification=""),
            row(1, name="新名称", contract_number="IMP-NEW"),  # a new loan of the same customer
            row(2)]  # a new customer
    run = run_import(xlsx(rows), officer)
    assert run.status == "applied", run.errors
    assert (run.customers_created, run.customers_updated, run.loans_created,
            run.loans_updated) == (1, 1, 2, 1)
    customer.refresh_from_db()
    # An empty optional cell kept what was there; the version moved, so an open form reloads.
    assert (customer.name, customer.phone, customer.version) == ("新名称", "010-1", before + 1)
    assert Loan.objects.get(contract_number="IMP-0001").purpose == "新用途"
    assert set(customer.loans.values_list("contract_number", flat=True)) == {"IMP-0001",
                                                                              "IMP-NEW"}
    # The same file again changes nothing.
    again = run_import(xlsx(rows[:1]), officer)
    assert (again.customers_updated, again.loans_updated, again.loans_created) == (0, 0, 0)


def test_the_figures_the_bank_owns_are_refused_not_changed(officer):
    customer = CustomerFactory(officer=officer, identifier=uscc(1001))
    LoanFactory(customer=customer, contract_number="IMP-0001", balance=Decimal("500000"),
                days_past_due=0, classification="pass")
    rows = [row(1, balance="400000", days_past_due="5", classification="关注")]
    run = run_import(xlsx(rows), officer)
    assert run.status == "rejected"
    assert sorted(p["column"] for p in run.errors) == sorted(
        imports.BY_KEY[k].header for k in ("balance", "days_past_due", "classification"))
    assert "(500000.00)" in run.errors[0]["reason"] or any(
        "500000.00" in p["reason"] for p in run.errors)
    assert Loan.objects.get().balance == Decimal("500000")


def test_an_officer_updates_only_their_own_book_and_moves_nobody(officer, officer_b,
                                                                 supervisor):
    CustomerFactory(officer=officer_b, identifier=uscc(1001), name="别人的客户")
    CustomerFactory(officer=officer, identifier=uscc(1002), name="我的客户")
    run = run_import(xlsx([row(1), row(2, officer=officer_b.username)]), officer)
    reasons = {p["row"]: p["reason"] for p in run.errors}
    assert "another officer" in reasons[2]
    assert 3 in reasons  # officer_b is not an officer this officer may name
    # A supervisor updates the team's customers, but an import never reassigns one.
    other = UserFactory(role="officer", team=officer.team)
    run = run_import(xlsx([row(2, officer=other.username)]), supervisor)
    assert [p["column"] for p in run.errors] == [imports.BY_KEY["officer"].header]
    assert "does not move" in run.errors[0]["reason"]
    run = run_import(xlsx([row(2, name="我的客户（新）", officer="")]), supervisor)
    assert run.status == "applied", run.errors
    assert Customer.objects.get(identifier=uscc(1002)).name == "我的客户（新）"
    assert Customer.objects.get(identifier=uscc(1001)).name == "别人的客户"


def test_a_contract_of_another_customer_is_refused(officer):
    LoanFactory(customer=CustomerFactory(officer=officer, identifier=uscc(1001)),
                contract_number="IMP-0002")
    # customer 2 claims contract IMP-0002
    run = run_import(xlsx([row(2, balance="800000")]), officer)
    assert [(p["row"], p["column"]) for p in run.errors] == [
        (2, imports.BY_KEY["contract_number"].header)]


def test_what_a_run_writes_is_traceable_to_it(officer):
    CustomerFactory(officer=officer, identifier=uscc(1001))
    run = run_import(xlsx([row(1, name="改名"), row(2)]), officer)
    events = (Customer.pgh_event_model.objects.select_related("pgh_context")
              .exclude(pgh_context=None).order_by("pgh_label"))  # not the factory's insert
    assert [(e.pgh_label, e.pgh_context.metadata["import_run"]) for e in events] == [
        ("insert", run.pk), ("update", run.pk)]
    assert events[0].pgh_context.metadata["checksum"] == run.checksum
    loan_events = Loan.pgh_event_model.objects.select_related("pgh_context")
    assert [e.pgh_context.metadata["file"] for e in loan_events] == [run.file_name] * 2


def test_more_rows_than_a_sheet_used_to_hold(officer):
    rows = [row(n, identifier=uscc(20_000 + n), contract_number=f"BIG-{n:05d}")
            for n in range(5_200)]
    run = run_import(csv_file(rows), officer)
    assert run.status == "applied", run.errors[:3]
    assert (run.rows_read, run.rows_checked, run.rows_applied) == (5_200, 5_200, 5_200)
    assert Customer.objects.count() == 5_200 and Loan.objects.count() == 5_200


def test_the_upload_answers_at_once_and_the_progress_is_visible(officer_client, officer):
    response = officer_client.post(reverse("customers:customer_import"),
                                   {"file": xlsx([row(1)])})
    run = ImportRun.objects.get()
    assert (run.status, bytes(run.content)[:2]) == ("queued", b"PK")
    progress_url = reverse("customers:import_run_progress", kwargs={"pk": run.pk})
    assert officer_client.get(progress_url).json() == {
        "status": "queued", "status_label": "等待中", "rows_read": 0, "rows_checked": 0,
        "rows_applied": 0, "percent": 0, "done": False}
    page = officer_client.get(response["Location"]).content.decode()
    assert "loanwatch/run_progress.js" in page and progress_url in page
    imports.import_run_execute(run_id=run.pk)
    assert officer_client.get(progress_url).json()["done"] is True
    assert not Customer.objects.exclude(officer=officer).exists()


def test_another_user_never_sees_a_run(officer, officer_b, supervisor):
    run = run_import(xlsx([row(1)]), officer)
    for user in (officer_b, supervisor):
        with pytest.raises(Http404):
            imports.import_run_get_for_user(user=user, pk=run.pk)
