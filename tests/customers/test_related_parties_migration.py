"""The migration that makes each outside guarantor named on a guarantee a related party of the
borrower, with the guarantor role, so that it can be given an identifier and checked."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from customers.models import CustomerRelation, Guarantee, Person
from tests.customers.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("customers.migrations.0014_related_parties")


def test_outside_guarantors_become_parties_of_the_borrower_once_per_name(officer):
    borrower = CustomerFactory(officer=officer)
    first, second = LoanFactory(customer=borrower), LoanFactory(customer=borrower)
    ours = CustomerFactory(officer=officer)
    # As the rows were before the migration: a name only.
    for loan in (first, second):
        Guarantee.objects.create(loan=loan, guarantor_name="北京某某融资担保有限公司",
                                 amount=Decimal("100"))
    Guarantee.objects.create(loan=first, guarantor_name="王某", amount=Decimal("100"))
    Guarantee.objects.create(loan=second, guarantor_customer=ours, amount=Decimal("100"))

    migration.guarantors_to_parties(apps, None)
    migration.guarantors_to_parties(apps, None)  # a second run finds nothing left to do

    parties = {p.name: p.kind for p in Person.objects.all()}
    assert parties == {"北京某某融资担保有限公司": "company", "王某": "person"}
    assert not Guarantee.objects.filter(guarantor_customer__isnull=True,
                                        guarantor_party__isnull=True).exists()
    assert Guarantee.objects.get(guarantor_customer=ours).guarantor_party is None
    assert sorted(CustomerRelation.objects.filter(customer=borrower, role="guarantor")
                  .values_list("person__name", flat=True)) == ["北京某某融资担保有限公司", "王某"]
