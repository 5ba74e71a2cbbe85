from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from loanwatch.devtools import demo


def _database() -> str:
    db = settings.DATABASES["default"]
    return f"database {db.get('NAME')} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


class Command(BaseCommand):
    help = (
        "Load the demo teams, users and portfolio (idempotent: a second run changes nothing). "
        "The demo users' password is published, so this loads into the embedded database only, "
        "unless DEMO_DATA=true or --force says that the database named by DATABASE_URL is a demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--force", action="store_true",
                            help="load even into a database named by DATABASE_URL (a demo or "
                                 "training server, never production)")
        parser.add_argument("--if-enabled", action="store_true",
                            help="when loading is not allowed, say so and succeed instead of "
                                 "failing (what `make run` does at every start)")

    def handle(self, *args, force: bool = False, if_enabled: bool = False, **options) -> None:
        if not (settings.DEMO_DATA or force):
            why = ("DEMO_DATA is false" if settings.EMBEDDED_DATABASE else
                   f"DATABASE_URL names {_database()}, not the embedded database")
            message = (f"Demo data not loaded: {why}. Its users sign in with a published "
                       "password; set DEMO_DATA=true or pass --force only if this database is "
                       "a demo.")
            if if_enabled:
                self.stdout.write(message)
                return
            raise CommandError(message)
        users = demo.load()
        self.stdout.write(self.style.SUCCESS(
            f"demo data ready in the {_database()} ({len(users)} demo users)"))
        self.stdout.write(f"Demo logins (password {demo.DEMO_PASSWORD}):")
        for spec in demo.USERS:
            team = f", {spec.team_code}" if spec.team_code else ""
            self.stdout.write(f"  {spec.username:<12} {spec.role.value}{team}")
