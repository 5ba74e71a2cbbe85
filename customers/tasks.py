"""Beat jobs of the customers app: each takes no model instance and calls one service."""

from __future__ import annotations

from celery import shared_task

from loanwatch.core.runs import queued_ids

from . import export_jobs, imports, signals
from .models import ImportRun


@shared_task(name="customers.tasks.expire_signals")
def expire_signals() -> int:
    """Each night: open notices and warnings past the administrators' limit expire. A repeated
    or retried run finds nothing left to expire."""
    return signals.signals_expire()


@shared_task(name="customers.tasks.export_run")
def export_run(job_id: int) -> int:
    """A team's or the bank's workbook, written while its page shows the progress."""
    return export_jobs.export_run(job_id=job_id)


@shared_task(name="customers.tasks.export_files_clean")
def export_files_clean() -> int:
    """Each hour: exports older than a day are deleted, rows and files."""
    return export_jobs.export_files_clean()


@shared_task(name="customers.tasks.import_run")
def import_run(run_id: int) -> str:
    """An uploaded file of customers and loans, checked and applied while its page shows the
    progress; a run already started is left alone."""
    return imports.import_run_execute(run_id=run_id).status


def send_queued_imports() -> None:
    """At a worker's or beat's start: the imports whose job the broker lost."""
    for pk in queued_ids(ImportRun):
        import_run.apply_async(args=[pk])
