"""Reads of the loan feed's runs, for administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import FeedRun

# The run's page never loads the file itself.
_LIGHT = ("content",)


def runs_recent(*, limit: int = 20) -> QuerySet[FeedRun]:
    return FeedRun.objects.defer(*_LIGHT).select_related("uploaded_by")[:limit]


def run_get(*, pk: int) -> FeedRun:
    return get_object_or_404(FeedRun.objects.defer(*_LIGHT).select_related("uploaded_by"),
                             pk=pk)


def run_progress(*, run: FeedRun) -> dict[str, Any]:
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
