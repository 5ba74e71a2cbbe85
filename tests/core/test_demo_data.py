"""Demo data touches the demo's own customers only."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from customers.models import Customer, Industry
from loanwatch.core import demo
from tests.customers.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

RELATED = ("record_checks", "visits", "revisit_tasks", "risk_reports", "follow_ups", "relations",
           "loans", "collaterals", "guarantees_given", "risk_signals", "assignments")


def _banks_customers() -> list[Customer]:
    """A bank's own customers in a database that also holds the demo: in the demo's teams, with
    the demo's officers, named exactly like demo customers, one in the demo's steel industry and
    one loan under a contract number the demo also uses."""
    people = demo.load_people()
    steel, _ = Industry.objects.get_or_create(code="C31",
                                              defaults={"name": "黑色金属冶炼和压延加工业"})
    officer1, officer3 = people["officer1"], people["officer3"]
    customers = [
        CustomerFactory(officer=officer1, name="北京金盛钢材贸易有限公司", industry=steel),
        CustomerFactory(officer=officer1, name="北京华信精密机械有限公司"),
        CustomerFactory(officer=officer3, name="上海浦江置业发展有限公司"),
        *(CustomerFactory(officer=officer1) for _ in range(3)),
    ]
    for customer in customers:
        LoanFactory(customer=customer)
    LoanFactory(customer=customers[3], contract_number="BJHD-2024-0102",
                amount=Decimal("500000"), balance=Decimal("500000"))
    return customers


def _snapshot(customers: list[Customer]) -> list[dict]:
    """Everything a demo load could have written onto these customers."""
    rows = (Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
            .annotate(**{f"n_{name}": Count(name, distinct=True) for name in RELATED}))
    loans = {c.pk: list(c.loans.order_by("pk").values()) for c in customers}
    guarantees = {c.pk: list(c.loans.order_by("pk", "guarantees", "collaterals")
                             .values_list("guarantees", "collaterals")) for c in customers}
    return [{**row, "loans": loans[row["id"]], "guarantees": guarantees[row["id"]]}
            for row in rows.values()]


def test_demo_data_leaves_the_banks_own_customers_untouched(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customers = _banks_customers()
    before = _snapshot(customers)

    call_command("demo_data", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())  # as at every start

    assert _snapshot(customers) == before
    # The demo itself is all there: its steel trader's new court case, found on the demo's own.
    from customers.demo import IDENTIFIERS, demo_customers
    from customers.records.models import Finding

    finding = Finding.objects.get(kind="new_case")
    assert finding.record_check.customer.identifier == IDENTIFIERS["bj2"]
    assert demo_customers().count() == len(IDENTIFIERS)
    assert demo_customers().filter(visits__isnull=False).exists()
