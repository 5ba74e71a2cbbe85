"""Every customers view for each role: scope (404 outside it), role (403), sign-in, and fixed
query counts on the list and the information sheet."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer, CustomerAssignment, RiskGroup
from customers.records import services as record_services
from customers.services import relation_add
from customers.views import PAGE_SIZE
from tests.customers.downloads import download
from tests.customers.records.helpers import reading, subject
from tests.factories import UserFactory
from tests.reports.factories import draft_report
from visits.schedule.services import task_raise

from .factories import (
    CollateralFactory,
    CustomerFactory,
    IndividualFactory,
    LoanFactory,
    ValuationFactory,
    guarantees,
    resident_id,
    uscc,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anon", "officer", "officer_b", "supervisor", "supervisor_b", "admin")


@pytest.fixture
def people(officer, officer_b, supervisor, supervisor_b, admin_user):
    return {"anon": None, "officer": officer, "officer_b": officer_b, "supervisor": supervisor,
            "supervisor_b": supervisor_b, "admin": admin_user}


@pytest.fixture
def record(officer):
    """A customer of team A's officer with a loan, collateral and a relation."""
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer)
    collateral = CollateralFactory(customer=customer)
    collateral.loans.add(loan)
    relation = relation_add(customer=customer, acting_user=officer, name="张三",
                            role="legal_representative")
    return {"customer": customer, "loan": loan, "collateral": collateral, "relation": relation}


def answers(people, url, method="get", data=None):
    result = {}
    for name in PERSONAS:
        client = Client()
        if people[name] is not None:
            client.force_login(people[name])
        response = getattr(client, method)(url, data or {})
        if response.status_code == 302 and response["Location"].startswith(
                reverse(settings.LOGIN_URL)):
            result[name] = "login"
        else:
            result[name] = response.status_code
    return result


SCOPED = {"anon": "login", "officer": 200, "officer_b": 404, "supervisor": 200,
          "supervisor_b": 404, "admin": 200}


@pytest.mark.parametrize(("name", "key"), [
    ("customers:customer_detail", "customer"), ("customers:customer_edit", "customer"),
    ("customers:relation_add", "customer"), ("customers:loan_create", "customer"),
    ("customers:collateral_create", "customer"), ("customers:loan_edit", "loan"),
    ("customers:guarantee_create", "loan"), ("customers:valuation_add", "collateral"),
])
def test_record_pages_are_scoped(people, record, name, key):
    url = reverse(name, kwargs={"pk": record[key].pk})
    assert answers(people, url) == SCOPED


def test_relation_remove_is_scoped(people, record):
    url = reverse("customers:relation_remove", kwargs={"pk": record["relation"].pk})
    result = answers(people, url, method="post")
    # The first allowed persona removes it; later ones find it gone (404), which is also fine.
    assert result["anon"] == "login"
    assert result["officer_b"] == 404 and result["supervisor_b"] == 404
    assert result["officer"] == 302


@pytest.mark.parametrize("name", ["customers:customer_list", "customers:customer_create",
                                  "customers:customer_import", "customers:import_template"])
def test_list_pages_open_for_every_role(people, name):
    assert answers(people, reverse(name)) == {
        "anon": "login", **{p: 200 for p in PERSONAS if p != "anon"}}


def test_reassign_is_for_supervisors_and_admins(people):
    assert answers(people, reverse("customers:customer_reassign"), method="post") == {
        "anon": "login", "officer": 403, "officer_b": 403, "supervisor": 302,
        "supervisor_b": 302, "admin": 302}


def test_a_user_without_a_role_gets_403(team_a):
    client = Client()
    client.force_login(UserFactory(team=team_a, role=""))
    assert client.get(reverse("customers:customer_list")).status_code == 403


def test_list_shows_only_the_users_customers(officer_client, officer, officer_b):
    CustomerFactory(officer=officer, name="我的客户")
    CustomerFactory(officer=officer_b, name="别人的客户")
    page = officer_client.get(reverse("customers:customer_list")).content.decode()
    assert "我的客户" in page and "别人的客户" not in page


def test_supervisor_reassigns_from_the_list(supervisor_client, officer):
    colleague = UserFactory(team=officer.team, role="officer")
    customers = CustomerFactory.create_batch(2, officer=officer)
    response = supervisor_client.post(reverse("customers:customer_reassign"), {
        "customers": [c.pk for c in customers], "to_officer": colleague.pk, "note": "休假"})
    assert response.status_code == 302
    assert Customer.objects.filter(officer=colleague).count() == 2
    page = supervisor_client.get(reverse("customers:customer_detail",
                                         kwargs={"pk": customers[0].pk})).content.decode()
    assert "休假" in page
    assert CustomerAssignment.objects.count() == 2


def test_create_customer_shows_field_errors_in_the_users_language(officer_client):
    bad = uscc(5)[:17] + ("0" if uscc(5)[-1] != "0" else "1")
    response = officer_client.post(reverse("customers:customer_create"), {
        "kind": "corporate", "name": "坏代码公司", "identifier": bad,
        "risk_group": RiskGroup.objects.get(code="normal").pk},
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "check character" in response.content.decode()
    assert not Customer.objects.exists()


def test_create_customer_and_loan_through_the_forms(officer_client, officer):
    response = officer_client.post(reverse("customers:customer_create"), {
        "kind": "corporate", "name": "好代码公司", "identifier": uscc(6),
        "risk_group": RiskGroup.objects.get(code="normal").pk, "officer": officer.pk})
    customer = Customer.objects.get()
    assert response.status_code == 302 and customer.officer == officer
    response = officer_client.post(reverse("customers:loan_create", kwargs={"pk": customer.pk}), {
        "contract_number": "HT-1", "amount": "100", "balance": "100",
        "disbursed_on": "2025-01-01", "matures_on": "2026-01-01", "purpose": "周转",
        "repayment_method": "bullet", "guarantee_types": ["unsecured"], "days_past_due": "120",
        "classification": "special_mention"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "require at least" in response.content.decode()
    assert not customer.loans.exists()


def _grow(officer, size: int, first: Customer | None = None) -> Customer:
    """Add `size` customers, each with a loan and valued collateral, all guaranteeing `first`
    (the first one made when not given), which guarantees the second back."""
    customers = [CustomerFactory(officer=officer) if i % 2 else IndividualFactory(officer=officer)
                 for i in range(size)]
    for customer in customers:
        loan = LoanFactory(customer=customer, days_past_due=i if (i := customer.pk % 3) else 0,
                           classification="special_mention" if customer.pk % 3 else "pass")
        item = CollateralFactory(customer=customer)
        item.loans.add(loan)
        ValuationFactory(collateral=item)
    if first is None:
        first = customers.pop(0)
        guarantees(first, customers[0])
    for other in customers:
        guarantees(other, first)
    return first


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("persona", ["officer_client", "supervisor_client", "admin_client_"])
def test_list_and_sheet_issue_a_fixed_number_of_queries(request, persona, officer):
    client = request.getfixturevalue(persona)
    # The bank's list shows PostgreSQL's estimate of its size, or counts while the table was
    # never analysed: analysed here, so that a passing autovacuum cannot change the count.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    first = _grow(officer, 5)
    list_url = reverse("customers:customer_list")
    sheet_url = reverse("customers:customer_detail", kwargs={"pk": first.pk})
    small = (_count(client, list_url), _count(client, sheet_url))
    # A full list page, and a circle of guarantors ten times larger.
    large_size = PAGE_SIZE + 10
    _grow(officer, large_size - 5, first)
    assert Customer.objects.count() == large_size
    large = (_count(client, list_url), _count(client, sheet_url))
    assert small == large


def test_sheet_shows_the_circle_and_marks_mutual_guarantee(officer_client, officer):
    a, b = CustomerFactory.create_batch(2, officer=officer)
    guarantees(a, b)
    guarantees(b, a)
    page = officer_client.get(reverse("customers:customer_detail", kwargs={"pk": a.pk}),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "mutual guarantee" in page and b.name in page and "<svg" in page


def test_export_contains_the_filtered_list(officer_client, officer):
    LoanFactory(customer=CustomerFactory(officer=officer, name="逾期公司"), days_past_due=30,
                classification="special_mention", balance=Decimal("10"))
    CustomerFactory(officer=officer, name="正常公司")
    content = download(officer_client, reverse("customers:customer_export") + "?overdue=1")
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["逾期公司"]


def test_home_pages_show_the_users_book_at_a_fixed_cost(officer_client, supervisor_b, officer,
                                                       officer_b):
    LoanFactory(customer=CustomerFactory(officer=officer), days_past_due=5,
                classification="special_mention")
    home = reverse("core:home")
    small = _count(officer_client, home)
    for _ in range(20):
        LoanFactory(customer=CustomerFactory(officer=officer))
        LoanFactory(customer=CustomerFactory(officer=officer_b))
    assert _count(officer_client, home) == small
    page = officer_client.get(home, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "portfolio-card" in page and "overdue loans" in page
    client = Client()
    client.force_login(supervisor_b)
    assert client.get(home).context["portfolio"]["customers"] == 20


def test_sheet_shows_a_controller_behind_another_company(officer_client, officer, officer_b):
    mine, also_mine = CustomerFactory.create_batch(2, officer=officer)
    hidden = CustomerFactory(officer=officer_b, name="别组的公司")
    for customer, user in ((mine, officer), (also_mine, officer), (hidden, officer_b)):
        relation_add(customer=customer, acting_user=user, name="陈国华",
                     id_number=resident_id(77), role="actual_controller")
    page = officer_client.get(reverse("customers:customer_detail", kwargs={"pk": mine.pk}),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert also_mine.name in page and "别组的公司" not in page


def test_collateral_edit_links_loans_and_keeps_the_appraisal(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer)
    other_loan = LoanFactory(customer=CustomerFactory(officer=officer))
    item = CollateralFactory(customer=customer)
    url = reverse("customers:collateral_edit", kwargs={"pk": item.pk})
    response = officer_client.post(url, {"kind": "land", "description": "新描述",
                                         "loans": [other_loan.pk], "version": item.version})
    assert response.status_code == 200  # another customer's loan is not a choice
    response = officer_client.post(url, {"kind": "land", "description": "新描述",
                                         "loans": [loan.pk], "version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.description == "新描述" and list(item.loans.all()) == [loan]
    assert item.appraised_value == Decimal("2000000.00")
    stale = officer_client.post(url, {"kind": "land", "description": "旧页面",
                                      "loans": [loan.pk], "version": 0},
                                HTTP_ACCEPT_LANGUAGE="en")
    assert "Someone else changed this record" in stale.content.decode()


def test_export_keeps_formula_like_names_as_text(officer_client, officer):
    CustomerFactory(officer=officer, name='=HYPERLINK("http://evil.example","x")')
    content = download(officer_client, reverse("customers:customer_export"))
    cell = load_workbook(BytesIO(content)).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")


# Per request the session and the user (see loanwatch/accounts); the rest is the sheet's own:
# the customer with its loans, collateral and valuations and reassignments (as JSON), its
# related persons with their other companies, the guarantees (both ways), the guarantee circle
# and its members, the history, and the sections other apps register (record checks with their
# findings, visits with the signals, tasks, the standing warning, risk reports, the risk-state
# history with the group names, the corrections waiting, the related parties' findings that
# reached the customer).
SHEET_QUERIES = 17


def _fill_sheet(customer: Customer, officer, n: int) -> None:
    """Give a customer `n` more of everything the sheet lists."""
    for i in range(n):
        k = CustomerAssignment.objects.count() * 10 + i
        loan = LoanFactory(customer=customer)
        item = CollateralFactory(customer=customer)
        item.loans.add(loan)
        ValuationFactory(collateral=item)
        ValuationFactory(collateral=item)
        other = CustomerFactory(officer=officer)
        guarantees(other, customer)
        guarantees(customer, other)
        relation = relation_add(customer=customer, acting_user=officer, name=f"股东{k}",
                                role="actual_controller", id_number=resident_id(900 + k))
        relation_add(customer=other, acting_user=officer, name=f"股东{k}",
                     role="legal_representative", id_number=resident_id(900 + k))
        record_services.check_record(subject=subject(customer, relation.person),
                                     data=reading(date(2026, 1, 1) + timedelta(days=k),
                                                  f"Q-{k}"),
                                     source="manual", acting_user=officer)
        # Read through the other company, the same person's new case reaches this customer.
        record_services.check_record(subject=subject(other, relation.person),
                                     data=reading(date(2026, 1, 1) + timedelta(days=k),
                                                  f"Q-{k}", f"R-{k}"),
                                     source="manual", acting_user=officer)
        draft_report(officer=officer, customer=customer)  # with a submitted visit
        task_raise(customer=customer, reason="risk_event", due_on=date(2026, 8, 1 + i))
        CustomerAssignment.objects.create(customer=customer, from_officer=officer,
                                          to_officer=officer, by=officer)


def test_the_sheet_keeps_its_query_count_whatever_the_customer_holds(
        officer_client, officer, django_assert_num_queries):
    customer = CustomerFactory(officer=officer)
    url = reverse("customers:customer_detail", kwargs={"pk": customer.pk})
    _fill_sheet(customer, officer, 1)
    small = _count(officer_client, url)
    _fill_sheet(customer, officer, 5)
    assert _count(officer_client, url) == small
    with django_assert_num_queries(SHEET_QUERIES):
        page = officer_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "mutual guarantee" in page and 'id="record-checks"' in page
    assert page.count("New enforcement case R-") == 6  # the related parties' findings
