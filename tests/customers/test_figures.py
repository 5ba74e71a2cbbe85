"""Each customer's figures over its loans, kept by the database on every write of a loan or a
customer: right after each path that writes them (forms, the risk-state service, the feed, the
import, a delete, a reassignment), recomputed here from the loans themselves; and the list
sorted by them walks every customer once, in order, at each scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from customers import services, views
from customers.models import (
    Classification,
    Customer,
    CustomerFigures,
    Loan,
    RiskGroup,
    RiskStateChange,
)
from customers.risk_state import risk_state_apply
from tests.factories import UserFactory

from .factories import CustomerFactory, LoanFactory, uscc
from .feed.helpers import csv_bytes, line, run_file
from .test_imports import row, run_import, xlsx

pytestmark = pytest.mark.django_db
# The write paths run in real, committed transactions: the triggers fire on the statements as
# they do in production, and nothing is rolled back before the figures are read.
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LIST = reverse("customers:customer_list")


def _expected(customer: Customer) -> tuple:
    """The figures, from the customer's loans and its own row (not from the kept table)."""
    loans = list(Loan.objects.filter(customer_id=customer.pk))
    customer = Customer.objects.get(pk=customer.pk)
    return (customer.officer_id, customer.team_id, len(loans),
            sum((loan.balance for loan in loans), Decimal("0")),
            max((loan.days_past_due for loan in loans), default=0),
            max((Classification.rank(loan.classification) for loan in loans), default=-1))


def _kept(customer: Customer) -> tuple:
    return CustomerFigures.objects.values_list(
        "officer_id", "team_id", "loan_count", "total_balance", "max_days_past_due",
        "worst_rank").get(customer_id=customer.pk)


@COMMITTED
def test_a_customer_made_through_the_form_has_figures_before_any_loan(officer_client,
                                                                      officer):
    officer_client.post(reverse("customers:customer_create"), {
        "kind": "corporate", "name": "无贷款公司", "identifier": uscc(61),
        "risk_group": RiskGroup.objects.get(code="normal").pk, "officer": officer.pk})
    customer = Customer.objects.get(name="无贷款公司")
    assert _kept(customer) == _expected(customer) == (officer.pk, officer.team_id, 0,
                                                      Decimal("0"), 0, -1)


@COMMITTED
def test_a_loan_added_through_the_form_moves_its_customer_s_figures(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer, balance=Decimal("300000"))
    response = officer_client.post(reverse("customers:loan_create", kwargs={"pk": customer.pk}),
                                   {"contract_number": "HT-F-1", "amount": "500000",
                                    "balance": "450000.50", "disbursed_on": "2025-01-01",
                                    "matures_on": "2027-01-01", "purpose": "周转",
                                    "repayment_method": "bullet",
                                    "guarantee_types": ["unsecured"], "days_past_due": "40",
                                    "classification": "special_mention"})
    assert response.status_code == 302
    assert _kept(customer) == _expected(customer) == (officer.pk, officer.team_id, 2,
                                                      Decimal("750000.50"), 40, 1)


@COMMITTED
def test_the_risk_state_service_moves_the_figures(officer, admin_user):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, balance=Decimal("800000"))
    LoanFactory(customer=customer, balance=Decimal("100000"))
    risk_state_apply(customer=customer, acting_user=admin_user,
                     source=RiskStateChange.Source.CORRECTION, source_id=None, reason="更正",
                     loans={loan.pk: {"balance": Decimal("650000"), "days_past_due": 95,
                                      "classification": "substandard"}})
    assert _kept(customer) == _expected(customer)
    assert _kept(customer)[2:] == (2, Decimal("750000"), 95, 2)


@COMMITTED
def test_a_feed_run_moves_the_figures_of_every_customer_it_touches(officer, officer_b):
    first, untouched = CustomerFactory(officer=officer), CustomerFactory(officer=officer)
    second = CustomerFactory(officer=officer_b)
    LoanFactory(customer=first, contract_number="FD-1")
    LoanFactory(customer=first, contract_number="FD-2", balance=Decimal("5000"))
    LoanFactory(customer=second, contract_number="FD-3")
    LoanFactory(customer=untouched, contract_number="FD-4")
    before = _kept(untouched)
    run = run_file(csv_bytes([
        line("FD-1", balance="700000", days_past_due=35, classification="special_mention"),
        line("FD-3", balance="0", status="settled"),
    ]))
    assert run.status == "applied", run.errors
    for customer in (first, second, untouched):
        assert _kept(customer) == _expected(customer)
    assert _kept(first)[2:] == (2, Decimal("705000"), 35, 1)
    assert _kept(second)[3] == Decimal("0")
    assert _kept(untouched) == before


@COMMITTED
def test_an_import_gives_new_customers_and_new_loans_their_figures(officer):
    existing = CustomerFactory(officer=officer, identifier=uscc(1001))
    LoanFactory(customer=existing, contract_number="IMP-0001", balance=Decimal("500000"))
    run = run_import(xlsx([row(1, contract_number="IMP-0001", balance="500000",
                               classification=""),
                           row(1, contract_number="IMP-0009", balance="200000",
                               days_past_due="10", classification="关注"),
                           row(2, balance="123456.78")]), officer)
    assert run.status == "applied", run.errors
    new = Customer.objects.get(identifier=uscc(1002))
    assert _kept(existing) == _expected(existing)
    assert _kept(existing)[2:] == (2, Decimal("700000"), 10, 1)
    assert _kept(new) == _expected(new)
    assert _kept(new)[2:4] == (1, Decimal("123456.78"))


@COMMITTED
def test_a_deleted_loan_and_a_loan_moved_to_another_customer_leave_both_right(officer):
    one, other = CustomerFactory(officer=officer), CustomerFactory(officer=officer)
    gone = LoanFactory(customer=one, days_past_due=100, classification="doubtful")
    moved = LoanFactory(customer=one, balance=Decimal("1000"))
    gone.delete()
    assert _kept(one) == _expected(one) and _kept(one)[2:] == (1, Decimal("1000"), 0, 0)
    Loan.objects.filter(pk=moved.pk).update(customer=other)
    assert _kept(one) == _expected(one) == (officer.pk, officer.team_id, 0, Decimal("0"), 0, -1)
    assert _kept(other) == _expected(other) and _kept(other)[2] == 1


@COMMITTED
def test_a_reassigned_customer_s_figures_follow_it_to_the_new_officer_and_team(
        supervisor, officer, officer_b, admin_user):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer)
    colleague = UserFactory(username="officer_a2", team=officer.team, role=officer.role)
    services.customer_reassign(customer_ids=[customer.pk], to_officer=colleague,
                               acting_user=supervisor)
    assert _kept(customer) == _expected(customer) and _kept(customer)[:2] == (
        colleague.pk, officer.team_id)
    services.customer_reassign(customer_ids=[customer.pk], to_officer=officer_b,
                               acting_user=admin_user)
    assert _kept(customer)[:2] == (officer_b.pk, officer_b.team_id)


def test_the_refresh_repairs_figures_written_around_the_triggers(officer):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer, balance=Decimal("42"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customerfigures SET total_balance = 1, worst_rank = 4")
        cursor.execute("DELETE FROM customers_customerfigures WHERE customer_id = %s",
                       [CustomerFactory(officer=officer).pk])
    out = io.StringIO()
    call_command("refresh_customer_figures", stdout=out)
    assert "2" in out.getvalue()
    assert all(_kept(c) == _expected(c) for c in Customer.objects.all())
    assert services.customer_figures_refresh() == 0  # nothing left to change


# --- The list sorted by the figures, walked to its end ------------------------------------------

def _book(officer, officer_b) -> None:
    """Customers of two officers (two teams), with ties in every figure and one without loans."""
    for n, officer_of in enumerate([officer] * 7 + [officer_b] * 3):
        customer = CustomerFactory(officer=officer_of, name=f"排序{n}")
        for k in range(n % 3):
            LoanFactory(customer=customer, balance=Decimal(1000 * (n % 4)),
                        days_past_due=30 * (n % 2), disbursed_on=datetime.date(2025, 1, 1 + k),
                        classification=Classification.values[n % 3])


@pytest.mark.parametrize("persona", ["officer", "supervisor", "admin_user"])
@pytest.mark.parametrize(("sort", "figure"), [
    ("-balance", 3), ("balance", 3), ("-overdue", 4), ("-classification", 5)])
def test_the_sorted_list_walks_every_customer_of_the_scope_once_in_order(
        request, client, monkeypatch, officer, officer_b, persona, sort, figure):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    _book(officer, officer_b)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    scope = Customer.objects.all()
    if persona != "admin_user":
        scope = scope.filter(**({"officer": user} if persona == "officer" else
                                {"team_id": user.team_id}))
    rows = [(*_expected(c), c.pk) for c in scope]
    expected = [r[-1] for r in sorted(rows, key=lambda r: (r[figure], r[-1]),
                                      reverse=sort.startswith("-"))]
    page = client.get(LIST, {"sort": sort}).context["page"]
    seen = [c.pk for c in page]
    while page.has_next:
        page = client.get(LIST + page.next_link).context["page"]
        seen += [c.pk for c in page]
    assert seen == expected
    # The figures shown are the kept ones, and the kept ones are right.
    assert [(c.loan_count, c.total_balance, c.max_days_past_due, c.worst_rank) for c in page] \
        == [_expected(c)[2:] for c in page]


@pytest.mark.parametrize("persona", ["supervisor", "admin_user"])
def test_the_sorted_list_of_one_officer_chosen_from_the_menu_walks_to_its_end(
        request, client, monkeypatch, officer, officer_b, persona):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _book(officer, officer_b)
    client.force_login(request.getfixturevalue(persona))
    rows = [(*_expected(c), c.pk) for c in Customer.objects.filter(officer=officer)]
    expected = [r[-1] for r in sorted(rows, key=lambda r: (r[4], r[-1]), reverse=True)]
    page = client.get(LIST, {"sort": "-overdue", "officer": officer.pk}).context["page"]
    seen = [c.pk for c in page]
    while page.has_next:
        page = client.get(LIST + page.next_link).context["page"]
        seen += [c.pk for c in page]
    assert seen == expected
