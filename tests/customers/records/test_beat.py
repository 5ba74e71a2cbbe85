"""The beat-scheduled reminder through the real broker and a real worker."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from loanwatch.celery import app
from loanwatch.core.models import Notification

from .helpers import company_with_controller


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_entry_reminds_officers_on_a_worker(celery_worker, officer):
    company_with_controller(officer)  # never checked: the company and its representative
    entry = settings.CELERY_BEAT_SCHEDULE["record-checks-remind"]
    # What beat does when the entry is due: publish the task by name to the broker.
    app.send_task(entry["task"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Notification.objects.filter(
            recipient=officer).exists():
        time.sleep(0.2)
    note = Notification.objects.get(recipient=officer)
    assert note.kind == "records.due" and note.params == {"n": 2}
    assert note.url == "/records/due/"
