from __future__ import annotations

import pytest

from customers.models import CollateralValuation, RiskSignal
from loanwatch.devtools import demo
from visits.models import Visit

pytestmark = pytest.mark.django_db


def test_demo_visits_compare_raise_signals_and_load_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    counts = (Visit.objects.count(), RiskSignal.objects.count(),
              CollateralValuation.objects.count())
    demo.load()
    assert (Visit.objects.count(), RiskSignal.objects.count(),
            CollateralValuation.objects.count()) == counts
    assert Visit.objects.filter(status="draft").count() == 1
    later = Visit.objects.get(customer__name="北京华信精密机械有限公司", visited_on__month=9)
    rules = set(RiskSignal.objects.filter(source="visit", source_id=later.pk)
                .values_list("rule", flat=True))
    assert {"headcount_down", "margin_down", "high_debt_ratio", "large_receivables",
            "collateral_value_down", "repayment_pressure_high"} <= rules
    assert Visit.objects.filter(customer__kind="individual", status="submitted").exists()
    # A seasonal business compared with the same period, and a loan due with a weak source.
    assert later.peak_months and later.revenue_same_period_last_year
    due = RiskSignal.objects.get(source="visit", rule="maturity_weak_source")
    assert due.severity == "serious" and "SHPD-2023-0201" in due.params["items"]
