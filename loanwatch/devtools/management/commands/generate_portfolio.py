"""Fill the database with a synthetic portfolio for the benchmark (see
loanwatch/devtools/generate/__init__.py).

    python manage.py generate_portfolio                      # full scale: 100,000 customers
    python manage.py generate_portfolio --customers 5000 --seed 7
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from loanwatch.devtools import demo, generate


class Command(BaseCommand):
    help = "Generate a repeatable synthetic portfolio at a given scale, with COPY."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--customers", type=int, default=100_000,
                            help="customers to add (officers: one per 50; teams: one per 10 "
                                 "officers)")
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, customers: int, seed: int, **options) -> None:
        if customers < 50:
            raise CommandError("generate at least 50 customers (one officer's book)")
        started = time.perf_counter()
        demo.load()  # industries, risk groups and the demo logins the benchmark signs in with
        generate.generate(customers=customers, seed=seed, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"generated {customers} customers in {time.perf_counter() - started:.1f} s"))
