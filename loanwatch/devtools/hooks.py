"""Each app's demo data and generated portfolio, registered for the app whose tables they fill,
so that they run in the order of INSTALLED_APPS (see loanwatch/core/hooks.py)."""

from __future__ import annotations

from loanwatch.core import hooks

from .demo import customers as demo_customers
from .demo import records as demo_records
from .demo import reports as demo_reports
from .demo import schedule as demo_schedule
from .demo import visits as demo_visits
from .generate import customers as generate_customers
from .generate import records as generate_records
from .generate import visits as generate_visits

hooks.register("demo_loaders", demo_customers.load, app="customers")
hooks.register("demo_loaders", demo_records.load, app="customers.records")
hooks.register("demo_loaders", demo_visits.load, app="visits")
hooks.register("demo_loaders", demo_schedule.load, app="visits.schedule")
hooks.register("demo_loaders", demo_reports.load, app="reports")

hooks.register("portfolio_generators", generate_customers.generate, app="customers")
hooks.register("portfolio_generators", generate_records.generate, app="customers.records")
hooks.register("portfolio_generators", generate_visits.generate, app="visits")
