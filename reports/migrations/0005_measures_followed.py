import datetime

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
import reports.models
import visits.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

# Kept here rather than imported: a migration must not change when the app's default does.
DEFAULT_DUE_DAYS = 30
SIGN_OFF_CODES = ("more_security", "reduce_line", "recall")


def fill(apps, schema_editor) -> None:
    """Existing items get a due date (the approval's date plus the default) and the status
    their done mark says; the catalogue's exposure-changing measures need a sign-off."""
    Measure = apps.get_model("reports", "Measure")
    FollowUp = apps.get_model("reports", "FollowUp")
    Measure.objects.filter(code__in=SIGN_OFF_CODES).update(needs_sign_off=True)
    FollowUp.objects.filter(done_at__isnull=False).update(status="done")
    for item in FollowUp.objects.filter(due_on__isnull=True).select_related("report"):
        approved = item.report.decided_at or item.report.created_at
        item.due_on = (timezone.localtime(approved).date()
                       + datetime.timedelta(days=DEFAULT_DUE_DAYS))
        item.save(update_fields=["due_on"])
    # The updates leave deferred foreign-key checks pending, and PostgreSQL alters no table
    # with checks pending: run them now, before the constraint below is added.
    schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0008_standing_warning_columns'),
        ('reports', '0004_standing_warnings'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='followup',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='followup',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='followup',
            name='delete_delete',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='measure',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='measure',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='measure',
            name='delete_delete',
        ),
        migrations.RemoveIndex(
            model_name='followup',
            name='followup_open_by_owner',
        ),
        migrations.AddField(
            model_name='followup',
            name='evidence',
            field=models.FileField(blank=True, max_length=200, storage=visits.models.evidence_storage, upload_to=reports.models.follow_up_evidence_upload_to, verbose_name='evidence file'),
        ),
        migrations.AddField(
            model_name='followup',
            name='evidence_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='evidence file name'),
        ),
        migrations.AddField(
            model_name='followup',
            name='evidence_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='evidence SHA-256'),
        ),
        migrations.AddField(
            model_name='followup',
            name='evidence_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='evidence content type'),
        ),
        migrations.AddField(
            model_name='followup',
            name='outcome',
            field=models.TextField(blank=True, verbose_name='outcome'),
        ),
        migrations.AddField(
            model_name='followup',
            name='sign_off_comment',
            field=models.TextField(blank=True, verbose_name='sign-off comment'),
        ),
        migrations.AddField(
            model_name='followup',
            name='signed_off_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signed off'),
        ),
        migrations.AddField(
            model_name='followup',
            name='signed_off_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed off by'),
        ),
        migrations.AddField(
            model_name='followup',
            name='status',
            field=models.CharField(choices=[('open', 'open'), ('awaiting_sign_off', 'awaiting sign-off'), ('done', 'done')], default='open', max_length=20, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='evidence',
            field=models.FileField(blank=True, max_length=200, storage=visits.models.evidence_storage, upload_to=reports.models.follow_up_evidence_upload_to, verbose_name='evidence file'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='evidence_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='evidence file name'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='evidence_sha256',
            field=models.CharField(blank=True, max_length=64, verbose_name='evidence SHA-256'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='evidence_type',
            field=models.CharField(blank=True, max_length=100, verbose_name='evidence content type'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='outcome',
            field=models.TextField(blank=True, verbose_name='outcome'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='sign_off_comment',
            field=models.TextField(blank=True, verbose_name='sign-off comment'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='signed_off_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signed off'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='signed_off_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed off by'),
        ),
        migrations.AddField(
            model_name='followupevent',
            name='status',
            field=models.CharField(choices=[('open', 'open'), ('awaiting_sign_off', 'awaiting sign-off'), ('done', 'done')], default='open', max_length=20, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='measure',
            name='needs_sign_off',
            field=models.BooleanField(default=False, verbose_name="needs a supervisor's sign-off"),
        ),
        migrations.AddField(
            model_name='measureevent',
            name='needs_sign_off',
            field=models.BooleanField(default=False, verbose_name="needs a supervisor's sign-off"),
        ),
        migrations.AlterField(
            model_name='followup',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='outcome recorded'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='done_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='outcome recorded by'),
        ),
        migrations.AlterField(
            model_name='followup',
            name='due_on',
            field=models.DateField(null=True, verbose_name='due date'),
        ),
        migrations.AlterField(
            model_name='followupevent',
            name='done_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='outcome recorded'),
        ),
        migrations.AlterField(
            model_name='followupevent',
            name='done_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL, verbose_name='outcome recorded by'),
        ),
        migrations.AlterField(
            model_name='followupevent',
            name='due_on',
            field=models.DateField(null=True, verbose_name='due date'),
        ),
        migrations.AddIndex(
            model_name='followup',
            index=models.Index(condition=models.Q(('status', 'done'), _negated=True), fields=['owner', 'due_on'], name='followup_open_by_owner'),
        ),
        migrations.AddIndex(
            model_name='followup',
            index=models.Index(condition=models.Q(('status', 'done'), _negated=True), fields=['due_on'], name='followup_open_by_due'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='followup',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "reports_followupevent" ("customer_id", "done_at", "done_by_id", "due_on", "evidence", "evidence_name", "evidence_sha256", "evidence_type", "id", "measure_id", "note", "outcome", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "report_id", "sign_off_comment", "signed_off_at", "signed_off_by_id", "status") VALUES (NEW."customer_id", NEW."done_at", NEW."done_by_id", NEW."due_on", NEW."evidence", NEW."evidence_name", NEW."evidence_sha256", NEW."evidence_type", NEW."id", NEW."measure_id", NEW."note", NEW."outcome", NEW."owner_id", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."report_id", NEW."sign_off_comment", NEW."signed_off_at", NEW."signed_off_by_id", NEW."status"); RETURN NULL;', hash='4b66c72c9cb565590c107b3535f100565bb5e6f6', operation='INSERT', pgid='pgtrigger_insert_insert_06ef8', table='reports_followup', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='followup',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "reports_followupevent" ("customer_id", "done_at", "done_by_id", "due_on", "evidence", "evidence_name", "evidence_sha256", "evidence_type", "id", "measure_id", "note", "outcome", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "report_id", "sign_off_comment", "signed_off_at", "signed_off_by_id", "status") VALUES (NEW."customer_id", NEW."done_at", NEW."done_by_id", NEW."due_on", NEW."evidence", NEW."evidence_name", NEW."evidence_sha256", NEW."evidence_type", NEW."id", NEW."measure_id", NEW."note", NEW."outcome", NEW."owner_id", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."report_id", NEW."sign_off_comment", NEW."signed_off_at", NEW."signed_off_by_id", NEW."status"); RETURN NULL;', hash='d2986c70acabe3a7f49ac8ac288dd4506d6a5555', operation='UPDATE', pgid='pgtrigger_update_update_ba3c1', table='reports_followup', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='followup',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "reports_followupevent" ("customer_id", "done_at", "done_by_id", "due_on", "evidence", "evidence_name", "evidence_sha256", "evidence_type", "id", "measure_id", "note", "outcome", "owner_id", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "report_id", "sign_off_comment", "signed_off_at", "signed_off_by_id", "status") VALUES (OLD."customer_id", OLD."done_at", OLD."done_by_id", OLD."due_on", OLD."evidence", OLD."evidence_name", OLD."evidence_sha256", OLD."evidence_type", OLD."id", OLD."measure_id", OLD."note", OLD."outcome", OLD."owner_id", _pgh_attach_context(), NOW(), \'delete\', OLD."id", OLD."report_id", OLD."sign_off_comment", OLD."signed_off_at", OLD."signed_off_by_id", OLD."status"); RETURN NULL;', hash='312dcd8fa257b405eafde0671d3e4e38d3f087e7', operation='DELETE', pgid='pgtrigger_delete_delete_3059f', table='reports_followup', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='measure',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "reports_measureevent" ("active", "code", "id", "name_en", "name_zh", "needs_sign_off", "order", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."active", NEW."code", NEW."id", NEW."name_en", NEW."name_zh", NEW."needs_sign_off", NEW."order", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;', hash='37254cb2a74b5fa9b825232be4d62a010538aaa3', operation='INSERT', pgid='pgtrigger_insert_insert_d93e3', table='reports_measure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='measure',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "reports_measureevent" ("active", "code", "id", "name_en", "name_zh", "needs_sign_off", "order", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."active", NEW."code", NEW."id", NEW."name_en", NEW."name_zh", NEW."needs_sign_off", NEW."order", _pgh_attach_context(), NOW(), \'update\', NEW."id"); RETURN NULL;', hash='fc95dfd5cee03fbfad1ca3a96cfebe538b768097', operation='UPDATE', pgid='pgtrigger_update_update_7feab', table='reports_measure', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='measure',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "reports_measureevent" ("active", "code", "id", "name_en", "name_zh", "needs_sign_off", "order", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."active", OLD."code", OLD."id", OLD."name_en", OLD."name_zh", OLD."needs_sign_off", OLD."order", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;', hash='e8033ce75133505246c980ef589be09b27ebc16c', operation='DELETE', pgid='pgtrigger_delete_delete_53880', table='reports_measure', when='AFTER')),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(('due_on__isnull', False)), name='followup_has_due_date'),
        ),
    ]
