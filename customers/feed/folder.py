"""The watched folder (FEED_DIR): the core banking system's export drops the night's file there,
and beat's scan turns each new file into a feed run.

    FEED_DIR/nightly.csv                 a file the exporter wrote
    FEED_DIR/processing/<stamp>-nightly.csv   taken by one scan, while its run goes
    FEED_DIR/done/<run>-nightly.csv      applied (or nothing to apply)
    FEED_DIR/failed/<run>-nightly.csv    rejected or failed: the run's page says why

A file is taken by renaming it into processing/: a rename within one file system is atomic, so
of two scans (two beats, two nodes sharing the folder) exactly one succeeds and the other finds
the file gone. A file still being written must not be taken: a file whose name ends in .part or
.tmp, or starts with a dot, is never taken (an exporter that writes `nightly.csv.part` and
renames it when complete is taken at the next scan), and any other file only once it has not
been modified for FEED_DIR_SETTLE seconds.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import FeedRun
from .services import feed_run_create
from .spec import FEED_SPEC

logger = logging.getLogger(__name__)

PROCESSING, DONE, FAILED = "processing", "done", "failed"
UNFINISHED = (".part", ".tmp", ".partial", ".crdownload")


def folder() -> Path | None:
    return Path(settings.FEED_DIR) if settings.FEED_DIR else None


def _ready(path: Path, *, now: float) -> bool:
    name = path.name.lower()
    if name.startswith(".") or name.endswith(UNFINISHED):
        return False
    if not name.endswith(FEED_SPEC.suffixes):
        return False
    try:
        status = path.stat()
    except FileNotFoundError:  # another scan took it meanwhile
        return False
    return path.is_file() and now - status.st_mtime >= settings.FEED_DIR_SETTLE


def feed_folder_pickup(*, directory: Path | None = None) -> list[int]:
    """Take every finished new file of the folder, by name, into a queued run each (sent
    to a worker once it commits); the ids of the runs made. Nothing when FEED_DIR is unset."""
    base = directory or folder()
    if base is None or not base.is_dir():
        return []
    (base / PROCESSING).mkdir(exist_ok=True)
    now = time.time()
    candidates = sorted(p for p in base.iterdir() if _ready(p, now=now))
    made = []
    for path in candidates:
        taken = base / PROCESSING / (
            f"{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}-{path.name}")
        try:
            os.rename(path, taken)  # atomic: one scan wins, the other finds nothing
        except FileNotFoundError:
            continue
        run = feed_run_create(name=path.name, content=taken.read_bytes(), acting_user=None,
                              language=settings.LANGUAGE_CODE, source=FeedRun.Source.FOLDER,
                              folder_file=taken.name)
        logger.info("feed folder: %s taken as run %s", path.name, run.pk)
        made.append(run.pk)
    return made


def feed_folder_finish(*, run: FeedRun, directory: Path | None = None) -> Path | None:
    """Once a folder run is over: its file from processing/ to done/ or failed/, named with the
    run's number. A run not from the folder, or not over, is left alone."""
    base = directory or folder()
    if base is None or run.source != FeedRun.Source.FOLDER or not run.folder_file \
            or not run.is_done:
        return None
    source = base / PROCESSING / run.folder_file
    target_dir = base / (DONE if run.status == FeedRun.Status.APPLIED else FAILED)
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{run.pk}-{run.file_name}"
    try:
        os.rename(source, target)
    except FileNotFoundError:  # moved already (a run sent twice)
        return None
    return target
