"""Ask the configured data service (RECORDS_PROVIDER) about every subject due for a check.

Run it from cron or by hand once a bank has plugged in a provider; each answer is recorded as
a check in the name of the given user and compared like any other check.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from customers.records import services
from customers.records.providers import Subject, provider_get
from customers.records.selectors import due_subjects_for_user
from loanwatch.accounts.models import User


class Command(BaseCommand):
    help = "Fetch record checks of the subjects due from the configured provider."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as", dest="username", required=True,
                            help="the user the checks are recorded by (their scope applies)")

    def handle(self, *args, username: str, **options) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        provider = provider_get()
        recorded = unanswered = 0
        for due in due_subjects_for_user(user=user):
            check = services.check_from_provider(
                subject=Subject(customer=due.customer, person=due.person), acting_user=user,
                provider=provider)
            if check is None:
                unanswered += 1
            else:
                recorded += 1
        self.stdout.write(f"{recorded} checks recorded, {unanswered} subjects without an answer")
