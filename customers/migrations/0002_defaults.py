"""Default risk groups and classification floors (SPEC.md), and what each role may do."""

from __future__ import annotations

from django.db import migrations

RISK_GROUPS = [
    ("normal", "正常", "Normal", 10, "success", 90),
    ("watch", "关注", "Watch", 20, "warning", 60),
    ("high", "高风险", "High risk", 30, "danger", 30),
]

# Over this many days past due, at least this classification.
FLOORS = [(0, "special_mention"), (90, "substandard"), (270, "doubtful"), (360, "loss")]

RECORDS = ["customer", "customerrelation", "person", "loan", "collateral",
           "collateralvaluation", "guarantee"]
GRANTS = {
    "officer": [f"{a}_{m}" for m in RECORDS for a in ("view", "add", "change")]
    + ["view_industry", "view_riskgroup", "view_classificationfloor"],
    "supervisor": [f"{a}_{m}" for m in RECORDS for a in ("view", "add", "change")]
    + ["view_industry", "view_riskgroup", "view_classificationfloor", "add_customerassignment",
       "view_customerassignment"],
    "admin": [f"{a}_{m}" for m in [*RECORDS, "industry", "classificationfloor", "riskgroup"]
              for a in ("view", "add", "change")]
    + ["add_customerassignment", "view_customerassignment"],
}


def create(apps, schema_editor) -> None:
    from loanwatch.accounts.grants import grant

    RiskGroup = apps.get_model("customers", "RiskGroup")
    for code, zh, en, order, colour, days in RISK_GROUPS:
        RiskGroup.objects.get_or_create(code=code, defaults={
            "name_zh": zh, "name_en": en, "order": order, "colour": colour,
            "default_interval_days": days})
    Floor = apps.get_model("customers", "ClassificationFloor")
    for days, minimum in FLOORS:
        Floor.objects.get_or_create(days_past_due_over=days, defaults={"minimum": minimum})
    for role, codenames in GRANTS.items():
        grant(apps, role, "customers", codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("accounts", "0002_roles"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
