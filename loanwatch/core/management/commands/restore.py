from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loanwatch.core.backup import backup_restore


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with a backup made by `backup`."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, folder: str, yes: bool = False, **options) -> None:
        if not yes and input(f"Replace ALL data with the backup in {folder}? [y/N] ") != "y":
            raise CommandError("cancelled")
        backup_restore(folder=Path(folder))
        self.stdout.write(self.style.SUCCESS(f"restored from {folder}"))
