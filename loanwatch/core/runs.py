"""A file run: one file read, checked and applied by a worker while its page shows the progress.

The loan feed and the customer import each keep their runs in a table of their own (a concrete
model on `FileRun`), with the columns every such run shares defined here once: the file and its
checksum, who sent it and in which language its bad rows are worded, the status, the counters a
progress bar reads, the bad rows, and the moment progress was last made.

What a run's life looks like, the same for every kind:

- created `queued` by the upload (or a command, or a folder pickup), the job sent on commit;
- claimed by the job with a conditional UPDATE (`run_claim`), so a doubled task does nothing;
- counters committed as it goes (`run_save`), each write moving `progress_at`;
- ended `applied`, `rejected` (bad rows: nothing written) or `failed`.

A worker that dies mid-run leaves its run `running` for ever; `runs_fail_stale`, sent by beat and
when a worker starts, fails the runs without progress for longer than `RUN_STALE_AFTER` and says
the worker stopped. An administrator may send a failed run again (`run_requeue`): each run
applies in one transaction, so a run that died applied nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role

from .importing import ImportRejected, Problem


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    APPLIED = "applied", _("applied")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")


DONE = frozenset({RunStatus.APPLIED, RunStatus.REJECTED, RunStatus.FAILED})


class FileRun(models.Model):
    """Not tracked by pghistory: a run is itself the record of what happened, written by the job
    alone (its counters move thousands of times); what it changes is tracked, under a context
    naming the run, the file and its checksum."""

    Status = RunStatus

    file_name = models.CharField(_("file"), max_length=255)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    # The file itself, kept so that the worker reads what was sent and the run can be audited
    # against it; the web request only stores it.
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"),
                                    on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    # The language the reasons of bad rows are written in: the uploader's.
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The last time the job reported progress: a running run silent for too long has lost its
    # worker.
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.QUEUED)
    # Failed because its worker stopped (not because of an error in the job).
    worker_stopped = models.BooleanField(_("the worker stopped"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_applied = models.PositiveIntegerField(_("rows applied"), default=0)
    # Bad rows, [{"row", "column", "reason"}]: any of them and nothing was applied.
    errors = models.JSONField(_("bad rows"), default=list, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_done(self) -> bool:
        return self.status in DONE

    @property
    def may_be_resent(self) -> bool:
        return self.status == RunStatus.FAILED


RunT = TypeVar("RunT", bound=FileRun)

# Fields a page never loads: the file itself.
LIGHT = ("content",)


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def run_save(run: FileRun, *fields: str) -> None:
    """Write the named fields of a run (the job's counters) and mark progress made."""
    run.progress_at = timezone.now()
    type(run)._default_manager.filter(pk=run.pk).update(
        progress_at=run.progress_at, **{f: getattr(run, f) for f in fields})


def run_claim(model: type[RunT], pk: int) -> RunT | None:
    """The run, now `running`, if it was queued; None when another job has it or it is over."""
    now = timezone.now()
    started = model._default_manager.filter(pk=pk, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, progress_at=now)
    return model._default_manager.get(pk=pk) if started else None


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as a run keeps them: [{"row", "column", "reason"}]."""
    return [{"row": p.row, "column": p.column, "reason": p.reason} for p in problems]


def run_execute(model: type[RunT], run_id: int, work: Callable[[RunT], None]) -> RunT:
    """The job around a run's own `work`: claim the queued run (one that is started or over is
    returned as it is, so a retried or doubled task does nothing), do the work in the
    uploader's language, and record how it ended: `work` sets the counters and `applied`; an
    ImportRejected makes the run `rejected` with every bad row; any other error `failed`."""
    run = run_claim(model, run_id)
    if run is None:
        return model._default_manager.defer(*LIGHT).get(pk=run_id)
    with translation.override(run.language):
        try:
            work(run)
        except ImportRejected as rejected:
            run.status, run.errors = RunStatus.REJECTED, problems_json(rejected.problems)
            run.rows_applied = 0
            run_save(run, "status", "errors", "rows_applied")
        except Exception:
            run.status = RunStatus.FAILED
            run.errors = [{"row": 0, "column": "",
                           "reason": gettext("The run stopped on an unexpected error; nothing "
                                             "was applied.")}]
            run.finished_at = timezone.now()
            run_save(run, "status", "errors", "finished_at")
            raise
    run.finished_at = timezone.now()
    run_save(run, "finished_at")
    return run


def run_lock(run: FileRun) -> None:
    """Inside the job's applying transaction: the run's row locked until the commit, so the
    stale-run check skips it however long the statements take."""
    type(run)._default_manager.select_for_update().filter(pk=run.pk).exists()


def run_progress(run: FileRun) -> dict[str, Any]:
    """What the progress bar shows: the counters, the share done, and whether it is over."""
    if run.is_done:
        percent = 100
    elif not run.rows_read:
        percent = 0
    else:
        # Reading is the first tenth, checking the next eight, applying the last.
        percent = 10 + int(80 * run.rows_checked / run.rows_read)
    return {"status": run.status, "status_label": run.get_status_display(),
            "rows_read": run.rows_read, "rows_checked": run.rows_checked,
            "rows_applied": run.rows_applied, "percent": percent, "done": run.is_done}


def run_models() -> list[type[FileRun]]:
    """Every kind of run the installed apps keep, found by their base, not by name."""
    return [m for m in apps.get_models() if issubclass(m, FileRun)]


def stale_after() -> timedelta:
    return timedelta(seconds=settings.RUN_STALE_AFTER)


def runs_fail_stale(*, now: Any = None) -> int:
    """Fail the running runs that made no progress for longer than the limit. A run whose job
    is applying holds its row locked (`run_lock`) and is skipped, however long it takes."""
    limit = (now or timezone.now()) - stale_after()
    failed = 0
    for model in run_models():
        with transaction.atomic():
            stale = (model._default_manager.select_for_update(skip_locked=True)
                     .filter(status=RunStatus.RUNNING)
                     .filter(models.Q(progress_at__lt=limit)
                             | models.Q(progress_at=None, started_at__lt=limit))
                     .values_list("pk", flat=True))
            failed += model._default_manager.filter(pk__in=list(stale)).update(
                status=RunStatus.FAILED, worker_stopped=True, finished_at=timezone.now())
    return failed


@transaction.atomic
def run_requeue(*, run: FileRun, acting_user: User) -> bool:
    """An administrator sends a failed run again: queued afresh, its counters and bad rows
    cleared. False when it is no longer failed (somebody sent it already)."""
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    return bool(type(run)._default_manager.filter(pk=run.pk, status=RunStatus.FAILED).update(
        status=RunStatus.QUEUED, worker_stopped=False, started_at=None, finished_at=None,
        progress_at=None, rows_read=0, rows_checked=0, rows_applied=0, errors=[]))


def queued_ids(model: type[FileRun]) -> list[int]:
    """The runs whose job the broker may have lost (it was down when the upload committed)."""
    return list(model._default_manager.filter(status=RunStatus.QUEUED).values_list("pk", flat=True))
