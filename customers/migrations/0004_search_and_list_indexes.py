from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_risk_signals'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['name', 'id'], name='customer_name_id'),
        ),
        # pg_trgm is a trusted extension: the database owner may create it, no superuser needed.
        TrigramExtension(),
        # Search matches any part of a name, code or contract number; Django's icontains
        # compares UPPER(column::text) LIKE UPPER(pattern), so the trigram indexes are built on
        # that very expression (written as SQL: the ORM's OpClass wraps it in a way PostgreSQL
        # refuses).
        migrations.RunSQL(
            sql=[
                'CREATE INDEX customer_name_trgm ON customers_customer '
                'USING gin ((UPPER(name::text)) gin_trgm_ops)',
                'CREATE INDEX customer_identifier_trgm ON customers_customer '
                'USING gin ((UPPER(identifier::text)) gin_trgm_ops)',
                'CREATE INDEX loan_contract_trgm ON customers_loan '
                'USING gin ((UPPER(contract_number::text)) gin_trgm_ops)',
            ],
            reverse_sql=[
                'DROP INDEX customer_name_trgm',
                'DROP INDEX customer_identifier_trgm',
                'DROP INDEX loan_contract_trgm',
            ],
        ),
    ]
