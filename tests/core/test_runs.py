"""File runs whose worker died: failed after a time without progress, said so on the page, and
sent again by an administrator (loanwatch/core/runs.py)."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.feed.models import FeedRun
from customers.feed.services import feed_run_create
from customers.imports import import_run_create
from customers.models import ImportRun, Loan
from loanwatch.core import hooks, runs
from loanwatch.core.tasks import runs_fail_stale
from tests.customers.factories import LoanFactory
from tests.customers.feed.helpers import csv_bytes, line
from tests.factories import UserFactory


def _running(run, *, minutes_ago: int) -> None:
    then = timezone.now() - timedelta(minutes=minutes_ago)
    type(run).objects.filter(pk=run.pk).update(status="running", started_at=then,
                                               progress_at=then)


@pytest.mark.django_db
def test_a_run_silent_too_long_is_failed_and_the_page_says_so(settings, admin_client_,
                                                              officer_client, officer):
    settings.RUN_STALE_AFTER = 15 * 60
    stale_feed = feed_run_create(name="a.csv", content=b"x", acting_user=None, enqueue=False)
    busy_feed = feed_run_create(name="b.csv", content=b"x", acting_user=None, enqueue=False)
    stale_import = import_run_create(name="c.csv", content=b"x", acting_user=officer,
                                     enqueue=False)
    waiting = feed_run_create(name="d.csv", content=b"x", acting_user=None, enqueue=False)
    _running(stale_feed, minutes_ago=16)
    _running(busy_feed, minutes_ago=2)
    _running(stale_import, minutes_ago=60)

    assert runs.runs_fail_stale() == 2
    assert set(FeedRun.objects.values_list("file_name", "status", "worker_stopped")) == {
        ("a.csv", "failed", True), ("b.csv", "running", False), ("d.csv", "queued", False)}
    assert ImportRun.objects.get().status == "failed"
    assert runs.runs_fail_stale() == 0  # nothing left to fail
    assert waiting.pk

    page = admin_client_.get(reverse("feed:run_detail", kwargs={"pk": stale_feed.pk}),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="run-stopped"' in page and "The worker stopped" in page
    assert 'id="run-resend"' in page
    # The uploader of an import reads it too, and that an administrator can send it again.
    page = officer_client.get(reverse("customers:import_run", kwargs={"pk": stale_import.pk}),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "An administrator can send it again." in page and 'id="run-resend"' not in page


@pytest.mark.django_db
def test_only_an_administrator_sends_a_failed_run_again(admin_client_, supervisor_client):
    run = feed_run_create(name="a.csv", content=b"x", acting_user=None, enqueue=False)
    url = reverse("feed:run_resend", kwargs={"pk": run.pk})
    assert admin_client_.post(url).status_code == 302
    assert FeedRun.objects.get().status == "queued"  # not failed: nothing to send again
    FeedRun.objects.update(status="failed", worker_stopped=True, rows_read=5)
    assert supervisor_client.post(url).status_code == 403
    assert FeedRun.objects.get().status == "failed"
    assert admin_client_.post(url).status_code == 302
    assert FeedRun.objects.values_list("status", "worker_stopped", "rows_read").get() == (
        "queued", False, 0)


def test_the_check_runs_when_a_worker_starts():
    assert runs_fail_stale.delay in hooks.get_hooks("periodic_catch_up")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stale_run_failed_by_the_worker_is_sent_again_and_applies(settings, celery_worker):
    settings.RUN_STALE_AFTER = 60
    admin = UserFactory(role="admin")
    client = Client()
    client.force_login(admin)
    LoanFactory(contract_number="HT-1")
    run = feed_run_create(name="lost.csv", content=csv_bytes([line("HT-1", balance="9")]),
                          acting_user=None, enqueue=False)
    _running(run, minutes_ago=5)  # as if the worker that took it died
    assert runs_fail_stale.delay().get(timeout=30) == 1
    assert FeedRun.objects.get().status == "failed"
    client.post(reverse("feed:run_resend", kwargs={"pk": run.pk}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and FeedRun.objects.get().status != "applied":
        time.sleep(0.2)
    assert FeedRun.objects.get().status == "applied"
    assert Loan.objects.get().balance == Decimal("9.00")
