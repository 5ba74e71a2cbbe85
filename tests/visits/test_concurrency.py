"""Two submissions of one draft at the same moment (a double tap, two tabs): one wins, the other
is told the visit is locked, and the signals and valuations are written once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from customers.models import CollateralValuation, RiskSignal
from tests.customers.factories import CollateralFactory, CustomerFactory
from visits import services
from visits.models import Visit, VisitCollateral

from .factories import ready_visit


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_submit_locks_once(officer):
    customer = CustomerFactory(officer=officer)
    item = CollateralFactory(customer=customer)
    visit = ready_visit(customer=customer, total_liabilities=Decimal("19000000"))
    VisitCollateral.objects.create(visit=visit, collateral=item, current_value=Decimal("1000000"))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.visit_submit(visit=Visit.objects.get(pk=visit.pk), acting_user=officer)
            outcomes.append("submitted")
        except ValidationError as error:
            outcomes.append(error.code or "refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["locked", "submitted"]
    assert RiskSignal.objects.filter(source_id=visit.pk, rule="high_debt_ratio").count() == 1
    assert CollateralValuation.objects.filter(collateral=item, source="visit").count() == 1
