"""The risk state — a customer's group, each loan's classification, balance and days past due —
moves only through an approved report, the loan feed, or an administrator's correction; every
move leaves one history row."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from customers import services
from customers.admin import CustomerAdmin, LoanAdmin
from customers.models import Customer, Loan, RiskCorrection, RiskGroup, RiskStateChange
from customers.risk_state import correction_decide, correction_request
from reports import services as report_services
from tests.reports.factories import submitted_report

from .factories import CustomerFactory, LoanFactory, resident_id
from .test_imports import row, run_import, xlsx

pytestmark = pytest.mark.django_db


def group(code: str) -> RiskGroup:
    return RiskGroup.objects.get(code=code)


@pytest.fixture
def watched(officer):
    """A customer on watch with a substandard loan 120 days past due."""
    customer = CustomerFactory(officer=officer, risk_group=group("watch"))
    loan = LoanFactory(customer=customer, days_past_due=120, classification="substandard")
    return customer, loan


def _state(customer: Customer, loan: Loan) -> tuple:
    customer.refresh_from_db()
    loan.refresh_from_db()
    return customer.risk_group.code, loan.classification, loan.days_past_due, loan.balance


# --- Officers' forms, crafted requests and imports change nothing ------------------------------


@pytest.mark.parametrize("client_fixture", ["officer_client", "supervisor_client",
                                            "admin_client_"])
def test_the_customer_edit_form_cannot_move_the_risk_group(request, client_fixture, watched):
    customer, loan = watched
    client = request.getfixturevalue(client_fixture)
    page = client.get(reverse("customers:customer_edit", args=[customer.pk]))
    assert 'name="risk_group"' not in page.content.decode()
    data = {"kind": "corporate", "name": customer.name, "identifier": customer.identifier,
            "risk_group": group("normal").pk, "officer": customer.officer_id,
            "phone": "13800138000", "version": customer.version}
    response = client.post(reverse("customers:customer_edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "13800138000"  # the rest of the form saved
    assert customer.risk_group.code == "watch"
    assert not RiskStateChange.objects.exists()


def test_the_loan_edit_form_cannot_reclassify_or_wipe_arrears(officer_client, watched):
    customer, loan = watched
    before = _state(customer, loan)
    page = officer_client.get(reverse("customers:loan_edit", args=[loan.pk])).content.decode()
    for name in ("classification", "days_past_due", "balance"):
        assert f'name="{name}"' not in page
    response = officer_client.post(reverse("customers:loan_edit", args=[loan.pk]), {
        "contract_number": loan.contract_number, "amount": "1000000.00", "balance": "0",
        "disbursed_on": "2025-01-15", "matures_on": "2027-01-15", "purpose": "购买设备",
        "repayment_method": "interest_only", "guarantee_types": ["guaranteed"],
        "days_past_due": "0", "classification": "pass", "version": loan.version})
    assert response.status_code == 302
    assert _state(customer, loan) == before
    assert loan.purpose == "购买设备"
    assert not RiskStateChange.objects.exists()


def test_an_amount_below_todays_balance_is_refused_on_the_loan_form(officer, watched):
    _customer, loan = watched
    with pytest.raises(ValidationError) as error:
        services.loan_update(loan=loan, acting_user=officer,
                             data={"amount": Decimal("1000"), "balance": Decimal("0")})
    assert "balance" in error.value.message_dict


def test_a_new_customer_of_an_officer_starts_in_the_first_group(officer_client, officer):
    response = officer_client.post(reverse("customers:customer_create"), {
        "kind": "individual", "name": "李四", "identifier": "11010519491231002X",
        "risk_group": group("normal").pk + 1000})
    assert response.status_code == 302
    assert Customer.objects.get(name="李四").risk_group.code == "normal"
    response = officer_client.post(reverse("customers:customer_create"), {
        "kind": "individual", "name": "王五", "identifier": resident_id(7),
        "risk_group": group("high").pk})
    assert Customer.objects.get(name="王五").risk_group.code == "normal"


def test_an_administrator_opens_a_customer_in_any_group(admin_user, officer):
    customer = services.customer_create(acting_user=admin_user, data={
        "kind": "individual", "name": "赵六", "identifier": "11010519491231002X",
        "risk_group": group("high"), "officer": officer})
    assert customer.risk_group.code == "high"


def test_an_officers_import_may_not_name_a_risk_group(officer):
    run = run_import(xlsx([row(1), row(2, risk_group="高风险")]), officer)
    assert "Only an administrator sets a risk group" in run.errors[0]["reason"]
    assert not Customer.objects.exists()


def test_an_officers_import_without_groups_opens_in_the_first_group(officer):
    assert run_import(xlsx([row(1)]), officer).status == "applied"
    assert Customer.objects.get().risk_group.code == "normal"


# --- Corrections ---------------------------------------------------------------------------------


def test_a_correction_needs_a_reason(admin_user, watched):
    customer, _loan = watched
    with pytest.raises(ValidationError) as error:
        correction_request(customer=customer, acting_user=admin_user, reason=" ",
                           risk_group=group("high"))
    assert "reason" in error.value.message_dict


def test_only_an_administrator_corrects(supervisor, watched):
    customer, _loan = watched
    with pytest.raises(PermissionDenied):
        correction_request(customer=customer, acting_user=supervisor, reason="核实",
                           risk_group=group("high"))


def test_a_correction_raising_risk_applies_at_once_with_one_history_row(admin_user, watched):
    customer, loan = watched
    correction = correction_request(customer=customer, acting_user=admin_user,
                                    reason="核心系统数据有误", risk_group=group("high"),
                                    loans={loan.pk: {"classification": "doubtful",
                                                     "days_past_due": 200}})
    assert correction.status == RiskCorrection.Status.APPLIED
    assert _state(customer, loan)[:3] == ("high", "doubtful", 200)
    change = RiskStateChange.objects.get()
    assert (change.source, change.source_id, change.by, change.reason) == (
        "correction", correction.pk, admin_user, "核心系统数据有误")
    assert {c["field"] for c in change.changes} == {"risk_group", "classification",
                                                      "days_past_due"}


def test_a_correction_lowering_risk_waits_for_a_second_person(admin_user, supervisor, officer,
                                                               supervisor_b, watched):
    customer, loan = watched
    before = _state(customer, loan)
    correction = correction_request(customer=customer, acting_user=admin_user,
                                    reason="逾期已结清", risk_group=group("normal"),
                                    loans={loan.pk: {"classification": "special_mention",
                                                     "days_past_due": 0}})
    assert correction.status == RiskCorrection.Status.AWAITING and correction.lowers_risk
    assert _state(customer, loan) == before
    assert not RiskStateChange.objects.exists()
    for user in (admin_user, officer, supervisor_b):
        with pytest.raises(PermissionDenied):
            correction_decide(correction=correction, acting_user=user, approve=True)
    correction_decide(correction=correction, acting_user=supervisor, approve=True)
    assert _state(customer, loan)[:3] == ("normal", "special_mention", 0)
    change = RiskStateChange.objects.get()
    assert (change.source_id, change.by) == (correction.pk, supervisor)
    with pytest.raises(ValidationError):
        correction_decide(correction=correction, acting_user=supervisor, approve=True)


def test_a_rejected_correction_changes_nothing_and_needs_a_reason(admin_user, supervisor,
                                                                  watched):
    customer, loan = watched
    correction = correction_request(customer=customer, acting_user=admin_user, reason="复核",
                                    risk_group=group("normal"))
    with pytest.raises(ValidationError):
        correction_decide(correction=correction, acting_user=supervisor, approve=False)
    correction_decide(correction=correction, acting_user=supervisor, approve=False,
                      comment="执行案件尚未结案")
    correction.refresh_from_db()
    assert correction.status == RiskCorrection.Status.REJECTED
    assert _state(customer, loan)[0] == "watch" and not RiskStateChange.objects.exists()


def test_a_correction_below_the_floor_is_refused(admin_user, watched):
    customer, loan = watched
    with pytest.raises(ValidationError) as error:
        correction_request(customer=customer, acting_user=admin_user, reason="复核",
                           loans={loan.pk: {"classification": "pass"}})
    assert "120" in str(error.value)
    assert not RiskCorrection.objects.exists()


def test_a_correction_that_changes_nothing_is_refused(admin_user, watched):
    customer, _loan = watched
    with pytest.raises(ValidationError):
        correction_request(customer=customer, acting_user=admin_user, reason="复核",
                           risk_group=group("watch"))


def test_the_downgrade_page_and_the_approval_page(admin_client_, supervisor_client, watched):
    customer, loan = watched
    url = reverse("customers:risk_correction", args=[customer.pk])
    assert admin_client_.post(url, {
        "risk_group": group("normal").pk, "reason": "",
        f"loan_{loan.pk}_classification": "substandard", f"loan_{loan.pk}_balance": "800000",
        f"loan_{loan.pk}_days_past_due": "120"}).status_code == 200  # reason required
    response = admin_client_.post(url, {
        "risk_group": group("normal").pk, "reason": "担保人代偿后风险下降",
        f"loan_{loan.pk}_classification": "substandard", f"loan_{loan.pk}_balance": "800000",
        f"loan_{loan.pk}_days_past_due": "120"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "waits for a second person" in response.content.decode()
    assert customer.risk_group.code == "watch"
    page = supervisor_client.get(reverse("customers:correction_list"),
                                 HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "担保人代偿后风险下降" in page and "Watch → Normal" in page
    correction = RiskCorrection.objects.get()
    supervisor_client.post(reverse("customers:correction_decide", args=[correction.pk]),
                           {"decision": "approve"})
    customer.refresh_from_db()
    assert customer.risk_group.code == "normal"
    sheet = admin_client_.get(reverse("customers:customer_detail", args=[customer.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "risk group: Watch → Normal" in sheet and "担保人代偿后风险下降" in sheet


# --- Approved reports ------------------------------------------------------------------------


def test_an_approval_writes_one_history_row_and_keeps_before_and_after(officer, supervisor,
                                                                     watched):
    customer, loan = watched
    report = submitted_report(officer=officer, customer=customer, warning_level="orange",
                              proposed_risk_group=group("high"),
                              classifications={loan.pk: "doubtful"})
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    change = RiskStateChange.objects.get()
    assert (change.source, change.source_id, change.by) == ("report", report.pk, supervisor)
    assert sorted((c["field"], c["before"], c["after"]) for c in change.changes) == sorted([
        ("risk_group", str(group("watch").pk), str(group("high").pk)),
        ("classification", "substandard", "doubtful")])
    report.refresh_from_db()
    assert (report.risk_group_before.code, report.risk_group_after.code) == ("watch", "high")
    assert report.classifications.get().classification_before == "substandard"


def test_an_approval_that_changes_nothing_writes_no_history(officer, supervisor, watched):
    customer, _loan = watched
    report = submitted_report(officer=officer, customer=customer)
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    assert not RiskStateChange.objects.exists()


def test_the_customers_workbook_carries_the_risk_state_history(admin_client_, admin_user,
                                                               watched):
    customer, loan = watched
    correction_request(customer=customer, acting_user=admin_user, reason="核心系统数据有误",
                       loans={loan.pk: {"days_past_due": 150}})
    response = admin_client_.get(reverse("customers:customer_sheet_export", args=[customer.pk]),
                                 HTTP_ACCEPT_LANGUAGE="en")
    book = load_workbook(BytesIO(response.content))
    rows = [[c.value for c in r] for r in book["Risk-state history"].iter_rows(min_row=2)]
    assert len(rows) == 1
    assert rows[0][1] == "administrator's correction"
    assert f"{loan.contract_number} days past due: 120 → 150" in rows[0][2]
    assert rows[0][4] == "核心系统数据有误"


def test_the_django_admin_shows_the_risk_state_read_only(rf, admin_user, watched):
    customer, loan = watched
    request = rf.get("/")
    request.user = admin_user
    loan_fields = LoanAdmin(Loan, admin.site).get_readonly_fields(request, obj=loan)
    assert {"classification", "balance", "days_past_due"} <= set(loan_fields)
    customer_fields = CustomerAdmin(Customer, admin.site).get_readonly_fields(request,
                                                                              obj=customer)
    assert {"risk_group", "warning_level", "warning_since"} <= set(customer_fields)


def test_the_sheet_shows_what_the_loan_feed_reported(officer_client, watched):
    customer, loan = watched
    Loan.objects.filter(pk=loan.pk).update(
        principal_overdue=Decimal("12000.50"), interest_overdue=Decimal("1000.25"),
        next_due_on="2026-12-20", status="active", last_feed_as_of="2026-11-29")
    page = officer_client.get(reverse("customers:customer_detail", args=[customer.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "in arrears 13,000.75" in page
    assert "next due 20 Dec 2026" in page and "as of 29 Nov 2026" in page
