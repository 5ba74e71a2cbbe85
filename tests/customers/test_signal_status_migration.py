"""The migration that gives existing signals their status: signals an approved report points at
are confirmed by it, those a pending report took are in it, the rest stay open."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from customers.models import RiskSignal
from reports import services as report_services
from reports.models import RiskReport
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("customers.migrations.0010_signal_status")


def test_existing_signals_take_their_status_from_the_reports(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    approved_signal = RiskSignal.objects.create(customer=customer, source="manual", rule="a")
    approved = report_services.report_start(customer=customer, acting_user=officer)
    RiskReport.objects.filter(pk=approved.pk).update(status="approved", decided_by=supervisor)
    pending_signal = RiskSignal.objects.create(customer=customer, source="manual", rule="b")
    pending = report_services.report_start(customer=customer, acting_user=officer)
    untouched = RiskSignal.objects.create(customer=customer, source="manual", rule="c")
    # As the rows were before the migration: every signal open.
    RiskSignal.objects.update(status="open", report_id=None, status_at=None, status_by=None)

    migration.statuses_from_reports(apps, None)

    found = {s.pk: (s.status, s.report_id, s.status_by_id) for s in RiskSignal.objects.all()}
    assert found == {approved_signal.pk: ("confirmed", approved.pk, supervisor.pk),
                     pending_signal.pk: ("in_report", pending.pk, officer.pk),
                     untouched.pk: ("open", None, None)}
