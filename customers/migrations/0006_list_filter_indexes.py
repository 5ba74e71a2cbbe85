from django.db import migrations


class Migration(migrations.Migration):
    """The customer list's loan filters ("overdue only", "any classification") ask, per customer,
    whether such a loan exists. Without these PostgreSQL read all the bank's loans to answer;
    with them it reads the few overdue (one loan in twelve) or the loans of one classification,
    from the index alone."""

    dependencies = [
        ('customers', '0005_search_two_character_terms'),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                'CREATE INDEX loan_overdue_customer ON customers_loan (customer_id) '
                'WHERE days_past_due > 0',
                'CREATE INDEX loan_classification_customer ON customers_loan '
                '(classification, customer_id)',
            ],
            reverse_sql=[
                'DROP INDEX loan_classification_customer',
                'DROP INDEX loan_overdue_customer',
            ],
        ),
    ]
