from __future__ import annotations

from django.core.management.base import BaseCommand

from loanwatch.core import demo


class Command(BaseCommand):
    help = "Load the demo teams, users and portfolio (idempotent: a second run changes nothing)."

    def handle(self, *args, **options) -> None:
        users = demo.load()
        self.stdout.write(self.style.SUCCESS(f"demo data ready ({len(users)} demo users)"))
