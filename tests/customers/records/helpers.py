from __future__ import annotations

from datetime import date

from customers.records.providers import CheckData, EntryData, Subject
from customers.services import relation_add
from tests.customers.factories import CustomerFactory, resident_id


def company_with_controller(officer, n: int = 1):
    """A corporate customer of `officer` and its legal representative (a Subject each)."""
    customer = CustomerFactory(officer=officer)
    relation = relation_add(customer=customer, acting_user=officer, name=f"法人{n}",
                            role="legal_representative", id_number=resident_id(500 + n))
    return customer, relation.person


def reading(on: date, *cases: str, **fields) -> CheckData:
    entries = tuple(EntryData(kind="enforcement", case_number=c, court="海淀法院")
                    for c in cases)
    return CheckData(checked_on=on, licence_status=fields.pop("licence_status", "in_business"),
                     annual_report_year=fields.pop("annual_report_year", 2025),
                     entries=entries, **fields)


def subject(customer, person=None) -> Subject:
    return Subject(customer=customer, person=person)
