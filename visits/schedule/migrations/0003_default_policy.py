"""The default policy (SPEC.md): each risk group's interval for both kinds, on-site visits only,
a 30-day cap in high-risk industries, a first check within 30 days of disbursement."""

from __future__ import annotations

from django.db import migrations


def create(apps, schema_editor) -> None:
    RiskGroup = apps.get_model("customers", "RiskGroup")
    Policy = apps.get_model("schedule", "RevisitPolicy")
    Settings = apps.get_model("schedule", "ScheduleSettings")
    Settings.objects.get_or_create(pk=1)
    for group in RiskGroup.objects.all():
        for kind in ("corporate", "individual"):
            Policy.objects.get_or_create(
                risk_group=group, customer_kind=kind,
                defaults={"interval_days": min(max(group.default_interval_days, 7), 365)})


class Migration(migrations.Migration):
    dependencies = [("schedule", "0002_policy_planner_events"), ("customers", "0002_defaults")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
