from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from loanwatch.core.backup import backup_files, backup_restore, backup_target


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with a backup made by `backup`. Names the "
        "database it would replace and asks for its name to be typed back (or --confirm NAME)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--confirm", metavar="DATABASE",
                            help="for scripts: the name of the database to replace, which must "
                                 "equal the one this installation is configured with")

    def handle(self, *args, folder: str, confirm: str | None = None, **options) -> None:
        backup_files(folder=Path(folder))  # refuse a folder that is no backup before asking
        target = backup_target()
        where = f"database {target['name']} on {target['host']}:{target['port']}"
        self.stdout.write(f"This replaces ALL data of the {where} and every uploaded file under "
                          f"{target['media']} with the backup in {folder}.")
        if confirm is None:
            # A restore into the wrong installation cannot be undone: the name is typed, not
            # agreed to with a "y" that would be just as quick for the wrong one.
            try:
                confirm = input(f"Type the database's name ({target['name']}) to go on: ")
            except EOFError:
                confirm = ""
        if confirm.strip() != target["name"]:
            raise CommandError(f"Nothing restored: {confirm.strip()!r} is not the name of the "
                               f"{where}.")
        backup_restore(folder=Path(folder))
        self.stdout.write(self.style.SUCCESS(f"restored the {where} from {folder}"))
