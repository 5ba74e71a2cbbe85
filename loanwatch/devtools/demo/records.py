"""Demo record checks: two checks of each demo company, the steel trader's second with a new
enforcement case (a finding, a serious signal and a revisit task); one controller checked.

Idempotent: a customer that already has a check is left alone, so a second load adds nothing.
Only the demo's own customers are checked (`demo_customers()`, known by their identifiers).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from customers.models import Customer
from customers.records import services
from customers.records.providers import CheckData, EntryData, Subject
from customers.records.selectors import subjects_for
from loanwatch.devtools.demo.customers import IDENTIFIERS, demo_customers

NEW_CASE = EntryData(kind="enforcement", case_number="（2026）京0108执4417号",
                     court="北京市海淀区人民法院", amount=Decimal("386500.00"))


def load(users) -> None:
    today = timezone.localdate()
    earlier, later = today - timedelta(days=45), today - timedelta(days=9)
    report_year = today.year - 1 if today.month > 6 else today.year - 2
    for customer in (demo_customers().filter(kind=Customer.Kind.CORPORATE)
                     .exclude(record_checks__isnull=False).select_related("officer")):
        subject = Subject(customer=customer)
        for on in (earlier, later):
            steel_trader = customer.identifier == IDENTIFIERS["bj2"]
            entries = (NEW_CASE,) if on == later and steel_trader else ()
            services.check_record(
                subject=subject, acting_user=customer.officer, source="feed",
                data=CheckData(checked_on=on, licence_status="in_business",
                               annual_report_year=report_year, entries=entries))
        people = subjects_for(customer=customer)[1:2]
        for person_subject in people:
            services.check_record(subject=person_subject, acting_user=customer.officer,
                                  source="manual", data=CheckData(checked_on=later))
