"""The pages: logging a visit end to end through the form, the visit page, evidence serving,
the customer's history and drafts, the customer sheet's sections, administration."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import CollateralValuation, RiskSignal
from tests.customers.factories import (
    CollateralFactory,
    CustomerFactory,
    IndividualFactory,
    ValuationFactory,
)
from tests.factories import UserFactory
from visits import services
from visits.models import (
    EvidenceFile,
    GuidanceProposal,
    Interview,
    QuestionGuidance,
    SignalThreshold,
    Visit,
    VisitCollateral,
)
from visits.rules import RULES
from visits.schedule.models import RevisitTask
from visits.schedule.services import task_raise
from visits.selectors import contact_preferences_by_customer

from .factories import VisitFactory, ready_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


EVERY_FIELD = {
    "visited_on": "2026-05-20", "method": "on_site", "place": "客户办公室",
    "address_changed": "true", "new_address": "北京市海淀区新址路9号",
    "business_changed": "true", "new_business": "精密模具",
    "employees_total": "48", "employees_on_site": "40", "monthly_wage": "7200.50",
    "wages_on_time": "false", "office_area_m2": "1200.25", "monthly_rent": "36000.00",
    "other_sites": "顺义仓库", "liquid_funds": "1500000.00", "receivables": "2600000.00",
    "receivable_terms_days": "90", "payables": "1200000.00", "payable_terms_days": "60",
    "inventory": "800000.00", "inventory_turnover_days": "45",
    "receivables_makeup": "两家国企客户，账龄三个月内", "collection_cost": "15000.00",
    "main_suppliers": "宝钢", "main_customers": "中车", "revenue_last_year": "9000000.00",
    "revenue_ytd": "4000000.00", "revenue_change_reason": "订单减少", "peak_season": "三到六月",
    "off_season": "春节前后", "gross_margin_pct": "18.75", "loan_use": "partly",
    "loan_use_note": "部分用于装修", "total_assets": "20000000.00",
    "total_liabilities": "15000000.00", "other_debts": "农商行300万", "investments": "无",
    "guarantees_given": "2000000.00", "high_risk_investment": "false",
    "repayment_source": "经营回款", "repayment_pressure": "high",
    "customer_needs": "希望续贷", "summary": "经营基本稳定",
}


def _post_data(visit: Visit, items=(), interviews=(), **extra) -> dict:
    data = dict(EVERY_FIELD, version=str(visit.version), **{
        "iv-TOTAL_FORMS": str(len(interviews) or 1), "iv-INITIAL_FORMS": "0",
        "iv-MIN_NUM_FORMS": "0", "iv-MAX_NUM_FORMS": "1000"})
    for n, person in enumerate(interviews):
        for key, value in person.items():
            data[f"iv-{n}-{key}"] = value
    for item, (condition, value, note) in items:
        data.update({f"col-{item.pk}-condition": condition,
                     f"col-{item.pk}-current_value": value, f"col-{item.pk}-note": note})
    data.update(extra)
    return data


def test_a_visit_with_every_field_is_submitted_and_read_back(officer):
    customer = CustomerFactory(officer=officer)
    task, _created = task_raise(customer=customer, reason="manual", due_on=date(2026, 6, 30))
    item = CollateralFactory(customer=customer, appraised_value=Decimal("3000000.00"))
    client = _client(officer)
    response = client.post(reverse("visits:visit_create", args=[customer.pk]),
                           {"visited_on": "2026-05-20", "method": "on_site", "task": task.pk})
    visit = Visit.objects.get(customer=customer)
    assert response.status_code == 302
    people = [{"role": "finance_head", "name": "王会计", "statement": "回款正常",
               "topics": ["3", "5"]},
              {"role": "employee", "name": "李工", "statement": "工资晚发半月", "topics": ["2"]}]
    data = _post_data(visit, items=[(item, ("fair", "2500000.00", "外墙老化"))],
                      interviews=people, action="submit", task=str(task.pk),
                      evidence_kind="bank_statement",
                      evidence_files=[SimpleUploadedFile("流水.pdf", b"%PDF-1.7\nstatement")])
    response = client.post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    visit.refresh_from_db()
    assert visit.status == "submitted" and visit.submitted_by == officer and visit.task == task
    for name, raw in EVERY_FIELD.items():
        value = getattr(visit, name)
        if isinstance(value, bool):
            assert value == (raw == "true"), name
        elif isinstance(value, Decimal | int):
            assert value == Decimal(raw), name
        elif isinstance(value, date):
            assert value.isoformat() == raw, name
        else:
            assert value == raw, name
    stored = list(Interview.objects.filter(visit=visit).order_by("pk").values(
        "role", "name", "statement", "topics"))
    assert stored == [{"role": "finance_head", "name": "王会计", "statement": "回款正常",
                       "topics": [3, 5]},
                      {"role": "employee", "name": "李工", "statement": "工资晚发半月",
                       "topics": [2]}]
    check = VisitCollateral.objects.get(visit=visit)
    assert (check.collateral, check.condition, check.current_value, check.note) == (
        item, "fair", Decimal("2500000.00"), "外墙老化")
    assert CollateralValuation.objects.get(collateral=item).value == Decimal("2500000.00")
    evidence = EvidenceFile.objects.get(visit=visit)
    assert (evidence.kind, evidence.original_name) == ("bank_statement", "流水.pdf")
    rules = set(RiskSignal.objects.filter(source_id=visit.pk).values_list("rule", flat=True))
    assert {"address_changed", "business_changed", "high_debt_ratio",
            "repayment_pressure_high", "collateral_value_down"} <= rules


def test_a_refused_submit_loses_nothing_typed(officer):
    customer = CustomerFactory(officer=officer)
    visit = VisitFactory(customer=customer)
    data = {"version": "0", "visited_on": "2026-05-20", "method": "phone",
            "employees_total": "33", "other_sites": "无", "action": "submit",
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000"}
    response = _client(officer).post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Required to submit the visit." in body and 'value="33"' in body
    visit.refresh_from_db()
    assert (visit.status, visit.employees_total, visit.other_sites, visit.method) == (
        "draft", 33, "无", "phone")
    # The page shown again carries the saved version, so saving from it works.
    data["action"] = "save"
    data["version"] = str(visit.version)
    again = _client(officer).post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert again.status_code == 302


def test_a_refused_file_is_named_and_the_draft_kept(officer, media):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    data = {"version": "0", "visited_on": "2026-05-20", "method": "on_site",
            "employees_total": "12", "action": "save", "evidence_kind": "other",
            "evidence_files": [SimpleUploadedFile("photo.png", b"<html><body>hi</body></html>")],
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000"}
    response = _client(officer).post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 400
    assert "“photo.png” is not a PDF, JPEG, PNG or Office document" in response.content.decode()
    visit.refresh_from_db()
    assert visit.employees_total == 12 and not EvidenceFile.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_submitted_visit_is_not_editable_but_amendable(officer):
    visit = ready_visit(customer=CustomerFactory(officer=officer))
    services.visit_submit(visit=visit, acting_user=officer)
    client = _client(officer)
    assert client.get(reverse("visits:visit_edit", args=[visit.pk])).status_code == 302
    response = client.post(reverse("visits:visit_amend", args=[visit.pk]))
    amendment = Visit.objects.get(amends=visit)
    assert response["Location"] == reverse("visits:visit_edit", args=[amendment.pk])


def test_evidence_is_served_as_an_attachment_in_scope_only(officer, officer_b, supervisor):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    evidence = services.evidence_add(visit=visit, acting_user=officer, kind="other",
                                     upload=SimpleUploadedFile("a<b>.pdf", b"%PDF-1.4\nx"))
    url = reverse("visits:evidence_download", args=[evidence.pk])
    response = _client(officer).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"%PDF-1.4\nx"
    assert _client(supervisor).get(url).status_code == 200
    assert _client(officer_b).get(url).status_code == 404


# Words a Chinese page may show in Latin letters: the product's name, file formats, the
# language switcher's "English" (each language is named in itself), "API" (the integration
# tokens' menu entry, as Chinese banking screens write it), and test data (the team "Team A",
# the WeChat id).
LATIN_ALLOWED = {"LoanWatch", "PDF", "JPEG", "PNG", "Office", "SHA", "English", "API", "Team",
                 "hx_boss"}


def _visible_text(html: str) -> str:
    # Scripts, templates and text areas hold code or data, not interface text.
    html = re.sub(r"<(script|style|template|textarea)\b.*?</\1>", " ", html, flags=re.S)
    # The audit trail's old and new values are data too.
    html = re.sub(r'<ul class="list-unstyled mb-0 small">.*?</ul>', " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_form_and_page_render_in_both_languages(officer, language):
    customer = CustomerFactory(officer=officer)
    services.contact_preference_save(customer=customer, acting_user=officer, data={
        "preferred_method": "phone", "avoid_frequent_on_site": True, "best_time": "上午",
        "wechat": "hx_boss", "note": ""})
    previous = ready_visit(customer=customer, visited_on=date(2026, 1, 10),
                           total_liabilities=Decimal("18000000"))
    services.visit_submit(visit=previous, acting_user=officer)
    CollateralFactory(customer=customer)
    draft = ready_visit(customer=customer, visited_on=date(2026, 5, 10), employees_total=30)
    client = _client(officer, language)
    for url in (reverse("visits:visit_edit", args=[draft.pk]),
                reverse("visits:visit_detail", args=[previous.pk]),
                reverse("visits:visit_create", args=[customer.pk]),
                reverse("visits:customer_visits", args=[customer.pk]),
                reverse("visits:draft_list")):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if "edit" in url or "customer/" in url:
            assert "hx_boss" in body  # the contact preferences
        text = _visible_text(body)
        if language == "zh-hans":
            words = set(re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text)) - LATIN_ALLOWED
            # The signed-in officer's username is data, not a string to translate.
            words -= {officer.username, "officer_a"}
            assert not words, (url, sorted(words))
            assert "回访" in text
        else:
            assert "People interviewed" in text or "Log a visit" in text or "draft" in text


def test_the_form_shows_guidance_previous_values_and_only_the_kinds_fields(officer):
    person = IndividualFactory(officer=officer)
    before = ready_visit(customer=person, visited_on=date(2026, 1, 5),
                         monthly_income=Decimal("20000"))
    services.visit_submit(visit=before, acting_user=officer)
    draft = ready_visit(customer=person, visited_on=date(2026, 4, 5),
                        monthly_income=Decimal("15000"))
    body = _client(officer).get(reverse("visits:visit_edit", args=[draft.pk])).content.decode()
    assert 'name="monthly_income"' in body and 'name="employees_total"' not in body
    assert "2. Income and its stability" in body
    assert "-25.0 %" in body  # monthly income against the previous visit
    assert "Whom to ask" in body and "finance head" in body


def test_customer_sheet_lists_visits_and_signals(officer):
    customer = CustomerFactory(officer=officer)
    visit = ready_visit(customer=customer, total_liabilities=Decimal("19000000"))
    services.visit_submit(visit=visit, acting_user=officer)
    body = _client(officer).get(reverse("customers:customer_detail",
                                        args=[customer.pk])).content.decode()
    assert 'id="visits"' in body and 'id="risk-signals"' in body
    assert "The debt ratio is 95.0 %." in body


@pytest.mark.parametrize("view", ["visits:customer_visits", "visits:draft_list"])
def test_list_pages_keep_their_query_count(officer, django_assert_num_queries, view):
    customer = CustomerFactory(officer=officer)
    url = (reverse(view, args=[customer.pk]) if view == "visits:customer_visits"
           else reverse(view))
    client = _client(officer)
    counts = []
    for size in (2, 12):
        while Visit.objects.filter(customer=customer).count() < size:
            VisitFactory(customer=customer)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(url)


def test_admin_edits_a_threshold(admin_user, officer):
    client = _client(admin_user)
    data = {}
    for rule in RULES:
        data[f"{rule.code}-threshold"] = "45" if rule.code == "high_debt_ratio" else "0"
        data[f"{rule.code}-enabled"] = "on"
    response = client.post(reverse("visits:threshold_list"), data)
    assert response.status_code == 302
    assert SignalThreshold.objects.get(rule="high_debt_ratio").threshold == Decimal("45")
    visit = ready_visit(customer=CustomerFactory(officer=officer))  # debt ratio 45 %
    services.visit_submit(visit=visit, acting_user=officer)
    assert RiskSignal.objects.filter(source_id=visit.pk, rule="high_debt_ratio").exists()
    assert _client(officer).get(reverse("visits:threshold_list")).status_code == 403


def test_an_officer_proposes_and_an_admin_accepts_guidance(officer, admin_user):
    response = _client(officer).post(reverse("visits:proposal_create", args=[5]),
                                     {"language": "zh", "text": "先问旺季，再问营收。"})
    assert response.status_code == 302
    proposal = GuidanceProposal.objects.get()
    assert _client(officer).post(reverse("visits:proposal_decide", args=[proposal.pk]),
                                 {"decision": "accept"}).status_code == 403
    body = _client(admin_user).get(reverse("visits:guidance_list")).content.decode()
    assert "先问旺季，再问营收。" in body
    _client(admin_user).post(reverse("visits:proposal_decide", args=[proposal.pk]),
                             {"decision": "accept"})
    guidance = QuestionGuidance.objects.get(question=5, customer_kind="corporate")
    assert guidance.how_zh == "先问旺季，再问营收。"


def test_supervisors_read_visits_but_do_not_log_them(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    visit = VisitFactory(customer=customer)
    client = _client(supervisor)
    assert client.get(reverse("visits:visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("visits:visit_edit", args=[visit.pk])).status_code == 403
    assert client.get(reverse("visits:visit_create", args=[customer.pk])).status_code == 403


def test_admin_pages_and_the_sheet_are_all_chinese(admin_user, officer):
    customer = CustomerFactory(officer=officer)
    services.visit_submit(visit=ready_visit(customer=customer,
                                            total_liabilities=Decimal("18000000")),
                          acting_user=officer)
    services.proposal_create(acting_user=officer, question=4, language="en", text="上下游")
    client = _client(admin_user, "zh-hans")
    for url in (reverse("visits:threshold_list"), reverse("visits:guidance_list"),
                reverse("visits:guidance_edit", args=[4]),
                reverse("visits:contact_preference_edit", args=[customer.pk])):
        text = _visible_text(client.get(url).content.decode())
        words = set(re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text)) - LATIN_ALLOWED
        assert not words - {admin_user.username, "admin_x"}, (url, sorted(words))
    sheet = _visible_text(_client(officer, "zh-hans").get(
        reverse("customers:customer_detail", args=[customer.pk])).content.decode())
    assert "风险信号" in sheet and "资产负债率为 90.0 %。" in sheet


def test_the_sheet_lists_an_amendments_signals_not_the_corrected_visits(officer):
    customer = CustomerFactory(officer=officer)
    visit = ready_visit(customer=customer, total_liabilities=Decimal("19000000"))
    services.visit_submit(visit=visit, acting_user=officer)
    amendment = services.visit_amend(visit=visit, acting_user=officer)
    services.visit_save(visit=amendment, acting_user=officer,
                        data={"total_liabilities": Decimal("15000000")})
    services.visit_submit(visit=amendment, acting_user=officer)
    body = _client(officer).get(reverse("customers:customer_detail",
                                        args=[customer.pk])).content.decode()
    assert "The debt ratio is 75.0 %." in body and "The debt ratio is 95.0 %." not in body


def test_the_visit_page_says_who_confirmed_each_point(officer):
    visit = ready_visit(customer=CustomerFactory(officer=officer))  # 王会计 confirmed 3 and 5
    services.visit_submit(visit=visit, acting_user=officer)
    body = _client(officer).get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()
    assert body.count("confirmed by: 王会计 (finance head)") == 2


def test_contact_preferences_for_a_plan_in_one_query(officer, django_assert_num_queries):
    customers = [CustomerFactory(officer=officer) for _ in range(3)]
    services.contact_preference_save(customer=customers[0], acting_user=officer,
                                     data={"best_time": "上午"})
    with django_assert_num_queries(1):
        found = contact_preferences_by_customer(customer_ids=[c.pk for c in customers])
    assert list(found) == [customers[0].pk] and found[customers[0].pk].best_time == "上午"


INDIVIDUAL_FIELDS = {
    "visited_on": "2026-04-08", "method": "phone", "place": "电话",
    "address_changed": "false", "business_changed": "false", "monthly_income": "28000.00",
    "income_stable": "true", "income_source": "门店经营", "liquid_funds": "300000.00",
    "household_assets": "5600000.00", "household_assets_note": "住宅一套",
    "main_suppliers": "批发市场", "main_customers": "周边居民",
    "revenue_last_year": "700000.00", "revenue_ytd": "200000.00",
    "revenue_change_reason": "淡季", "peak_season": "暑期", "off_season": "冬季",
    "loan_use": "as_declared", "loan_use_note": "装修门店", "total_assets": "6000000.00",
    "total_liabilities": "480000.00", "other_debts": "信用卡5万", "investments": "无",
    "guarantees_given": "0.00", "high_risk_investment": "false", "repayment_source": "经营收入",
    "repayment_pressure": "medium", "customer_needs": "无", "summary": "稳定",
}


def test_an_individuals_visit_with_every_field_is_read_back(officer):
    person = IndividualFactory(officer=officer)
    visit = VisitFactory(customer=person)
    data = dict(INDIVIDUAL_FIELDS, version="0", action="submit", **{
        "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
        "iv-MAX_NUM_FORMS": "1000", "iv-0-role": "borrower", "iv-0-name": "本人",
        "iv-0-statement": "收入稳定", "iv-0-topics": ["2", "9"]})
    response = _client(officer).post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    visit.refresh_from_db()
    assert visit.status == "submitted"
    for name, raw in INDIVIDUAL_FIELDS.items():
        value = getattr(visit, name)
        if isinstance(value, bool):
            assert value == (raw == "true"), name
        elif isinstance(value, Decimal | int):
            assert value == Decimal(raw), name
        elif isinstance(value, date):
            assert value.isoformat() == raw, name
        else:
            assert value == raw, name
    assert list(visit.interviews.values_list("name", "topics")) == [("本人", [2, 9])]


def test_starting_a_visit_offers_the_open_draft(officer):
    customer = CustomerFactory(officer=officer)
    draft = VisitFactory(customer=customer)
    body = _client(officer).get(reverse("visits:visit_create", args=[customer.pk])).content.decode()
    assert reverse("visits:visit_edit", args=[draft.pk]) in body


def test_a_drafts_task_closed_meanwhile_still_saves(officer):
    customer = CustomerFactory(officer=officer)
    task, _created = task_raise(customer=customer, reason="manual", due_on=date(2026, 7, 1))
    visit = VisitFactory(customer=customer, task=task)
    task.status = "done"
    task.save()
    data = {"version": "0", "visited_on": "2026-05-20", "method": "on_site",
            "task": str(task.pk), "action": "save", "iv-TOTAL_FORMS": "1",
            "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0", "iv-MAX_NUM_FORMS": "1000"}
    response = _client(officer).post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302


# Per request the session and the user (see loanwatch/accounts); the rest is the page's own.
# The page also looks for the visit a year earlier when last year's revenue to the same date
# was not answered (the revenue baseline it names).
VISIT_PAGE_QUERIES = 13  # with the briefing answers and the per-loan uses
# The form adds its briefing: one query per kind of item (findings, tasks, measures, the last
# visit's signals, loans past due), the answers, the loans awaiting a first check, their uses.
VISIT_FORM_QUERIES = 19


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow_visit(visit: Visit, officer, n: int) -> None:
    """Add to a visit and its customer what its page and form list: collateral with values
    and checks, people interviewed, evidence, open tasks, teammates to go along."""
    for i in range(n):
        item = CollateralFactory(customer=visit.customer)
        ValuationFactory(collateral=item)
        ValuationFactory(collateral=item)
        VisitCollateral.objects.create(visit=visit, collateral=item, condition="good",
                                       current_value=Decimal("100"))
        Interview.objects.create(visit=visit, role=Interview.Role.FINANCE_HEAD,
                                 name=f"会计{i}", statement="正常", topics=[2])
        EvidenceFile.objects.create(visit=visit, kind="other", file=f"evidence/{i}.pdf",
                                    original_name=f"{i}.pdf", content_type="application/pdf",
                                    size=10, sha256=f"{i:064d}", uploaded_by=officer)
        task_raise(customer=visit.customer, reason=RevisitTask.Reason.RISK_EVENT,
                   due_on=date(2026, 7, 1 + i))
        UserFactory(team=officer.team, role="officer")


def test_the_visit_page_and_form_keep_their_query_count(officer, django_assert_num_queries):
    customer = CustomerFactory(officer=officer)
    earlier = ready_visit(customer=customer, visited_on=date(2026, 1, 5))
    services.visit_submit(visit=earlier, acting_user=officer)
    visit = ready_visit(customer=customer, visited_on=date(2026, 3, 5),
                        total_liabilities=Decimal("19000000"))  # raises signals
    services.visit_submit(visit=visit, acting_user=officer)
    draft = ready_visit(customer=customer, visited_on=date(2026, 5, 5))
    page = reverse("visits:visit_detail", args=[visit.pk])
    form = reverse("visits:visit_edit", args=[draft.pk])
    client = _client(officer)
    counts = []
    for size in (1, 6):
        _grow_visit(visit, officer, size)
        _grow_visit(draft, officer, size)
        counts.append((_queries(client, page), _queries(client, form)))
    assert counts[0] == counts[1]
    with django_assert_num_queries(VISIT_PAGE_QUERIES):
        client.get(page)
    with django_assert_num_queries(VISIT_FORM_QUERIES):
        client.get(form)
