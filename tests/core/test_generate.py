"""The benchmark's data generator: valid, repeatable data that the app itself can read."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from customers import selectors
from customers.models import Classification, Customer, Guarantee, Loan
from customers.validators import validate_resident_id, validate_uscc
from loanwatch.devtools.generate import generate
from tests.customers.factories import CustomerFactory
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _generated():
    return Customer.objects.filter(officer__username__startswith="gen")


def test_generated_rows_obey_the_rules_the_forms_enforce():
    call_command("generate_portfolio", customers=150, seed=3, stdout=io.StringIO())
    customers = list(_generated())
    assert len(customers) == 150
    for customer in customers:
        check = validate_uscc if customer.kind == "corporate" else validate_resident_id
        try:
            check(customer.identifier)
        except ValidationError as error:  # pragma: no cover - the assertion explains it
            pytest.fail(f"{customer.identifier}: {error}")
        assert customer.team_id == customer.officer.team_id
    loans = Loan.objects.filter(customer__in=customers)
    assert loans.count() >= 150
    for loan in loans:
        floor = selectors.classification_floor(days_past_due=loan.days_past_due)
        assert Classification.rank(loan.classification) >= Classification.rank(floor)
        assert 0 <= loan.balance <= loan.amount
        assert loan.matures_on > loan.disbursed_on
    # The list's figures were filled after the COPY (whose triggers were off), from the loans.
    for customer in customers:
        mine = [loan for loan in loans if loan.customer_id == customer.pk]
        assert (customer.figures.loan_count, customer.figures.total_balance,
                customer.figures.max_days_past_due, customer.figures.officer_id) == (
            len(mine), sum((loan.balance for loan in mine), Decimal("0")),
            max((loan.days_past_due for loan in mine), default=0), customer.officer_id)
    # Guarantees stay inside a team, as a circle an officer's supervisor can see.
    for guarantee in Guarantee.objects.filter(guarantor_customer__isnull=False):
        assert guarantee.guarantor_customer.team_id == guarantee.loan.customer.team_id


def test_the_same_seed_gives_the_same_portfolio_and_the_app_carries_on_after_it(officer):
    first = generate(customers=60, seed=11, out=io.StringIO())
    names = [c.name for c in _generated().order_by("pk")]
    second = generate(customers=60, seed=11, out=io.StringIO())
    again = [c.name for c in _generated().order_by("pk")][60:]
    assert again == names
    assert first.run_tag != second.run_tag  # the second run's logins and contracts are new
    # Sequences moved past the copied ids: an ordinary save still works.
    assert CustomerFactory(officer=officer).pk > max(c.pk for c in _generated())


def test_a_generated_customer_opens_for_its_officer_and_only_for_them(client):
    generate(customers=120, seed=5, out=io.StringIO())  # two officers
    customer = _generated().first()
    visits = Visit.objects.filter(customer=customer, status=Visit.Status.SUBMITTED)
    assert visits.count() == 10
    latest = visits.order_by("-visited_on").first()
    assert latest.revenue_ytd is not None and latest.interviews.count() == 2
    client.force_login(customer.officer)
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
    assert client.get(reverse("visits:visit_detail", args=[latest.pk])).status_code == 200
    other = _generated().exclude(officer=customer.officer).first().officer
    client.force_login(other)
    assert client.get(f"/customers/{customer.pk}/").status_code == 404
    assert client.get(reverse("visits:visit_detail", args=[latest.pk])).status_code == 404
