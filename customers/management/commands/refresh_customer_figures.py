"""Recompute every customer's list figures from the loans (after a load with triggers off).

    python manage.py refresh_customer_figures
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from customers.services import customer_figures_refresh


class Command(BaseCommand):
    help = "Recompute every customer's figures over its loans (the customer list's sort keys)."

    def handle(self, *args, **options) -> None:
        written = customer_figures_refresh()
        self.stdout.write(f"customer figures rewritten: {written}")
