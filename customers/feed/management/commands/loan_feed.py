"""Apply a loan-status file from the command line: the job the upload sends, run here, with its
progress on the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from customers.feed import services
from customers.feed.models import FeedRun


class Command(BaseCommand):
    help = "Apply a loan-status feed file (.csv, .xlsx or .jsonl) to the loans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        run = services.feed_run_create(name=path.name, content=path.read_bytes(),
                                       acting_user=None, language="en", enqueue=False)
        self.stdout.write(f"run {run.pk}: {path.name} sha256 {run.checksum}")

        def progress(current: FeedRun) -> None:
            self.stdout.write(f"  read {current.rows_read}  checked {current.rows_checked}  "
                              f"applied {current.rows_applied}  [{current.status}]")

        run = services.feed_run_execute(run_id=run.pk, progress=progress)
        for problem in run.errors:
            self.stdout.write(f"  row {problem['row']} {problem['column']}: {problem['reason']}")
        for problem in run.refused:
            self.stdout.write(f"  left out: row {problem['row']} {problem['column']}: "
                              f"{problem['reason']}")
        if run.status != FeedRun.Status.APPLIED:
            raise CommandError(f"run {run.pk} {run.status}: nothing applied")
        self.stdout.write(self.style.SUCCESS(
            f"run {run.pk} applied: {run.rows_applied} rows, {run.customers_changed} customers "
            f"changed, {run.signals_raised} signals raised"))
