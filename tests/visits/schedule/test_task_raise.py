"""Revisit tasks raised by other apps: once per source, one open periodic task per customer."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from tests.customers.factories import CustomerFactory
from visits.schedule.models import RevisitTask
from visits.schedule.services import task_raise

pytestmark = pytest.mark.django_db
DUE = datetime.date(2026, 12, 3)


def test_the_same_source_raises_one_task():
    customer = CustomerFactory()
    first, created = task_raise(customer=customer, reason=RevisitTask.Reason.RECORD_FINDING,
                                due_on=DUE, note="new enforcement case", source_key="finding:1")
    again, created_again = task_raise(customer=customer,
                                      reason=RevisitTask.Reason.RECORD_FINDING, due_on=DUE,
                                      note="new enforcement case", source_key="finding:1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert first.officer == customer.officer
    assert RevisitTask.objects.filter(customer=customer).count() == 1


def test_a_customer_has_at_most_one_open_periodic_task():
    customer = CustomerFactory()
    RevisitTask.objects.create(customer=customer, officer=customer.officer, due_on=DUE,
                               reason=RevisitTask.Reason.PERIODIC)
    with pytest.raises(IntegrityError), transaction.atomic():
        RevisitTask.objects.create(customer=customer, officer=customer.officer, due_on=DUE,
                                   reason=RevisitTask.Reason.PERIODIC)
    # A closed one does not count, nor does a task for another reason.
    RevisitTask.objects.create(customer=customer, officer=customer.officer, due_on=DUE,
                               reason=RevisitTask.Reason.PERIODIC,
                               status=RevisitTask.Status.DONE)
    RevisitTask.objects.create(customer=customer, officer=customer.officer, due_on=DUE,
                               reason=RevisitTask.Reason.MANUAL)
    assert customer.revisit_tasks.count() == 3
