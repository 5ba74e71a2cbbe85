from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from loanwatch.core.backup import backup_create


class Command(BaseCommand):
    help = "Dump the database and the uploaded files into a folder (see `restore`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", nargs="?", help="default: backups/<timestamp>")

    def handle(self, *args, folder: str | None = None, **options) -> None:
        target = Path(folder or f"backups/{timezone.now():%Y%m%d-%H%M%S}")
        for path in backup_create(folder=target):
            self.stdout.write(f"wrote {path} ({path.stat().st_size} bytes)")
