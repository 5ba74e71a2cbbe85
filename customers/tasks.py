"""Beat jobs of the customers app: each takes no model instance and calls one service."""

from __future__ import annotations

from celery import shared_task

from . import export_jobs, signals


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
