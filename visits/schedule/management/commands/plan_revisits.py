"""Run the revisit planner now, over the whole portfolio or some customers, and say what it
changed (the same job beat runs each morning)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand

from visits.schedule.planner import plan


class Command(BaseCommand):
    help = "Plan the revisit tasks of every active customer (or those given) and print the changes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customer", type=int, action="append", dest="customers",
                            help="plan only this customer id (repeatable)")
        parser.add_argument("--today", type=datetime.date.fromisoformat,
                            help="plan as of this date (YYYY-MM-DD); default: today")

    def handle(self, *args, customers=None, today=None, **options) -> None:
        result = plan(customer_ids=customers, today=today, trigger="command")
        if not result.changed:
            self.stdout.write("Nothing changed: every task already follows the policy.")
            return
        for key, value in result.as_dict().items():
            self.stdout.write(f"{key.replace('_', ' ')}: {value}")
