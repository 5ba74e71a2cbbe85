"""Each user reads amounts in yuan or in ten thousand yuan (万元), on every page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from loanwatch.formats.amounts import WAN, YUAN, reading_unit
from tests.customers.factories import CustomerFactory, LoanFactory

MONEY = Template("{{ amount|money }}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_yuan_are_grouped_with_two_decimals(language):
    with translation.override(language):
        assert MONEY.render(Context({"amount": Decimal("24080000")})) == "24,080,000.00"
        assert MONEY.render(Context({"amount": Decimal("-0.5")})) == "-0.50"
        assert MONEY.render(Context({"amount": None})) == ""


@pytest.mark.parametrize(("language", "shown"), [("zh-hans", "2,408.00 万"),
                                                  ("en", "2,408.00 ×10k")])
def test_ten_thousands_keep_the_exact_amount_in_the_title(language, shown):
    token = reading_unit.set(WAN)
    try:
        with translation.override(language):
            html = MONEY.render(Context({"amount": Decimal("24080000.004")}))
    finally:
        reading_unit.reset(token)
    assert html == f'<span title="24,080,000.00">{shown}</span>'


@pytest.mark.django_db
def test_an_officer_switches_to_ten_thousands_and_the_list_follows(officer, officer_client):
    customer = CustomerFactory(officer=officer)
    LoanFactory(customer=customer, amount=Decimal("30000000"), balance=Decimal("24080000"))
    page = officer_client.get(reverse("customers:customer_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "24,080,000.00" in page.content.decode()

    answer = officer_client.post(reverse("accounts:preferences"), {"amount_unit": WAN})
    assert answer.status_code == 302
    officer.refresh_from_db()
    assert officer.amount_unit == WAN

    page = officer_client.get(reverse("customers:customer_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "2,408.00 ×10k" in page.content.decode()
    # Another user's pages are not affected by this officer's choice.
    assert reading_unit.get() == YUAN


@pytest.mark.django_db
def test_an_unknown_unit_is_refused_with_a_field_error(officer, officer_client):
    answer = officer_client.post(reverse("accounts:preferences"), {"amount_unit": "gold"},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert "Select a valid choice" in answer.content.decode()
    officer.refresh_from_db()
    assert officer.amount_unit == YUAN
