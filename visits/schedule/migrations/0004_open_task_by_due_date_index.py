from django.db import migrations, models


class Migration(migrations.Migration):
    """The bank-wide revisit card counts the open tasks overdue or due within a week; this
    partial index holds only open tasks, by due date, so the count reads those and no other."""

    dependencies = [
        ("schedule", "0003_default_policy"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="revisittask",
            index=models.Index(condition=models.Q(("status", "open")), fields=["due_on"],
                               name="open_task_by_due_date"),
        ),
    ]
