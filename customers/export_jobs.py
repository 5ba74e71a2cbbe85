"""Export jobs: a team's or the bank's ledger or customer list written by a Celery worker into a
private folder, with progress on the job's page and a notification when it is ready.

The rows come from a server-side cursor (`.iterator`) into a constant-memory workbook, so the
worker's memory stays flat whatever the size of the book, and no web worker waits on it. The
rows are read from the replica when one is configured (loanwatch/core/replica.py).
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from loanwatch.core.replica import reading_from_replica
from loanwatch.core.services import notification_create

from . import exports, ledger, selectors
from .models import ExportJob

logger = logging.getLogger(__name__)
KEEP_FOR = datetime.timedelta(days=1)


def export_path(job: ExportJob) -> Path:
    return Path(settings.EXPORTS_ROOT) / job.file_name


def export_run(*, job_id: int) -> int:
    """Write the job's workbook; returns the rows written. A job already started or finished is
    left alone (a redelivered message runs nothing twice)."""
    with transaction.atomic():
        job = (ExportJob.objects.select_for_update().select_related("user")
               .filter(pk=job_id, status=ExportJob.Status.QUEUED).first())
        if job is None:
            return 0
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    suffix = "zip" if job.kind == ExportJob.Kind.SHEETS else "xlsx"
    job.file_name = f"{job.kind}-{job.pk}-{stamp}.{suffix}"
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_written=rows)

    # The user's own scope and the filters the list showed, as of now.
    customers = selectors.customer_list_for_user(user=job.user, **job.filters)
    if job.kind == ExportJob.Kind.SHEETS:
        user = job.user

        def write(*, customers, path, progress):
            return ledger.sheets_zip_write(customers=customers, user=user, path=path,
                                           progress=progress)
    else:
        write = ledger.portfolio_xlsx_write if job.kind == ExportJob.Kind.LEDGER \
            else exports.customers_xlsx_write
    try:
        # Headers and labels in the language of the page the export was asked from; the rows
        # from the replica when there is one (the progress, a write, goes to the primary).
        with (translation.override(job.language or settings.LANGUAGE_CODE),
              reading_from_replica()):
            rows = write(customers=customers, path=str(path), progress=progress)
    except Exception:
        logger.exception("export %s failed", job.pk)
        path.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.FAILED,
                                                   finished_at=timezone.now())
        raise
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.DONE, rows_written=rows, file_name=job.file_name,
            finished_at=timezone.now())
        notification_create(recipient=job.user, kind="customers.export_done",
                            params={"export": str(job.get_kind_display()), "rows": rows},
                            url=reverse("customers:export_job", args=[job.pk]))
    return rows


def export_files_clean(*, now: datetime.datetime | None = None) -> int:
    """Delete exports (rows and files) requested more than a day ago; returns how many. Run
    hourly by beat."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file_name:
            export_path(job).unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)
