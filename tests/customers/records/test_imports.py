"""The data-feed import: every bad row named, nothing written unless all is valid, and the
same feed twice raises one revisit task."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from customers.imports import ImportRejected
from customers.models import RiskSignal
from customers.records import imports
from customers.records.models import RecordCheck
from customers.services import relation_add
from tests.customers.factories import CustomerFactory
from visits.schedule.models import RevisitTask

from .helpers import company_with_controller

pytestmark = pytest.mark.django_db

HEADER = ",".join(["客户证件号 customer", "关联人身份证号 person_id", "检查日期 checked_on",
                   "登记状态 licence_status", "最近年报年度 annual_report_year",
                   "经营异常 abnormal_listed", "记录类型 entry_kind", "案号 case_number",
                   "法院 court", "金额 amount", "立案日期 filed_on", "已结案 closed"])


def _csv(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("feed.csv", "\n".join((HEADER, *lines)).encode("utf-8-sig"))


def _import(upload, user):
    return imports.import_feed(rows=imports.read_feed(upload), acting_user=user)


def test_a_good_feed_records_each_subject_once(officer):
    customer, person = company_with_controller(officer)
    c = customer.identifier
    result = _import(_csv(
        f"{c},,2026-10-01,存续,2025,否,被执行人,（2026）京0108执1号,海淀法院,125000,2026-09-20,否",
        f"{c},,2026-10-01,存续,2025,否,限高,（2026）京0108执2号,海淀法院,,,否",
        f"{c},{person.id_number},2026-10-01,,,否,,,,,,"), officer)
    assert result == {"checks": 2, "unchanged": 0, "findings": 2}
    company = RecordCheck.objects.get(customer=customer, person=None)
    assert company.source == "feed" and company.entries.count() == 2
    assert sorted(company.findings.values_list("kind", flat=True)) == ["new_case",
                                                                     "new_restriction"]


def test_every_bad_row_is_named_and_nothing_is_written(officer, officer_b):
    customer, _person = company_with_controller(officer)
    other, _ = company_with_controller(officer_b, n=2)
    c = customer.identifier
    with pytest.raises(ImportRejected) as rejected:
        _import(_csv(
            f"{c},,2026-10-01,存续,2025,否,被执行人,K-1,海淀法院,12x,2026-09-20,否",
            f"{c},,2026-10-01,存续,2025,否,奇怪,K-2,海淀法院,,,否",
            f"{other.identifier},,2026-10-01,存续,2025,否,,,,,,",
            f"{c},110101199001011234,2026-10-01,,,否,,,,,,",
            f"{c},,2026-13-01,存续,2025,也许,,,,,,"), officer)
    problems = {(p.row, p.column.split()[-1]) for p in rejected.value.problems}
    assert problems == {(2, "amount"), (3, "entry_kind"), (4, "customer"), (5, "person_id"),
                        (6, "checked_on"), (6, "abnormal_listed")}
    assert not RecordCheck.objects.exists()


def test_a_missing_column_or_an_unreadable_file(officer):
    with pytest.raises(ImportRejected) as rejected:
        imports.read_feed(SimpleUploadedFile("feed.csv", "案号 case_number\nX\n".encode()))
    assert len(rejected.value.problems) == 2
    with pytest.raises(ImportRejected):
        imports.read_feed(SimpleUploadedFile("feed.xls", b"nope"))
    with pytest.raises(ImportRejected):
        imports.read_feed(SimpleUploadedFile("feed.json", b"{not json"))


def test_the_json_feed(officer):
    customer, person = company_with_controller(officer)
    feed = {"checks": [
        {"customer": customer.identifier, "checked_on": "2026-10-01", "licence_status": "吊销",
         "annual_report_year": 2025, "abnormal_listed": True,
         "entries": [{"kind": "失信", "case_number": "S-1"}]},
        {"customer": customer.identifier, "person_id": person.id_number,
         "checked_on": "2026-10-01", "entries": [{"kind": "bad", "case_number": "S-2"}]},
    ]}
    upload = SimpleUploadedFile("feed.json", json.dumps(feed, ensure_ascii=False).encode())
    with pytest.raises(ImportRejected) as rejected:
        _import(upload, officer)
    assert [(p.row, p.column.split()[-1]) for p in rejected.value.problems] == [
        (2, "entry_kind")]
    feed["checks"][1]["entries"] = []
    upload = SimpleUploadedFile("feed.json", json.dumps(feed, ensure_ascii=False).encode())
    assert _import(upload, officer)["checks"] == 2
    kinds = set(RecordCheck.objects.get(person=None).findings.values_list("kind", flat=True))
    assert kinds == {"licence_changed", "abnormal_listed", "newly_dishonest"}


def test_the_same_feed_twice_raises_one_task(officer):
    customer, _person = company_with_controller(officer)
    line = f"{customer.identifier},,2026-10-01,存续,2025,否,被执行人,K-9,海淀法院,5000,,否"
    assert _import(_csv(line), officer)["checks"] == 1
    assert _import(_csv(line), officer) == {"checks": 0, "unchanged": 1, "findings": 0}
    # A later feed with the same facts compares equal: no finding, still one task.
    assert _import(_csv(line.replace("2026-10-01", "2026-11-01")), officer)["findings"] == 0
    assert RevisitTask.objects.filter(customer=customer).count() == 1
    assert RiskSignal.objects.filter(customer=customer).count() == 1


def test_a_supervisor_imports_for_the_team_but_not_beyond(supervisor, supervisor_b, officer):
    customer, _person = company_with_controller(officer)
    line = f"{customer.identifier},,2026-10-01,存续,2025,否,,,,,,"
    with pytest.raises(ImportRejected):
        _import(_csv(line), supervisor_b)
    assert _import(_csv(line), supervisor)["checks"] == 1


def test_the_entrys_own_fields_judge_length_and_amount(officer):
    customer, _person = company_with_controller(officer)
    other, _person = company_with_controller(officer, n=2)
    c = customer.identifier
    rows = imports.read_feed(_csv(
        f"{c},,2026-10-01,存续,2025,否,被执行人,{'K' * 61},海淀法院,1,2026-09-20,否",
        f"{c},,2026-10-01,存续,2025,否,被执行人,K-2,{'院' * 101},1,2026-09-20,否",
        f"{c},,2026-10-01,存续,2025,否,被执行人,K-3,海淀法院,-5,2026-09-20,否",
        f"{other.identifier},,2026-10-01,存续,²⁰²⁵,否,,,,,,"))
    with pytest.raises(ImportRejected) as preview:
        imports.check_feed(rows=rows, acting_user=officer)
    with pytest.raises(ImportRejected) as confirmation:
        imports.import_feed(rows=rows, acting_user=officer)
    assert {(p.row, p.column.split()[-1]) for p in preview.value.problems} == {
        (2, "case_number"), (3, "court"), (4, "amount"), (5, "annual_report_year")}
    assert preview.value.problems == confirmation.value.problems
    assert not RecordCheck.objects.exists()


def test_a_nul_in_the_customer_column_is_named(officer):
    company_with_controller(officer)
    feed = {"checks": [{"customer": "9111\x00", "checked_on": "2026-10-01"}]}
    rows = imports.read_feed(SimpleUploadedFile("feed.json", json.dumps(feed).encode()))
    with pytest.raises(ImportRejected) as rejected:
        imports.check_feed(rows=rows, acting_user=officer)
    assert [p.column.split()[-1] for p in rejected.value.problems] == ["customer"]


@pytest.mark.parametrize("header", [
    HEADER.replace("_", " ").upper(),  # CUSTOMER,PERSON ID,CHECKED ON …
    ",".join(name.split()[0] for name in HEADER.split(",")),  # 客户证件号,关联人身份证号 …
    ",".join(" ".join(reversed(name.split())) for name in HEADER.split(",")),
])
def test_feed_headers_in_either_language_in_any_case(officer, header):
    customer, _person = company_with_controller(officer)
    line = f"{customer.identifier},,2026-10-01,存续,2025,否,限高,K-1,海淀法院,,,否"
    upload = SimpleUploadedFile("feed.csv", f"{header}\n{line}".encode("gb18030"))
    plan = imports.check_feed(rows=imports.read_feed(upload), acting_user=officer)
    assert [(p.customer, [e.case_number for e in p.entries]) for p in plan] == [
        (customer, ["K-1"])]


def test_the_feed_as_xlsx_or_json_lines(officer):
    customer, person = company_with_controller(officer)
    c = customer.identifier
    lines = [f"{c},,2026-10-01,存续,2025,否,被执行人,K-1,海淀法院,125000,2026-09-20,否",
             f"{c},{person.id_number},2026-10-01,,,否,,,,,,"]
    headers = HEADER.split(",")
    book = Workbook()
    book.active.append(headers)
    for line in lines:
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = SimpleUploadedFile("feed.xlsx", buffer.getvalue())
    jsonl = SimpleUploadedFile("feed.jsonl", "\n".join(
        json.dumps(dict(zip(headers, line.split(","), strict=True)), ensure_ascii=False)
        for line in lines).encode())
    from_xlsx = imports.read_feed(xlsx)
    assert [r["_row"] for r in from_xlsx] == [2, 3]
    assert [{k: v for k, v in r.items() if k != "_row"} for r in imports.read_feed(jsonl)] == [
        {k: v for k, v in r.items() if k != "_row"} for r in from_xlsx]
    assert _import(xlsx, officer) == {"checks": 2, "unchanged": 0, "findings": 1}


def test_the_template_imports_every_newer_kind_and_the_registration(officer):
    """The downloadable template, as is, against its customer and the controller it names."""
    customer = CustomerFactory(officer=officer, identifier="91110108MA01ABCD1X")
    relation_add(customer=customer, acting_user=officer, name="王建国",
                 role="actual_controller", id_number="110101198503120017")
    upload = SimpleUploadedFile("template.csv", imports.template_response().content)
    result = _import(upload, officer)
    assert result["checks"] == 2
    company = RecordCheck.objects.get(customer=customer, person=None)
    assert (company.legal_representative, company.registered_capital, company.shareholders) == (
        "王建国", 5000000, ["王建国", "李红"])
    kinds = {e.kind: e for e in company.entries.all()}
    assert set(kinds) == {"enforcement", "lawsuit", "penalty"}
    assert (kinds["lawsuit"].stage, kinds["lawsuit"].cause) == ("hearing", "买卖合同纠纷")
    person_check = RecordCheck.objects.get(customer=customer, person__isnull=False)
    assert person_check.entries.get().kind == "equity_freeze"
    assert "freeze_new" in person_check.findings.values_list("kind", flat=True)


def test_a_json_feed_carries_shareholders_as_a_list_and_reports_a_bad_stage(officer):
    customer, _person = company_with_controller(officer)
    feed = {"checks": [{"customer": customer.identifier, "checked_on": "2026-10-01",
                        "tax_abnormal": "是", "shareholders": ["甲", "乙"],
                        "entries": [{"kind": "被告诉讼", "case_number": "L1",
                                     "stage": "上诉中"}]}]}
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode())
    with pytest.raises(ImportRejected) as rejected:
        _import(upload, officer)
    assert [p.column for p in rejected.value.problems] == ["审理阶段 stage"]
    feed["checks"][0]["entries"][0]["stage"] = "已判决"
    _import(SimpleUploadedFile("feed.json", json.dumps(feed).encode()), officer)
    check = RecordCheck.objects.get(customer=customer)
    assert check.tax_abnormal and check.shareholders == ["甲", "乙"]
    assert {("lawsuit_new", True), ("tax_abnormal", True)} <= set(
        check.findings.values_list("kind", "serious"))
