"""A provider for tests: answers every subject from memory, as a data service would."""

from __future__ import annotations

from datetime import date

from customers.records.providers import CheckData, EntryData, Subject


class StaticProvider:
    source = "provider"

    def fetch(self, *, subject: Subject) -> CheckData | None:
        if subject.person is not None:
            return None
        return CheckData(checked_on=date(2026, 10, 1), licence_status="in_business",
                         annual_report_year=2025,
                         entries=(EntryData(kind="dishonest", case_number="D-7"),))
