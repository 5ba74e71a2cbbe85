"""The nightly expiry of risk signals through the real broker and a real worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from customers.models import RiskSignal
from loanwatch.celery import app

from .factories import CustomerFactory


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_entry_expires_signals_on_a_worker(celery_worker):
    customer = CustomerFactory()
    old = timezone.now() - timedelta(days=400)
    notice = RiskSignal.objects.create(customer=customer, source="manual", rule="a",
                                       severity="notice", raised_at=old)
    serious = RiskSignal.objects.create(customer=customer, source="manual", rule="b",
                                        severity="serious", raised_at=old)
    entry = settings.CELERY_BEAT_SCHEDULE["risk-signals-expire"]
    # What beat does when the entry is due: publish the task by name to the broker.
    app.send_task(entry["task"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not RiskSignal.objects.filter(
            pk=notice.pk, status="expired").exists():
        time.sleep(0.2)
    notice.refresh_from_db()
    serious.refresh_from_db()
    assert (notice.status, serious.status) == ("expired", "open")
