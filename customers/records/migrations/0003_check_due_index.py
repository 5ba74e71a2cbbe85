import django.db.models.deletion
from django.db import migrations, models


BACKFILL = """
INSERT INTO records_checksubject (customer_id, person_id, last_checked_on)
SELECT c.id, NULL, m.last FROM customers_customer c
LEFT JOIN (SELECT customer_id, max(checked_on) AS last FROM records_recordcheck
           WHERE person_id IS NULL GROUP BY customer_id) m ON m.customer_id = c.id;
INSERT INTO records_checksubject (customer_id, person_id, last_checked_on)
SELECT r.customer_id, r.person_id, max(m.last) FROM customers_customerrelation r
LEFT JOIN (SELECT customer_id, person_id, max(checked_on) AS last FROM records_recordcheck
           WHERE person_id IS NOT NULL GROUP BY customer_id, person_id) m
       ON m.customer_id = r.customer_id AND m.person_id = r.person_id
WHERE r.role IN ('legal_representative', 'actual_controller', 'shareholder')
GROUP BY r.customer_id, r.person_id;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0010_signal_status'),
        ('records', '0002_entry_amount_not_negative'),
    ]

    operations = [
        migrations.CreateModel(
            name='CheckSubject',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_checked_on', models.DateField(blank=True, null=True, verbose_name='last checked')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.customer', verbose_name='customer')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='customers.person', verbose_name='person')),
            ],
            options={
                'verbose_name': 'subject to check',
                'verbose_name_plural': 'subjects to check',
                'indexes': [models.Index(models.OrderBy(models.F('last_checked_on'), nulls_first=True), models.OrderBy(models.F('id')), name='check_subject_due')],
                'constraints': [models.UniqueConstraint(fields=('customer', 'person'), name='check_subject_once', nulls_distinct=False)],
            },
        ),
        # Every subject with its last check, from the checks already recorded.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
