"""Rows of the project's access matrix (tests/access_matrix.py) for record checks."""

from __future__ import annotations

from datetime import date

from customers.records.providers import CheckData, Subject
from customers.records.services import check_record
from tests.access_matrix import Row, every, only, scoped
from tests.customers.factories import CustomerFactory


def _customer(p: dict) -> dict:
    return {"pk": CustomerFactory(officer=p["officer"]).pk}


def _check(p: dict) -> dict:
    customer = CustomerFactory(officer=p["officer"])
    check = check_record(subject=Subject(customer=customer),
                         data=CheckData(checked_on=date(2026, 10, 1)), source="manual",
                         acting_user=p["officer"])
    return {"pk": check.pk}


RECORD_ROWS: list[Row] = [
    Row("records:due_list", every(200)),
    Row("records:feed_import", every(200)),
    Row("records:feed_template", every(200)),
    Row("records:policy_edit", only({"admin"})),
    Row("records:customer_checks", scoped(), build=_customer),
    Row("records:check_create", scoped(), build=_customer),
    Row("records:check_detail", scoped(), build=_check),
]
