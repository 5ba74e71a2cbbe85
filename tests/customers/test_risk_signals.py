"""Risk signals speak in the reader's language and are raised once per source and rule."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from customers.models import RiskSignal
from customers.risk_signals import Rule
from loanwatch.core import hooks

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_message_comes_from_the_registered_rule_in_the_active_language():
    hooks.register("risk_signal_rules", Rule("test_overdue", label=_("Overdue"),
                                             text=_("%(days)s days past due")))
    signal = RiskSignal.objects.create(customer=CustomerFactory(), source="visit", source_id=1,
                                       rule="test_overdue", params={"days": 12})
    with translation.override("en"):
        assert signal.message == "12 days past due"
    unknown = RiskSignal(customer=signal.customer, source="manual", rule="gone")
    assert "gone" in unknown.message


def test_a_source_raises_each_rule_once():
    customer = CustomerFactory()
    RiskSignal.objects.create(customer=customer, source="visit", source_id=5, rule="overdue")
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskSignal.objects.create(customer=customer, source="visit", source_id=5,
                                  rule="overdue")
    # Signals entered by hand have no source record and may repeat.
    RiskSignal.objects.create(customer=customer, source="manual", rule="other")
    RiskSignal.objects.create(customer=customer, source="manual", rule="other")
    assert customer.risk_signals.count() == 3
