"""The watched folder (FEED_DIR): beat's scan takes each finished file once, a real worker
applies it, and the file ends in done/ or failed/ under its run's number."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from customers.feed import folder
from customers.feed.models import FeedRun
from customers.feed.tasks import feed_folder_scan
from customers.models import Loan
from tests.customers.factories import LoanFactory

from .helpers import csv_bytes, line

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def feed_dir(settings, tmp_path) -> Path:
    settings.FEED_DIR = str(tmp_path)
    settings.FEED_DIR_SETTLE = 60
    return tmp_path


def _drop(directory: Path, name: str, content: bytes, *, age: float = 120) -> Path:
    """A file as the exporter leaves it, last written `age` seconds ago."""
    path = directory / name
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _wait_done(pks: list[int]) -> list[FeedRun]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = list(FeedRun.objects.filter(pk__in=pks).order_by("pk"))
        if len(runs) == len(pks) and all(r.is_done for r in runs):
            return runs
        time.sleep(0.2)
    raise AssertionError("the runs did not finish")


def test_a_finished_file_is_taken_once_and_lands_in_done(feed_dir, celery_worker):
    LoanFactory(contract_number="HT-1")
    _drop(feed_dir, "nightly.csv", csv_bytes([line("HT-1", balance="321")]))
    # Still being written: too recent, or named as unfinished by the exporter.
    _drop(feed_dir, "tonight.csv", csv_bytes([line("HT-1")]), age=1)
    _drop(feed_dir, "later.csv.part", csv_bytes([line("HT-1")]))
    _drop(feed_dir, "notes.txt", b"not a feed")

    made = feed_folder_scan.delay().get(timeout=30)
    assert len(made) == 1
    run = _wait_done(made)[0]
    assert (run.status, run.source, run.uploaded_by, run.file_name) == (
        "applied", "folder", None, "nightly.csv")
    assert Loan.objects.get().balance == Decimal("321.00")
    # The file moves to done/ once its run is over, named with the run's number.
    deadline = time.monotonic() + 10
    while not (feed_dir / "done" / f"{run.pk}-nightly.csv").exists():
        assert time.monotonic() < deadline, sorted(p.name for p in feed_dir.rglob("*"))
        time.sleep(0.1)
    assert not list((feed_dir / "processing").iterdir())
    assert sorted(p.name for p in feed_dir.iterdir() if p.is_file()) == [
        "later.csv.part", "notes.txt", "tonight.csv"]

    # The next scan finds nothing new: the same file is never applied twice.
    assert feed_folder_scan.delay().get(timeout=30) == []
    assert FeedRun.objects.count() == 1


def test_a_rejected_file_lands_in_failed(feed_dir, celery_worker):
    _drop(feed_dir, "bad.csv", csv_bytes([line("HT-1", balance="lots")]))
    made = feed_folder_scan.delay().get(timeout=30)
    run = _wait_done(made)[0]
    assert run.status == "rejected"
    deadline = time.monotonic() + 10
    while not (feed_dir / "failed" / f"{run.pk}-bad.csv").exists():
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_two_scans_at_once_never_take_the_same_file(feed_dir):
    for n in range(12):
        _drop(feed_dir, f"part-{n:02d}.csv", csv_bytes([line(f"HT-{n}")]))

    def scan() -> list[int]:
        try:
            return folder.feed_folder_pickup(directory=feed_dir)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.submit(scan), pool.submit(scan)
        made = first.result() + second.result()
    assert len(made) == len(set(made)) == 12
    names = list(FeedRun.objects.values_list("file_name", flat=True))
    assert sorted(names) == [f"part-{n:02d}.csv" for n in range(12)]
    assert len(list((feed_dir / "processing").iterdir())) == 12


def test_nothing_is_watched_without_feed_dir(settings):
    settings.FEED_DIR = ""
    assert folder.feed_folder_pickup() == []
