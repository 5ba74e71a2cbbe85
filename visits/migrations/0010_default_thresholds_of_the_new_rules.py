"""Default thresholds of the visit rules added with the season and repayment-source answers, so
that the thresholds page lists them and an administrator can change or disable each."""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = {
    "wages_late": "0", "few_on_site": "50", "high_risk_investment": "0",
    "guarantees_given": "50", "maturity_weak_source": "90",
}


def load(apps, schema_editor):
    SignalThreshold = apps.get_model("visits", "SignalThreshold")
    for rule, value in THRESHOLDS.items():
        SignalThreshold.objects.get_or_create(rule=rule,
                                              defaults={"threshold": Decimal(value)})


def unload(apps, schema_editor):
    apps.get_model("visits", "SignalThreshold").objects.filter(rule__in=THRESHOLDS).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0009_peak_months_same_period_revenue_repayment_source_kind")]
    operations = [migrations.RunPython(load, unload)]
