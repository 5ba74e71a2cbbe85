from django.db import migrations

# Two-character terms (most Chinese words: 贸易, 机械, 科技) give pg_trgm no trigram to look up,
# so `LIKE '%贸易%'` read every customer and every loan. A GIN index over each text's distinct
# two-character pieces answers them: '贸易' is a substring exactly when it is one of the pieces.
# The function is IMMUTABLE (same text, same pieces), as an index expression must be.
BIGRAMS = """
CREATE FUNCTION customers_bigrams(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}')
    FROM generate_series(1, length($1) - 1) AS i
$$
"""


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_search_and_list_indexes'),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                BIGRAMS,
                'CREATE INDEX customer_name_bigram ON customers_customer '
                'USING gin (customers_bigrams(UPPER(name::text)))',
                'CREATE INDEX customer_identifier_bigram ON customers_customer '
                'USING gin (customers_bigrams(UPPER(identifier::text)))',
                'CREATE INDEX loan_contract_bigram ON customers_loan '
                'USING gin (customers_bigrams(UPPER(contract_number::text)))',
            ],
            reverse_sql=[
                'DROP INDEX loan_contract_bigram',
                'DROP INDEX customer_identifier_bigram',
                'DROP INDEX customer_name_bigram',
                'DROP FUNCTION customers_bigrams(text)',
            ],
        ),
    ]
