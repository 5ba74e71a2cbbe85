from __future__ import annotations

import datetime
import io

import pytest

from customers.models import RiskSignal
from customers.records import selectors
from customers.records.models import Finding, RecordCheck
from loanwatch.devtools.generate import generate

pytestmark = pytest.mark.django_db


def test_generated_checks_read_like_entered_ones(admin_user):
    generate(customers=90, seed=7, out=io.StringIO(), today=datetime.date(2026, 11, 29))
    assert RecordCheck.objects.count() >= 90 * 6
    for finding in Finding.objects.select_related("record_check__customer"):
        signal = RiskSignal.objects.get(source="record_check",
                                        source_id=finding.record_check_id)
        assert finding.record_check.customer.name in signal.message
        assert finding.params["case"] in finding.message
    latest = selectors.latest_checks(customer=RecordCheck.objects.first().customer)
    assert len(latest) == 1
    # New checks continue the generated ids.
    RecordCheck.objects.create(customer=latest[0].customer, checked_on=datetime.date(2026, 11, 1),
                               checked_by=admin_user, source="manual")
