"""Quick contacts (a visit of kind "contact"), the pre-visit briefing's answers, the use of funds
per loan, and interview guidance per customer kind.

Data: the existing guidance becomes the companies' guidance, and individuals get their own.
Each submitted visit's single use-of-funds answer is copied to the loans of its customer that
were awaiting their first check at the time — disbursed on or before the visit date and at most
180 days before it, with no earlier submitted visit since their disbursement that answered the
question — so that the schedule's first checks read the same history as before. The visit keeps
its own answer too (an old visit still shows what was written)."""

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models


# (question, how to ask in Chinese, in English, whom in Chinese, in English), for individuals.
INDIVIDUAL_GUIDANCE = [
    (1, "先聊家常：“最近还住在这边吗？工作（生意）有没有什么变化？”",
     "Start with everyday talk: “Still living around here? Anything new at work or in the "
     "business?”",
     "借款人本人、家人", "the borrower, family"),
    (2, "顺着工作聊收入：“现在每月大概能拿多少？收入稳不稳定？”留意是否换了工作。",
     "Let talk of work lead to income: “Roughly what comes in each month now? Is it steady?” — "
     "notice a change of job.",
     "借款人本人、单位同事", "the borrower, colleagues"),
    (3, "“家里存款和房产、车辆情况有没有变化？”可请对方出示银行流水或存单。",
     "“Have savings, the flat or the car changed?” — a bank statement or deposit slip can "
     "show it.",
     "借款人本人、配偶", "the borrower, spouse"),
    (4, "经营个体生意的，问问“货从哪里进、主要卖给谁”；上班族问问单位经营是否正常。",
     "For a small business ask where goods come from and who buys; for an employee, whether the "
     "employer is doing well.",
     "借款人本人", "the borrower"),
    (5, "“今年收入和去年比怎么样？有没有淡季？”用工资流水或经营流水印证。",
     "“How does this year's income compare with last year's? Any slow months?” — confirm with "
     "salary or business statements.",
     "借款人本人", "the borrower"),
    (6, "“贷款用在装修（经营）上进展怎么样？”请对方出示发票、合同或付款记录。",
     "“How is the renovation (or the business) the loan paid for coming along?” — ask for "
     "invoices, contracts or payment records.",
     "借款人本人", "the borrower"),
    (7, "“除了这笔，还有信用卡、网贷或替亲友担保吗？”语气放松，不要像审问。",
     "“Besides this loan, any credit cards, online loans or guarantees for relatives or "
     "friends?” — keep it relaxed, not an interrogation.",
     "借款人本人、配偶", "the borrower, spouse"),
    (8, "上门时看看抵押房产的居住和维护情况，了解小区近期成交价。",
     "At the home see how the mortgaged property is lived in and kept, and ask about recent "
     "prices in the neighbourhood.",
     "借款人本人、物业或邻居", "the borrower, property manager or neighbours"),
    (9, "“每月还款压力大不大？家里开销主要有哪些？”",
     "“Is the monthly repayment a strain? What are the household's main outgoings?”",
     "借款人本人、配偶", "the borrower, spouse"),
    (10, "最后问问“还有什么我们能帮上忙的？”，记录需求和建议。",
     "Close with “Is there anything we can help with?” and note the needs and suggestions.",
     "借款人本人", "the borrower"),
]


def individual_guidance(apps, schema_editor):
    QuestionGuidance = apps.get_model("visits", "QuestionGuidance")
    for question, how_zh, how_en, whom_zh, whom_en in INDIVIDUAL_GUIDANCE:
        QuestionGuidance.objects.get_or_create(question=question, customer_kind="individual",
                                               defaults={"how_zh": how_zh, "how_en": how_en,
                                                         "whom_zh": whom_zh,
                                                         "whom_en": whom_en})


LOAN_USES_SQL = """
INSERT INTO visits_visitloanuse (visit_id, loan_id, use, note)
SELECT v.id, l.id, v.loan_use, v.loan_use_note
FROM visits_visit v
JOIN customers_loan l ON l.customer_id = v.customer_id
WHERE v.status = 'submitted' AND v.loan_use <> ''
  AND l.disbursed_on <= v.visited_on AND l.disbursed_on >= v.visited_on - 180
  AND NOT EXISTS (
      SELECT 1 FROM visits_visit e
      WHERE e.customer_id = v.customer_id AND e.status = 'submitted' AND e.loan_use <> ''
        AND e.visited_on >= l.disbursed_on
        AND (e.visited_on, e.id) < (v.visited_on, v.id))
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0012_loan_feed_columns'),
        ('pghistory', '0007_auto_20250421_0444'),
        ('visits', '0006_photo_time_place_and_submit_key'),
    ]

    operations = [
        migrations.CreateModel(
            name='BriefingAnswer',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('finding', 'record-check finding'), ('task', 'revisit task'), ('measure', 'open measure'), ('signal', 'signal of the last visit'), ('concern', 'concerns of the last visit'), ('loan', 'loan past due')], max_length=10, verbose_name='about')),
                ('source_id', models.PositiveBigIntegerField(verbose_name='record')),
                ('title', models.CharField(blank=True, max_length=300, verbose_name='item')),
                ('answer', models.TextField(blank=True, verbose_name='what you found')),
                ('not_applicable', models.BooleanField(default=False, verbose_name='not applicable')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='why not applicable')),
            ],
            options={
                'verbose_name': 'briefing answer',
                'verbose_name_plural': 'briefing answers',
                'ordering': ['visit', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='BriefingAnswerEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('source', models.CharField(choices=[('finding', 'record-check finding'), ('task', 'revisit task'), ('measure', 'open measure'), ('signal', 'signal of the last visit'), ('concern', 'concerns of the last visit'), ('loan', 'loan past due')], max_length=10, verbose_name='about')),
                ('source_id', models.PositiveBigIntegerField(verbose_name='record')),
                ('title', models.CharField(blank=True, max_length=300, verbose_name='item')),
                ('answer', models.TextField(blank=True, verbose_name='what you found')),
                ('not_applicable', models.BooleanField(default=False, verbose_name='not applicable')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='why not applicable')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='VisitLoanUse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('use', models.CharField(blank=True, choices=[('as_declared', 'as declared'), ('partly', 'partly as declared'), ('diverted', 'diverted to another use')], max_length=20, verbose_name='actual use of the loan')),
                ('note', models.TextField(blank=True, verbose_name='use of the loan: details')),
            ],
            options={
                'verbose_name': 'use of a loan at a visit',
                'verbose_name_plural': 'uses of loans at visits',
                'ordering': ['visit', 'loan'],
            },
        ),
        migrations.CreateModel(
            name='VisitLoanUseEvent',
            fields=[
                ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                ('pgh_label', models.TextField(help_text='The event label.')),
                ('id', models.BigIntegerField()),
                ('use', models.CharField(blank=True, choices=[('as_declared', 'as declared'), ('partly', 'partly as declared'), ('diverted', 'diverted to another use')], max_length=20, verbose_name='actual use of the loan')),
                ('note', models.TextField(blank=True, verbose_name='use of the loan: details')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AlterModelOptions(
            name='questionguidance',
            options={'ordering': ['customer_kind', 'question'], 'verbose_name': 'interview guidance', 'verbose_name_plural': 'interview guidance'},
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='guidanceproposal',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='guidanceproposal',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='guidanceproposal',
            name='delete_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='questionguidance',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='questionguidance',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='questionguidance',
            name='delete_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='visit',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='visit',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='visit',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='guidanceproposal',
            name='customer_kind',
            field=models.CharField(choices=[('corporate', 'companies'), ('individual', 'individuals')], default='corporate', max_length=20, verbose_name='customer kind'),
        ),
        migrations.AddField(
            model_name='guidanceproposalevent',
            name='customer_kind',
            field=models.CharField(choices=[('corporate', 'companies'), ('individual', 'individuals')], default='corporate', max_length=20, verbose_name='customer kind'),
        ),
        migrations.AddField(
            model_name='questionguidance',
            name='customer_kind',
            field=models.CharField(choices=[('corporate', 'companies'), ('individual', 'individuals')], default='corporate', max_length=20, verbose_name='customer kind'),
        ),
        migrations.AddField(
            model_name='questionguidanceevent',
            name='customer_kind',
            field=models.CharField(choices=[('corporate', 'companies'), ('individual', 'individuals')], default='corporate', max_length=20, verbose_name='customer kind'),
        ),
        migrations.AddField(
            model_name='visit',
            name='contact_person',
            field=models.CharField(blank=True, db_default='', default='', max_length=100, verbose_name='person contacted'),
        ),
        migrations.AddField(
            model_name='visit',
            name='kind',
            field=models.CharField(choices=[('visit', 'visit with the checklist'), ('contact', 'quick contact')], db_default='visit', default='visit', max_length=10, verbose_name='kind of entry'),
        ),
        migrations.AddField(
            model_name='visit',
            name='learned',
            field=models.TextField(blank=True, db_default='', default='', verbose_name='what was learned'),
        ),
        migrations.AddField(
            model_name='visitevent',
            name='contact_person',
            field=models.CharField(blank=True, db_default='', default='', max_length=100, verbose_name='person contacted'),
        ),
        migrations.AddField(
            model_name='visitevent',
            name='kind',
            field=models.CharField(choices=[('visit', 'visit with the checklist'), ('contact', 'quick contact')], db_default='visit', default='visit', max_length=10, verbose_name='kind of entry'),
        ),
        migrations.AddField(
            model_name='visitevent',
            name='learned',
            field=models.TextField(blank=True, db_default='', default='', verbose_name='what was learned'),
        ),
        migrations.AlterField(
            model_name='questionguidance',
            name='question',
            field=models.PositiveSmallIntegerField(choices=[(1, '1. Business or address changed'), (2, '2. Staff, wages and premises'), (3, '3. Funds, receivables, payables and inventory'), (4, '4. Suppliers and customers'), (5, '5. Revenue and margin'), (6, '6. Use of the loan'), (7, '7. Other debts, investments and guarantees'), (8, '8. Collateral'), (9, '9. Repayment source and pressure'), (10, '10. Needs and suggestions')], verbose_name='checklist point'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='guidanceproposal',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_guidanceproposalevent" ("customer_kind", "decided_at", "decided_by_id", "id", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proposed_at", "proposed_by_id", "question", "status", "text") VALUES (NEW."customer_kind", NEW."decided_at", NEW."decided_by_id", NEW."id", NEW."language", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."proposed_at", NEW."proposed_by_id", NEW."question", NEW."status", NEW."text"); RETURN NULL;', hash='8c6b46ab824dea2eb1e80cf19d551b2644d0925f', operation='INSERT', pgid='pgtrigger_insert_insert_c3e19', table='visits_guidanceproposal', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='guidanceproposal',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "visits_guidanceproposalevent" ("customer_kind", "decided_at", "decided_by_id", "id", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proposed_at", "proposed_by_id", "question", "status", "text") VALUES (NEW."customer_kind", NEW."decided_at", NEW."decided_by_id", NEW."id", NEW."language", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."proposed_at", NEW."proposed_by_id", NEW."question", NEW."status", NEW."text"); RETURN NULL;', hash='ac2354c0824a025a3a65a86b08b011bf0b66d887', operation='UPDATE', pgid='pgtrigger_update_update_2bea2', table='visits_guidanceproposal', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='guidanceproposal',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_guidanceproposalevent" ("customer_kind", "decided_at", "decided_by_id", "id", "language", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "proposed_at", "proposed_by_id", "question", "status", "text") VALUES (OLD."customer_kind", OLD."decided_at", OLD."decided_by_id", OLD."id", OLD."language", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."proposed_at", OLD."proposed_by_id", OLD."question", OLD."status", OLD."text"); RETURN NULL;', hash='624054e361e3440e050d1b7323dc346010637bda', operation='DELETE', pgid='pgtrigger_delete_delete_a8068', table='visits_guidanceproposal', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='questionguidance',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_questionguidanceevent" ("customer_kind", "how_en", "how_zh", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "question", "whom_en", "whom_zh") VALUES (NEW."customer_kind", NEW."how_en", NEW."how_zh", NEW."id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."question", NEW."whom_en", NEW."whom_zh"); RETURN NULL;', hash='55ba532681bec927b437bf5d4654b71b55d7d5bd', operation='INSERT', pgid='pgtrigger_insert_insert_b44d2', table='visits_questionguidance', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='questionguidance',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "visits_questionguidanceevent" ("customer_kind", "how_en", "how_zh", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "question", "whom_en", "whom_zh") VALUES (NEW."customer_kind", NEW."how_en", NEW."how_zh", NEW."id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."question", NEW."whom_en", NEW."whom_zh"); RETURN NULL;', hash='e882a52374ac9310bb9ba3754226939873613857', operation='UPDATE', pgid='pgtrigger_update_update_9dc4e', table='visits_questionguidance', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='questionguidance',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_questionguidanceevent" ("customer_kind", "how_en", "how_zh", "id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "question", "whom_en", "whom_zh") VALUES (OLD."customer_kind", OLD."how_en", OLD."how_zh", OLD."id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."question", OLD."whom_en", OLD."whom_zh"); RETURN NULL;', hash='44c34b2dcfb760cc6619e40506ecfdcaaf64ad64', operation='DELETE', pgid='pgtrigger_delete_delete_ef787', table='visits_questionguidance', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visit',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_visitevent" ("address_changed", "amends_id", "business_changed", "collection_cost", "companion_id", "contact_person", "created_at", "customer_id", "customer_needs", "employees_on_site", "employees_total", "gross_margin_pct", "guarantees_given", "high_risk_investment", "household_assets", "household_assets_note", "id", "income_source", "income_stable", "inventory", "inventory_turnover_days", "investments", "kind", "learned", "liquid_funds", "loan_use", "loan_use_note", "main_customers", "main_suppliers", "method", "monthly_income", "monthly_rent", "monthly_wage", "new_address", "new_business", "off_season", "office_area_m2", "officer_id", "other_debts", "other_sites", "payable_terms_days", "payables", "peak_season", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place", "receivable_terms_days", "receivables", "receivables_makeup", "repayment_pressure", "repayment_source", "revenue_change_reason", "revenue_last_year", "revenue_ytd", "status", "submitted_at", "submitted_by_id", "summary", "task_id", "total_assets", "total_liabilities", "version", "visited_on", "wages_on_time") VALUES (NEW."address_changed", NEW."amends_id", NEW."business_changed", NEW."collection_cost", NEW."companion_id", NEW."contact_person", NEW."created_at", NEW."customer_id", NEW."customer_needs", NEW."employees_on_site", NEW."employees_total", NEW."gross_margin_pct", NEW."guarantees_given", NEW."high_risk_investment", NEW."household_assets", NEW."household_assets_note", NEW."id", NEW."income_source", NEW."income_stable", NEW."inventory", NEW."inventory_turnover_days", NEW."investments", NEW."kind", NEW."learned", NEW."liquid_funds", NEW."loan_use", NEW."loan_use_note", NEW."main_customers", NEW."main_suppliers", NEW."method", NEW."monthly_income", NEW."monthly_rent", NEW."monthly_wage", NEW."new_address", NEW."new_business", NEW."off_season", NEW."office_area_m2", NEW."officer_id", NEW."other_debts", NEW."other_sites", NEW."payable_terms_days", NEW."payables", NEW."peak_season", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."place", NEW."receivable_terms_days", NEW."receivables", NEW."receivables_makeup", NEW."repayment_pressure", NEW."repayment_source", NEW."revenue_change_reason", NEW."revenue_last_year", NEW."revenue_ytd", NEW."status", NEW."submitted_at", NEW."submitted_by_id", NEW."summary", NEW."task_id", NEW."total_assets", NEW."total_liabilities", NEW."version", NEW."visited_on", NEW."wages_on_time"); RETURN NULL;', hash='925a3fe1d7448589058e968564065cbc5a5e8b84', operation='INSERT', pgid='pgtrigger_insert_insert_9d6da', table='visits_visit', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visit',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "visits_visitevent" ("address_changed", "amends_id", "business_changed", "collection_cost", "companion_id", "contact_person", "created_at", "customer_id", "customer_needs", "employees_on_site", "employees_total", "gross_margin_pct", "guarantees_given", "high_risk_investment", "household_assets", "household_assets_note", "id", "income_source", "income_stable", "inventory", "inventory_turnover_days", "investments", "kind", "learned", "liquid_funds", "loan_use", "loan_use_note", "main_customers", "main_suppliers", "method", "monthly_income", "monthly_rent", "monthly_wage", "new_address", "new_business", "off_season", "office_area_m2", "officer_id", "other_debts", "other_sites", "payable_terms_days", "payables", "peak_season", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place", "receivable_terms_days", "receivables", "receivables_makeup", "repayment_pressure", "repayment_source", "revenue_change_reason", "revenue_last_year", "revenue_ytd", "status", "submitted_at", "submitted_by_id", "summary", "task_id", "total_assets", "total_liabilities", "version", "visited_on", "wages_on_time") VALUES (NEW."address_changed", NEW."amends_id", NEW."business_changed", NEW."collection_cost", NEW."companion_id", NEW."contact_person", NEW."created_at", NEW."customer_id", NEW."customer_needs", NEW."employees_on_site", NEW."employees_total", NEW."gross_margin_pct", NEW."guarantees_given", NEW."high_risk_investment", NEW."household_assets", NEW."household_assets_note", NEW."id", NEW."income_source", NEW."income_stable", NEW."inventory", NEW."inventory_turnover_days", NEW."investments", NEW."kind", NEW."learned", NEW."liquid_funds", NEW."loan_use", NEW."loan_use_note", NEW."main_customers", NEW."main_suppliers", NEW."method", NEW."monthly_income", NEW."monthly_rent", NEW."monthly_wage", NEW."new_address", NEW."new_business", NEW."off_season", NEW."office_area_m2", NEW."officer_id", NEW."other_debts", NEW."other_sites", NEW."payable_terms_days", NEW."payables", NEW."peak_season", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."place", NEW."receivable_terms_days", NEW."receivables", NEW."receivables_makeup", NEW."repayment_pressure", NEW."repayment_source", NEW."revenue_change_reason", NEW."revenue_last_year", NEW."revenue_ytd", NEW."status", NEW."submitted_at", NEW."submitted_by_id", NEW."summary", NEW."task_id", NEW."total_assets", NEW."total_liabilities", NEW."version", NEW."visited_on", NEW."wages_on_time"); RETURN NULL;', hash='53782d35bcd0280d2926d3a1cd69134ee06e8016', operation='UPDATE', pgid='pgtrigger_update_update_41cf1', table='visits_visit', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visit',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_visitevent" ("address_changed", "amends_id", "business_changed", "collection_cost", "companion_id", "contact_person", "created_at", "customer_id", "customer_needs", "employees_on_site", "employees_total", "gross_margin_pct", "guarantees_given", "high_risk_investment", "household_assets", "household_assets_note", "id", "income_source", "income_stable", "inventory", "inventory_turnover_days", "investments", "kind", "learned", "liquid_funds", "loan_use", "loan_use_note", "main_customers", "main_suppliers", "method", "monthly_income", "monthly_rent", "monthly_wage", "new_address", "new_business", "off_season", "office_area_m2", "officer_id", "other_debts", "other_sites", "payable_terms_days", "payables", "peak_season", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "place", "receivable_terms_days", "receivables", "receivables_makeup", "repayment_pressure", "repayment_source", "revenue_change_reason", "revenue_last_year", "revenue_ytd", "status", "submitted_at", "submitted_by_id", "summary", "task_id", "total_assets", "total_liabilities", "version", "visited_on", "wages_on_time") VALUES (OLD."address_changed", OLD."amends_id", OLD."business_changed", OLD."collection_cost", OLD."companion_id", OLD."contact_person", OLD."created_at", OLD."customer_id", OLD."customer_needs", OLD."employees_on_site", OLD."employees_total", OLD."gross_margin_pct", OLD."guarantees_given", OLD."high_risk_investment", OLD."household_assets", OLD."household_assets_note", OLD."id", OLD."income_source", OLD."income_stable", OLD."inventory", OLD."inventory_turnover_days", OLD."investments", OLD."kind", OLD."learned", OLD."liquid_funds", OLD."loan_use", OLD."loan_use_note", OLD."main_customers", OLD."main_suppliers", OLD."method", OLD."monthly_income", OLD."monthly_rent", OLD."monthly_wage", OLD."new_address", OLD."new_business", OLD."off_season", OLD."office_area_m2", OLD."officer_id", OLD."other_debts", OLD."other_sites", OLD."payable_terms_days", OLD."payables", OLD."peak_season", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."place", OLD."receivable_terms_days", OLD."receivables", OLD."receivables_makeup", OLD."repayment_pressure", OLD."repayment_source", OLD."revenue_change_reason", OLD."revenue_last_year", OLD."revenue_ytd", OLD."status", OLD."submitted_at", OLD."submitted_by_id", OLD."summary", OLD."task_id", OLD."total_assets", OLD."total_liabilities", OLD."version", OLD."visited_on", OLD."wages_on_time"); RETURN NULL;', hash='0b2732597ac048069d307fd03a7354298f30b071', operation='DELETE', pgid='pgtrigger_delete_delete_a3dfb', table='visits_visit', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='questionguidance',
            constraint=models.UniqueConstraint(fields=('question', 'customer_kind'), name='guidance_once_per_point_and_kind'),
        ),
        migrations.AddField(
            model_name='briefinganswer',
            name='visit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='briefing_answers', to='visits.visit', verbose_name='visit'),
        ),
        migrations.AddField(
            model_name='briefinganswerevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='briefinganswerevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='visits.briefinganswer'),
        ),
        migrations.AddField(
            model_name='briefinganswerevent',
            name='visit',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='visits.visit', verbose_name='visit'),
        ),
        migrations.AddField(
            model_name='visitloanuse',
            name='loan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visit_uses', to='customers.loan', verbose_name='loan'),
        ),
        migrations.AddField(
            model_name='visitloanuse',
            name='visit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='loan_uses', to='visits.visit', verbose_name='visit'),
        ),
        migrations.AddField(
            model_name='visitloanuseevent',
            name='loan',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='customers.loan', verbose_name='loan'),
        ),
        migrations.AddField(
            model_name='visitloanuseevent',
            name='pgh_context',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context'),
        ),
        migrations.AddField(
            model_name='visitloanuseevent',
            name='pgh_obj',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='visits.visitloanuse'),
        ),
        migrations.AddField(
            model_name='visitloanuseevent',
            name='visit',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='visits.visit', verbose_name='visit'),
        ),
        migrations.AddConstraint(
            model_name='briefinganswer',
            constraint=models.UniqueConstraint(fields=('visit', 'source', 'source_id'), name='briefing_answer_once'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='briefinganswer',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_briefinganswerevent" ("answer", "id", "not_applicable", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "source_id", "title", "visit_id") VALUES (NEW."answer", NEW."id", NEW."not_applicable", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."reason", NEW."source", NEW."source_id", NEW."title", NEW."visit_id"); RETURN NULL;', hash='242abc1138199adff9f96f28154e3f997caba1bb', operation='INSERT', pgid='pgtrigger_insert_insert_3b91a', table='visits_briefinganswer', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='briefinganswer',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "visits_briefinganswerevent" ("answer", "id", "not_applicable", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "source_id", "title", "visit_id") VALUES (NEW."answer", NEW."id", NEW."not_applicable", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."reason", NEW."source", NEW."source_id", NEW."title", NEW."visit_id"); RETURN NULL;', hash='d0374d817ea35e3614b913b2d85ac46ab56cc564', operation='UPDATE', pgid='pgtrigger_update_update_65a21', table='visits_briefinganswer', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='briefinganswer',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_briefinganswerevent" ("answer", "id", "not_applicable", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "reason", "source", "source_id", "title", "visit_id") VALUES (OLD."answer", OLD."id", OLD."not_applicable", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."reason", OLD."source", OLD."source_id", OLD."title", OLD."visit_id"); RETURN NULL;', hash='9caf8a7f4ca0febf4381166ff71fd17e41df4d28', operation='DELETE', pgid='pgtrigger_delete_delete_7a4b8', table='visits_briefinganswer', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='visitloanuse',
            constraint=models.UniqueConstraint(fields=('visit', 'loan'), name='visit_loan_use_once'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visitloanuse',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_visitloanuseevent" ("id", "loan_id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "use", "visit_id") VALUES (NEW."id", NEW."loan_id", NEW."note", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."use", NEW."visit_id"); RETURN NULL;', hash='c6662d6b60a78eefd9922b7e46287856cc40140b', operation='INSERT', pgid='pgtrigger_insert_insert_20adb', table='visits_visitloanuse', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visitloanuse',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "visits_visitloanuseevent" ("id", "loan_id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "use", "visit_id") VALUES (NEW."id", NEW."loan_id", NEW."note", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."use", NEW."visit_id"); RETURN NULL;', hash='5afd361df234a6caed2eca5702ac13e320c9b61c', operation='UPDATE', pgid='pgtrigger_update_update_99e53', table='visits_visitloanuse', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='visitloanuse',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "visits_visitloanuseevent" ("id", "loan_id", "note", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "use", "visit_id") VALUES (OLD."id", OLD."loan_id", OLD."note", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."use", OLD."visit_id"); RETURN NULL;', hash='8c97aec5dcdd9d74649d30282f6ed4c3f88e215e', operation='DELETE', pgid='pgtrigger_delete_delete_4d351', table='visits_visitloanuse', when='AFTER')),
        ),
        migrations.RunPython(individual_guidance, migrations.RunPython.noop),
        migrations.RunSQL(LOAN_USES_SQL, migrations.RunSQL.noop),
    ]
