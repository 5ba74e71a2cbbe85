"""Journey 1: an officer's day, as one continuous session in the browser.

The officer signs in, finds an overdue revisit on the home page and follows it to the customer;
records a check of the public registers that turns up a new court case and an abnormal-operation
listing; logs the on-site visit for the task with the whole ten-point checklist, three people
interviewed, the collateral's value and a bank statement; reads the comparison with the previous
visit and the signals it raised; and writes a yellow-warning risk report with two measures.

Every step goes through the pages, following links as a user would. The ORM only sets up the
starting book and checks the outcome at the end.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from reportlab.pdfgen import canvas

from customers.records.models import RecordCheck
from customers.records.services import check_record
from reports.models import RiskReport
from tests.customers.factories import (
    CollateralFactory,
    CustomerFactory,
    IndustryFactory,
    LoanFactory,
)
from tests.customers.records.helpers import reading, subject
from tests.visits.factories import VisitFactory, complete_answers
from visits.models import EvidenceFile, Interview, Visit
from visits.schedule.models import RevisitTask
from visits.schedule.planner import plan

from ..factories import TEST_PASSWORD
from .conftest import sign_in

NAME = "晨光精密机械有限公司"
PLANT = "昌平区厂房一号楼"
CASE = "（2026）京0114执1287号"
NEW_ADDRESS = "北京市昌平区沙河工业园12号"
STATEMENT = "bank-statement-2026-10.pdf"
PEOPLE = ["张建国", "李会计", "王师傅"]
ASSESSMENT = ("订单下滑、裁员四成，被列入经营异常名录并新增被执行案件；"
              "抵押物贬值，需加强监控并追加担保")

# What the pages say, in each language (the catalogues' wording, or the data typed in).
TEXT = {
    "zh": {
        "week_card": "本周到期或计划的回访",
        "periodic": "定期回访",
        "in_business": "存续",
        "not_listed": "未列入",
        "check_recorded": "核查已保存。",
        "abnormal_finding": "被列入经营异常名录",
        "case_finding": f"新增被执行案件 {CASE}",
        "abnormal_signal": f"{NAME}：被列入经营异常名录。",
        "submitted_visit": "回访已提交并锁定",
        "submitted": "已提交",
        "employees": "员工总数",
        "margin": "毛利率（%）",
        "funds": "账上流动资金（元）",
        "points": "个百分点",
        "headcount_signal": "员工人数较上次回访下降 40.0 %（50 → 30）。",
        "margin_signal": "毛利率较上次回访下降 10.0 个百分点。",
        "address_signal": f"经营地址已变更：{NEW_ADDRESS}。",
        "collateral_signal": f"抵质押物贬值：{PLANT} −15.0 %。",
        "awaiting": "待审批",
        "yellow": "黄色",
        "warning_badge": "预警: 黄色",
        "more_visits": "增加回访频次",
        "more_security": "追加抵押或担保",
        "report_submitted": "报告已提交审批。",
        "nothing_due": "本周没有到期的回访。",
    },
    "en": {
        "week_card": "Visits due or planned this week",
        "periodic": "periodic revisit",
        "in_business": "in business",
        "not_listed": "not listed",
        "check_recorded": "Check recorded.",
        "abnormal_finding": "Put on the abnormal-operation list",
        "case_finding": f"New enforcement case {CASE}",
        "abnormal_signal": f"{NAME}: put on the abnormal-operation list.",
        "submitted_visit": "Visit submitted and locked",
        "submitted": "submitted",
        "employees": "employees in total",
        "margin": "gross margin (%)",
        "funds": "liquid funds on account (CNY)",
        "points": "points",
        "headcount_signal": "Headcount fell 40.0 % since the last visit (50 → 30).",
        "margin_signal": "Gross margin fell 10.0 points since the last visit.",
        "address_signal": f"The operating address changed: {NEW_ADDRESS}.",
        "collateral_signal": f"Collateral lost value: {PLANT} −15.0 %.",
        "awaiting": "awaiting decision",
        "yellow": "yellow",
        "warning_badge": "warning: yellow",
        "more_visits": "More frequent visits",
        "more_security": "Additional collateral or guarantee",
        "report_submitted": "The report was submitted for a decision.",
        "nothing_due": "Nothing due this week.",
    },
}


@dataclass(frozen=True)
class Radio:
    """A radio answer other than yes/no (the use of the loan, the repayment pressure)."""

    value: str


# The whole checklist, point by point, in the order the form asks. Against the previous visit
# (tests.visits.factories.complete_answers) the headcount falls 40 %, the gross margin ten
# points and the liquid funds by more than half; the address changed. The collateral item's
# value is answered under point 8 (see _log_the_visit).
CHECKLIST: dict[int, list[tuple[str, object]]] = {
    1: [("address_changed", True), ("new_address", NEW_ADDRESS), ("business_changed", False)],
    2: [("employees_total", "30"), ("employees_on_site", "24"), ("monthly_wage", "6200.00"),
        ("wages_on_time", True), ("office_area_m2", "850.50"), ("monthly_rent", "42000"),
        ("other_sites", "顺义区仓库一处，约300平方米")],
    3: [("liquid_funds", "350000"), ("receivables", "2600000"), ("receivable_terms_days", "90"),
        ("payables", "1500000"), ("payable_terms_days", "60"), ("inventory", "1200000"),
        ("inventory_turnover_days", "75"),
        ("receivables_makeup", "主要为两家整车厂的货款，账龄三个月以内"),
        ("collection_cost", "30000")],
    4: [("main_suppliers", "河北钢铁贸易公司、天津轴承厂"),
        ("main_customers", "北汽配套厂、长城汽车零部件公司")],
    5: [("revenue_last_year", "12000000"), ("revenue_ytd", "8000000"),
        ("revenue_change_reason", "下游整车厂减产，订单减少"), ("peak_season", "3月至6月"),
        ("off_season", "春节前后"), ("gross_margin_pct", "12.50")],
    6: [("loan_use", Radio("partly")), ("loan_use_note", "约20万元用于厂房装修")],
    7: [("total_assets", "20000000"), ("total_liabilities", "9500000"),
        ("other_debts", "农商行流动资金贷款300万元"), ("investments", "无对外投资"),
        ("guarantees_given", "500000"), ("high_risk_investment", False)],
    8: [],
    9: [("repayment_source", "经营回款"), ("repayment_pressure", Radio("medium"))],
    10: [("customer_needs", "希望续贷时适当延长期限"),
         ("summary", "订单下滑，裁员明显，需加强监控")],
}
# Who was interviewed, and which checklist points each of them confirmed.
INTERVIEWS = [
    ("actual_controller", PEOPLE[0], "订单下滑主要因下游减产，明年有新项目", [1, 5, 9, 10]),
    ("finance_head", PEOPLE[1], "账上资金偏紧，应收账款回款放缓", [3, 6, 7]),
    ("employee", PEOPLE[2], "车间两条线停了一条，工资按时发", [2]),
]


def _pdf() -> bytes:
    """A small, real PDF: the upload is judged by its content, not its name."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    sheet.drawString(72, 720, "Bank statement, October 2026")
    sheet.save()
    return buffer.getvalue()


def _fits(page) -> None:
    """Nothing on the page is wider than the screen (on a phone a sideways scroll is a defect)."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _main(page) -> str:
    return page.locator("main").inner_text()


# --- The starting book --------------------------------------------------------------------------

def _book(officer):
    """A corporate customer with a loan secured by a plant, last visited 95 days ago, and a
    clean record check 40 days ago; the planner gives it an overdue periodic task (the normal
    risk group is revisited every 90 days)."""
    today = timezone.localdate()
    customer = CustomerFactory(officer=officer, name=NAME, address="北京市昌平区科技园路8号",
                               industry=IndustryFactory(code="C34", name="通用设备制造业",
                                                        name_en="General equipment"))
    loan = LoanFactory(customer=customer, disbursed_on=today - datetime.timedelta(days=400),
                       matures_on=today + datetime.timedelta(days=330))
    plant = CollateralFactory(customer=customer, description=PLANT,
                              appraised_value=Decimal("2000000.00"),
                              appraised_on=today - datetime.timedelta(days=400))
    plant.loans.add(loan)
    previous = VisitFactory(customer=customer, visited_on=today - datetime.timedelta(days=95),
                            status=Visit.Status.SUBMITTED, submitted_at=timezone.now(),
                            submitted_by=officer, **complete_answers())
    Interview.objects.create(visit=previous, role=Interview.Role.FINANCE_HEAD, name="李会计",
                             statement="经营正常", topics=[3, 5])
    # Last year's annual report is on file whatever the date the test runs at.
    check_record(subject=subject(customer),
                 data=reading(today - datetime.timedelta(days=40),
                              annual_report_year=today.year - 1),
                 source="feed", acting_user=officer)
    plan(customer_ids=[customer.pk])
    task = RevisitTask.objects.get(customer=customer, reason=RevisitTask.Reason.PERIODIC,
                                   status=RevisitTask.Status.OPEN)
    assert task.due_on < today
    return customer, plant, previous, task


# --- The walk, step by step ---------------------------------------------------------------------

def _home_to_the_due_customer(page, customer, text) -> None:
    """The home page's week card lists the overdue task, its date in red; its link leads to the
    customer's information sheet."""
    week = page.locator("#work-week")
    assert text["week_card"] in week.locator(".card-header").inner_text()
    row = week.locator("li", has_text=customer.name)
    assert row.count() == 1
    assert row.locator(".text-danger").count() == 1  # overdue
    _fits(page)
    with page.expect_navigation():
        row.get_by_role("link", name=customer.name).click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    assert page.locator("h1").inner_text() == customer.name
    _fits(page)


def _record_a_check(page, customer, text) -> None:
    """A hand-entered check, starting from the previous one: the company is now on the
    abnormal-operation list and has a new enforcement case. Both come back as findings in red,
    and as risk signals on the customer's sheet."""
    with page.expect_navigation():
        page.click("#record-checks a.btn")
    page.wait_for_url(f"**/records/customer/{customer.pk}/new/")
    previous = page.locator("#previous-check").inner_text()
    assert text["in_business"] in previous and text["not_listed"] in previous
    # The form starts from the previous check's values.
    assert page.locator("select[name=licence_status]").input_value() == "in_business"
    assert page.locator("input[name=annual_report_year]").input_value() == str(
        timezone.localdate().year - 1)
    assert not page.locator("input[name=abnormal_listed]").is_checked()
    _fits(page)

    page.check("input[name=abnormal_listed]")
    page.fill("input[name=entries-0-case_number]", CASE)
    page.fill("input[name=entries-0-court]", "北京市昌平区人民法院")
    page.fill("input[name=entries-0-amount]", "186000")
    page.fill("input[name=entries-0-filed_on]",
              (timezone.localdate() - datetime.timedelta(days=12)).isoformat())
    with page.expect_navigation():
        page.click("#save-check")
    page.wait_for_url("**/records/checks/*/")
    assert text["check_recorded"] in _main(page)
    findings = page.locator("#findings .text-danger")
    assert findings.count() == 2
    found = page.locator("#findings").inner_text()
    assert text["abnormal_finding"] in found and text["case_finding"] in found
    _fits(page)

    # Back to the sheet by its breadcrumb: both findings in red, the listing a risk signal.
    with page.expect_navigation():
        page.locator("nav[aria-label=breadcrumb] a").first.click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    red = " ".join(page.locator("#record-checks .text-danger").all_inner_texts())
    assert CASE in red and text["abnormal_finding"] in red
    assert text["abnormal_signal"] in page.locator("#risk-signals").inner_text()


def _open(page, section: str) -> None:
    """Open one of the visit form's collapsed sections, as a tap on its header does."""
    header = page.locator(f"button[data-bs-target='#sec-{section}']")
    if header.get_attribute("aria-expanded") != "true":
        header.click()
    page.locator(f"#sec-{section}.collapse.show").wait_for(state="visible")


def _answer(page, name: str, value) -> None:
    if isinstance(value, bool):  # yes / no, as large radio buttons
        page.check(f"input[name={name}][value={'true' if value else 'false'}]")
    elif isinstance(value, Radio):
        page.check(f"input[name={name}][value={value.value}]")
    else:
        field = page.locator(f"[name={name}]")
        field.wait_for(state="visible")  # a follow-up shows once its answer calls for it
        field.fill(value)


def _log_the_visit(page, customer, plant, task, text) -> None:
    """An on-site visit that fulfils the periodic task: the whole checklist, three people, the
    plant's current value and October's bank statement; then submitted."""
    with page.expect_navigation():
        page.click("#visits a.btn")  # "Log a visit"
    page.wait_for_url(f"**/visits/customer/{customer.pk}/new/")
    # The visit is dated today and on-site unless the officer says otherwise.
    assert page.locator("input[name=visited_on]").input_value() == (
        timezone.localdate().isoformat())
    assert page.locator("input[name=method][value=on_site]").is_checked()
    # The task is picked by what the officer reads: the periodic revisit.
    option = page.locator("select[name=task] option", has_text=text["periodic"])
    assert option.count() == 1
    page.select_option("select[name=task]", option.get_attribute("value"))
    _fits(page)
    with page.expect_navigation():
        page.click("main form.visit-form [type=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+/edit/$"))
    assert page.locator("select[name=task]").input_value() == str(task.pk)

    # The form opens with what to bring up: the record check's findings among them. Each is
    # answered before the visit can be submitted.
    answers = page.locator("#briefing textarea[name$='-answer']")
    assert answers.count() >= 1
    for index in range(answers.count()):
        answers.nth(index).fill("实际控制人说明了情况，案件已在协商和解")
    for loan_use in page.locator("input[name$='-use'][value=as_declared]").all():
        loan_use.check()

    _open(page, "visit")
    page.fill("input[name=place]", "北京市昌平区科技园路8号 厂区")

    _open(page, "people")
    for index, (role, name, statement, topics) in enumerate(INTERVIEWS):
        if index:
            page.click("#iv-add")
        page.locator(f"select[name=iv-{index}-role]").select_option(role)
        page.fill(f"input[name=iv-{index}-name]", name)
        page.fill(f"textarea[name=iv-{index}-statement]", statement)
        for topic in topics:
            page.check(f"input[name=iv-{index}-topics][value='{topic}']")

    for number, answers in CHECKLIST.items():
        _open(page, f"q{number}")
        for name, value in answers:
            _answer(page, name, value)
    # Point 8: the plant as seen today, worth 15 % less than its appraisal.
    page.select_option(f"select[name=col-{plant.pk}-condition]", "fair")
    page.fill(f"input[name=col-{plant.pk}-current_value]", "1700000")
    page.fill(f"input[name=col-{plant.pk}-note]", "外墙有渗水，周边厂房空置增多")

    _open(page, "evidence")
    page.select_option("select[name=evidence_kind]", EvidenceFile.Kind.BANK_STATEMENT.value)
    page.set_input_files("input[name=evidence_files]", files=[
        {"name": STATEMENT, "mimeType": "application/pdf", "buffer": _pdf()}])
    _fits(page)

    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/visits/\d+/$"))
    assert text["submitted_visit"] in _main(page)


def _comparison_row(page, label: str) -> list[str]:
    row = page.locator("#comparison tbody tr").filter(
        has=page.locator("td", has_text=re.compile(rf"^{re.escape(label)}$")))
    assert row.count() == 1, label
    # Amounts are grouped by thousands in English only; compare the digits.
    return [cell.replace(",", "").strip() for cell in row.locator("td").all_inner_texts()]


def _read_the_visit(page, text) -> None:
    """The submitted visit beside the previous one, and the signals it raised."""
    assert page.locator("main .badge.text-bg-success").first.inner_text().strip() == text[
        "submitted"]  # locked
    assert _comparison_row(page, text["employees"])[1:] == ["30", "50", "-40.0 %"]
    assert _comparison_row(page, text["margin"])[1:] == ["12.50", "22.50",
                                                         f"-10.0 {text['points']}"]
    assert _comparison_row(page, text["funds"])[1:] == ["350000.00", "800000.00", "-56.3 %"]
    signals = page.locator("#signals").inner_text()
    for key in ("headcount_signal", "margin_signal", "address_signal", "collateral_signal"):
        assert text[key] in signals, key
    people = page.locator("#people").inner_text()
    assert all(name in people for name in PEOPLE)
    assert STATEMENT in page.locator("#evidence").inner_text()
    _fits(page)


def _write_the_report(page, text) -> None:
    """From the visit: the draft starts with the visit's and the record check's signals; the
    officer sets a yellow warning and two measures from the catalogue, and submits."""
    with page.expect_navigation():
        page.click("#write-report")
    page.wait_for_url(re.compile(r"/reports/visit/\d+/new/$"))
    with page.expect_navigation():
        page.click("#report-start")
    page.wait_for_url(re.compile(r"/reports/\d+/edit/$"))
    points = page.locator("#report-form textarea[name$='-text']").evaluate_all(
        "areas => areas.map(a => a.value)")
    assert text["headcount_signal"] in points
    assert text["abnormal_signal"] in points
    _fits(page)

    page.select_option("select[name=warning_level]", label=text["yellow"])
    page.fill("textarea[name=assessment]", ASSESSMENT)
    page.select_option("select[name=measures-0-measure]", label=text["more_visits"])
    page.fill("input[name=measures-0-due_on]",
              (timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.select_option("select[name=measures-1-measure]", label=text["more_security"])
    page.fill("input[name=measures-1-note]", "追加实际控制人个人连带责任保证")
    with page.expect_navigation():
        page.click("#report-submit")
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    main = _main(page)
    assert text["report_submitted"] in main
    assert text["warning_badge"] in main
    assert text["more_visits"] in main and text["more_security"] in main
    assert page.locator("#report-status").inner_text() == text["awaiting"]
    _fits(page)


# --- The journey --------------------------------------------------------------------------------

def test_an_officers_day(page, officer, language, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the uploaded statement stays in the test's folder
    customer, plant, previous, task = _book(officer)
    text = TEXT[language]

    sign_in(page, officer.username, TEST_PASSWORD)
    _home_to_the_due_customer(page, customer, text)
    _record_a_check(page, customer, text)
    _log_the_visit(page, customer, plant, task, text)
    _read_the_visit(page, text)
    _write_the_report(page, text)

    # The record check, by hand, with what was typed.
    check = RecordCheck.objects.get(customer=customer, source=RecordCheck.Source.MANUAL)
    assert check.abnormal_listed
    assert list(check.entries.values_list("case_number", flat=True)) == [CASE]
    # The visit: submitted for the task, with its people, the plant's value and the statement.
    visit = Visit.objects.exclude(pk=previous.pk).get(customer=customer)
    assert visit.status == Visit.Status.SUBMITTED and visit.task_id == task.pk
    assert (visit.employees_total, visit.gross_margin_pct) == (30, Decimal("12.50"))
    assert sorted(visit.interviews.values_list("name", flat=True)) == sorted(PEOPLE)
    assert visit.interviews.get(name=PEOPLE[1]).topics == [3, 6, 7]
    assert visit.collateral_checks.get(collateral=plant).current_value == Decimal("1700000.00")
    evidence = visit.evidence.get()
    assert (evidence.kind, evidence.original_name) == (EvidenceFile.Kind.BANK_STATEMENT,
                                                       STATEMENT)
    # The task is done by this visit; the findings' tasks closed with it; the next periodic
    # visit is planned from today.
    task.refresh_from_db()
    assert task.status == RevisitTask.Status.DONE and task.closed_by_id == visit.pk
    still_open = RevisitTask.objects.filter(customer=customer, status=RevisitTask.Status.OPEN)
    assert [(t.reason, t.due_on > timezone.localdate()) for t in still_open] == [
        (RevisitTask.Reason.PERIODIC, True)]
    # The report: submitted from this visit, yellow, with the two measures.
    report = RiskReport.objects.get(customer=customer)
    assert report.status == RiskReport.Status.SUBMITTED and report.visit_id == visit.pk
    assert report.warning_level == "yellow"
    assert sorted(report.measures.values_list("measure__code", flat=True)) == [
        "more_security", "more_visits"]

    # Home again: nothing is due this week any more.
    page.goto("/")
    assert text["nothing_due"] in page.locator("#work-week").inner_text()
