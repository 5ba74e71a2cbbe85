"""An uploaded file applied by a real Celery worker on the real broker, watched as the run's
page does: through the progress JSON until it is done."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.feed.models import FeedRun
from customers.feed.services import feed_run_create
from customers.feed.tasks import send_queued
from customers.models import Loan, RiskSignal
from loanwatch.core import hooks
from tests.customers.factories import LoanFactory
from tests.factories import UserFactory

from .helpers import csv_bytes, line


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_is_applied_by_the_worker(celery_worker):
    admin = UserFactory(role="admin")
    client = Client()
    client.force_login(admin)
    LoanFactory(contract_number="HT-1")
    LoanFactory(contract_number="HT-2")
    content = csv_bytes([line("HT-1", balance="123", days_past_due=91,
                              classification="substandard"),
                         line("HT-2", balance="456")])
    response = client.post(reverse("feed:upload"),
                           {"file": SimpleUploadedFile("nightly.csv", content)})
    progress_url = response["Location"] + "progress.json"
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        progress = client.get(progress_url).json()
        seen.append(progress["status"])
        if progress["done"]:
            break
        time.sleep(0.2)
    assert progress == {"status": "applied", "status_label": progress["status_label"],
                        "rows_read": 2, "rows_checked": 2, "rows_applied": 2, "percent": 100,
                        "done": True}
    assert set(Loan.objects.values_list("contract_number", "balance")) == {
        ("HT-1", Decimal("123.00")), ("HT-2", Decimal("456.00"))}
    assert RiskSignal.objects.get().params["threshold"] == 90


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_the_broker_lost_is_sent_again_when_a_worker_starts(celery_worker):
    LoanFactory(contract_number="HT-1")
    run = feed_run_create(name="lost.csv", content=csv_bytes([line("HT-1", balance="7")]),
                          acting_user=None, enqueue=False)  # as if the broker was down
    assert send_queued in hooks.get_hooks("periodic_catch_up")
    send_queued()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not FeedRun.objects.get(pk=run.pk).is_done:
        time.sleep(0.2)
    assert FeedRun.objects.get(pk=run.pk).status == "applied"
    assert Loan.objects.get().balance == Decimal("7.00")
