"""The foundation works on real parts: PostgreSQL, Redis, a Celery worker and beat's heartbeat."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from loanwatch.celery import app
from loanwatch.core.models import Heartbeat
from loanwatch.core.services import enqueue_on_commit
from loanwatch.core.tasks import beat_tick

DOWN_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_database_is_postgresql(db):
    assert connection.vendor == "postgresql"


def test_connections_run_without_jit(db):
    # A page's short queries must never wait for the JIT compiler, whatever the server's default.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_task_round_trips_through_broker_and_worker(celery_worker):
    assert not Heartbeat.objects.filter(name="beat").exists()
    result = beat_tick.delay()
    stamped = result.get(timeout=20)
    # The worker wrote the heartbeat in the database the test reads.
    beat = Heartbeat.objects.get(name="beat")
    assert beat.at.isoformat() == stamped


def _wait_for(predicate, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_enqueue_on_commit_reaches_worker_only_after_commit(celery_worker):
    beat_seen = Heartbeat.objects.filter(name="beat").exists
    with transaction.atomic():
        enqueue_on_commit(beat_tick)
        # Time enough for the worker to run a task that had been sent; it must not have been.
        assert not _wait_for(beat_seen, seconds=1)
    assert _wait_for(beat_seen)


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens, as during a Redis outage."""
    def repoint(url: str) -> None:
        # The next publish takes the connection and producer pools of the new URL (kombu keeps
        # one pool per URL process-wide, so the old ones are left open, not closed).
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url

    repoint(DOWN_BROKER)
    yield
    repoint(settings.CELERY_BROKER_URL)


def test_enqueue_with_broker_down_keeps_the_save(
    db, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        Heartbeat.objects.create(name="user-save", at="2026-01-01T00:00:00Z")
        enqueue_on_commit(beat_tick)  # must log, not raise
    assert Heartbeat.objects.filter(name="user-save").exists()
    # Fails fast rather than hanging the request (a generous bound, not a benchmark).
    assert time.monotonic() - started < 15


def test_healthz_ok(client, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@override_settings(CELERY_BROKER_URL=DOWN_BROKER)
def test_healthz_503_when_broker_unreachable_and_pages_still_render(client, admin_user, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    # The login page and a signed-in home page still work without the broker.
    assert client.get(reverse("accounts:login")).status_code == 200
    client.force_login(admin_user)
    home = client.get(reverse("core:home"))
    assert home.status_code == 200
    assert "system-health" in home.content.decode()


def test_healthz_reports_last_beat_tick(client, db):
    Heartbeat.objects.create(name="beat", at="2026-11-28T08:00:00+00:00")
    body = client.get(reverse("core:healthz")).json()
    assert body["last_beat_tick"].startswith("2026-11-28T08:00")


def test_beat_schedule_declares_the_tick():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "loanwatch.core.tasks.beat_tick" in tasks


def test_a_worker_running_a_task_records_its_own_heartbeat(celery_worker, admin_client_):
    """The admin home tells "beat stopped" from "no worker": any task a worker runs counts."""
    Heartbeat.objects.filter(name="worker").delete()
    beat_tick.delay().get(timeout=20)
    assert _wait_for(lambda: Heartbeat.objects.filter(name="worker").exists())
    page = admin_client_.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Worker last active" in page and "Last planner run" in page
