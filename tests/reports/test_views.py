"""The report pages as a user meets them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Classification, RiskGroup
from reports import services, views
from reports.models import FollowUp, RiskReport
from reports.sections import reports_section
from tests.customers.factories import CustomerFactory, LoanFactory

from .factories import draft_report, measure, submitted_report, submitted_visit

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_writing_a_report_from_a_visit_and_submitting_it(officer, officer_client, supervisor):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, days_past_due=100,
                       classification=Classification.SUBSTANDARD)
    visit = submitted_visit(customer=customer)
    start = reverse("reports:report_start_from_visit", kwargs={"visit_pk": visit.pk})
    assert officer_client.get(start).status_code == 200
    response = officer_client.post(start)
    report = RiskReport.objects.get(visit=visit)
    assert response["Location"] == reverse("reports:report_edit", kwargs={"pk": report.pk})

    edit = officer_client.get(response["Location"])
    assert edit.status_code == 200
    form = {
        "version": report.version, "warning_level": "yellow", "assessment": "销售回款放缓",
        "proposed_risk_group": "", f"loan_{loan.pk}": Classification.SPECIAL_MENTION,
        "points-TOTAL_FORMS": 1, "points-INITIAL_FORMS": 0, "points-0-category": "finance",
        "points-0-severity": "warning", "points-0-text": "应收账款周转变慢",
        "measures-TOTAL_FORMS": 1, "measures-INITIAL_FORMS": 0,
        "measures-0-measure": measure("more_visits").pk, "measures-0-due_on": "2026-12-31",
        "submit": "1",
    }
    refused = officer_client.post(response["Location"], form)
    assert refused.status_code == 200
    assert "100" in refused.content.decode()  # the floor, said on the form
    form[f"loan_{loan.pk}"] = Classification.DOUBTFUL
    done = officer_client.post(response["Location"], form)
    assert done["Location"] == reverse("reports:report_detail", kwargs={"pk": report.pk})
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED
    assert [p.text for p in report.points.all()] == ["应收账款周转变慢"]

    page = _client(supervisor).get(done["Location"]).content.decode()
    assert 'id="decision"' in page and "应收账款周转变慢" in page


def test_the_author_sees_no_decision_form(officer, officer_client):
    report = submitted_report(officer=officer)
    page = officer_client.get(reverse("reports:report_detail", kwargs={"pk": report.pk}))
    assert 'id="decision"' not in page.content.decode()


def test_a_supervisor_of_another_team_gets_404_when_deciding(officer, supervisor_b):
    report = submitted_report(officer=officer)
    response = _client(supervisor_b).post(
        reverse("reports:report_decide", kwargs={"pk": report.pk}), {"decision": "approve"})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED


def test_the_author_posting_a_decision_is_refused(officer, officer_client):
    report = submitted_report(officer=officer)
    response = officer_client.post(reverse("reports:report_decide", kwargs={"pk": report.pk}),
                                   {"decision": "approve"})
    assert response.status_code == 403


def test_a_returned_report_shows_the_comment_to_its_author(officer, officer_client, supervisor):
    report = submitted_report(officer=officer)
    _client(supervisor).post(reverse("reports:report_decide", kwargs={"pk": report.pk}),
                             {"decision": "return", "comment": "请补充担保人情况"})
    edit = officer_client.get(reverse("reports:report_edit", kwargs={"pk": report.pk}))
    assert "请补充担保人情况" in edit.content.decode()
    detail = officer_client.get(reverse("reports:report_detail", kwargs={"pk": report.pk}))
    assert "请补充担保人情况" in detail.content.decode()


def _queue_of(n: int, officer) -> None:
    for _ in range(n):
        submitted_report(officer=officer)


@pytest.mark.parametrize("size", [2, 8])
def test_the_queue_lists_oldest_first_in_fixed_queries(officer, supervisor, size,
                                                       django_assert_num_queries):
    _queue_of(size, officer)
    client = _client(supervisor)
    client.get(reverse("reports:report_queue"))  # warm the session and the user
    with django_assert_num_queries(3):  # the session, the user with their team, the queue
        response = client.get(reverse("reports:report_queue"))
    reports = response.context["reports"]
    assert len(reports) == size
    assert [r.submitted_at for r in reports] == sorted(r.submitted_at for r in reports)


def test_a_long_queue_shows_the_longest_waiting_and_says_so(officer, supervisor, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_SHOWN", 2)
    _queue_of(2, officer)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(supervisor)
    assert 'id="queue-capped"' not in client.get(reverse("reports:report_queue")).content.decode()
    _queue_of(1, officer)
    response = client.get(reverse("reports:report_queue"))
    oldest = sorted(RiskReport.objects.all(), key=lambda r: (r.submitted_at, r.pk))[:2]
    assert [r.pk for r in response.context["reports"]] == [r.pk for r in oldest]
    assert "The 2 reports waiting longest are shown" in response.content.decode()


def test_the_customer_sheet_lists_the_reports(officer, officer_client):
    report = draft_report(officer=officer)
    page = officer_client.get(reverse("customers:customer_detail",
                                      kwargs={"pk": report.customer_id})).content.decode()
    assert 'id="risk-reports"' in page
    assert reverse("reports:report_detail", kwargs={"pk": report.pk}) in page


def test_approved_measures_stay_on_the_officer_home_page_until_done(officer, officer_client,
                                                                   supervisor):
    report = submitted_report(officer=officer, measures=[{"measure": measure("more_visits")}])
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    home = officer_client.get(reverse("core:home")).content.decode()
    assert 'id="follow-ups"' in home and str(measure("more_visits")) in home
    item = FollowUp.objects.get()
    officer_client.post(reverse("reports:follow_up_done", kwargs={"pk": item.pk}),
                        {"next": "/", "outcome": "已改为每月回访"})
    home = officer_client.get(reverse("core:home")).content.decode()
    assert str(measure("more_visits")) not in home


def test_starting_from_the_customer_offers_the_submitted_visits(officer, officer_client):
    customer = CustomerFactory(officer=officer)
    visit = submitted_visit(customer=customer)
    page = officer_client.get(reverse("reports:report_start",
                                      kwargs={"customer_pk": customer.pk})).content.decode()
    assert reverse("reports:report_start_from_visit", kwargs={"visit_pk": visit.pk}) in page
    officer_client.post(reverse("reports:report_start", kwargs={"customer_pk": customer.pk}))
    assert RiskReport.objects.get(customer=customer).visit is None


def test_the_supervisor_home_counts_the_reports_awaiting_them(officer, supervisor,
                                                             supervisor_b):
    submitted_report(officer=officer)
    submitted_report(officer=officer)

    def waiting(user) -> int:
        page = _client(user).get(reverse("core:home")).content.decode()
        card = page.split('id="report-queue-card"')[1]
        return int(re.search(r'fs-3 fw-semibold">(\d+)<', card).group(1))

    assert waiting(supervisor) == 2
    assert waiting(supervisor_b) == 0


@pytest.mark.parametrize("size", [1, 6])
def test_the_sheet_section_costs_one_query(officer, size, django_assert_num_queries):
    customer = CustomerFactory(officer=officer)
    for _ in range(size):
        draft_report(officer=officer, customer=customer)
    with django_assert_num_queries(1):
        context = reports_section(customer=customer, user=officer)
        assert [str(r.author) for r in context["reports"]] == [str(officer)] * size


def _changes(page: str, testid: str) -> list[str]:
    cells = re.findall(rf'data-testid="{testid}">(.*?)</dd>', page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in cells]


def test_an_approved_report_shows_what_it_changed_after_the_customer_moves_on(
        officer, officer_client, supervisor):
    groups = list(RiskGroup.objects.order_by("order"))
    customer = CustomerFactory(officer=officer, risk_group=groups[0])
    loan = LoanFactory(customer=customer, days_past_due=10, classification=Classification.PASS)
    report = submitted_report(officer=officer, customer=customer, proposed_risk_group=groups[1],
                              classifications={loan.pk: Classification.SPECIAL_MENTION})
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    later = submitted_report(officer=officer, customer=customer, proposed_risk_group=groups[2],
                             classifications={loan.pk: Classification.SUBSTANDARD})
    services.report_decide(report=later, acting_user=supervisor, decision="approve")

    page = officer_client.get(reverse("reports:report_detail",
                                      kwargs={"pk": report.pk})).content.decode()
    assert _changes(page, "group-change") == [f"{groups[0]} → {groups[1]}"]
    assert _changes(page, "classification-change") == [
        f"{Classification.PASS.label} → {Classification.SPECIAL_MENTION.label}"]
