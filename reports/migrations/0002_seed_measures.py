from __future__ import annotations

from django.db import migrations

# The seven measures of SPEC.md, Workflow 3.
MEASURES = [
    ("more_visits", "增加回访频次", "More frequent visits"),
    ("more_security", "追加抵押或担保", "Additional collateral or guarantee"),
    ("reduce_line", "压降或冻结授信额度", "Reduce or freeze the credit line"),
    ("recall", "提前收回贷款", "Recall the loan early"),
    ("collection", "催收或法律诉讼", "Collection or legal action"),
    ("restructure", "贷款重组", "Restructuring"),
    ("other", "其他措施", "Other"),
]


def seed(apps, schema_editor) -> None:
    Measure = apps.get_model("reports", "Measure")
    for order, (code, name_zh, name_en) in enumerate(MEASURES, start=1):
        Measure.objects.get_or_create(code=code, defaults={
            "name_zh": name_zh, "name_en": name_en, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_risk_reports")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
