"""Notifications: shown at once, mailed exactly once in the reader's language, never lost."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from loanwatch.core import notifications, services
from loanwatch.core.models import Notification
from loanwatch.core.tasks import notifications_sweep

from ..factories import TEST_PASSWORD


def _notify(user, text="请核查客户流水", url="/"):
    return services.notification_create(recipient=user, kind="system.message",
                                        params={"text": text}, url=url)


def test_recipient_sees_it_and_the_unread_count(officer_client, officer, officer_b):
    _notify(officer)
    _notify(officer_b, text="别人的通知")
    page = officer_client.get(reverse("core:notification_list")).content.decode()
    assert "请核查客户流水" in page and "别人的通知" not in page
    badge = officer_client.get(reverse("core:notification_badge")).content.decode()
    assert 'id="unread-count">1<' in badge


def test_mark_read_only_touches_my_own(officer_client, officer, officer_b):
    mine, theirs = _notify(officer), _notify(officer_b)
    officer_client.post(reverse("core:notification_read"), {"pk": theirs.pk})
    officer_client.post(reverse("core:notification_read"), {"pk": mine.pk})
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_mark_read_refuses_to_redirect_off_site(officer_client, officer):
    response = officer_client.post(reverse("core:notification_read"),
                                   {"next": "https://evil.example/"})
    assert response["Location"] == reverse("core:notification_list")


def test_mail_goes_out_once_in_the_recipients_language(db, officer):
    officer.language = "en"
    officer.save()
    n = services.notification_create(recipient=officer, kind="system.message",
                                     params={"text": "Check the bank statements"})
    assert services.notification_email(notification_id=n.pk) is True
    assert services.notification_email(notification_id=n.pk) is False  # a second worker
    assert len(mail.outbox) == 1
    assert "Check the bank statements" in mail.outbox[0].subject
    assert mail.outbox[0].to == [officer.email]


def test_a_claim_left_by_a_dead_worker_is_taken_over(db, officer):
    n = _notify(officer)
    stale = timezone.now() - services.EMAIL_CLAIM_TIMEOUT - timedelta(seconds=1)
    Notification.objects.filter(pk=n.pk).update(email_claimed_at=stale)
    assert services.notification_email(notification_id=n.pk) is True
    assert len(mail.outbox) == 1


def test_sweep_sends_what_the_broker_outage_held_back(db, officer):
    n = _notify(officer)  # its enqueue never ran: the on-commit callback is not executed here
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert notifications_sweep() == 1
    assert notifications_sweep() == 0
    assert len(mail.outbox) == 1


def test_the_worker_mails_it_after_commit(celery_worker, officer):
    _notify(officer)  # autocommit: the on-commit enqueue runs at once, to the real broker
    deadline = time.monotonic() + 20
    # The worker sends, then records the sending in its own transaction: wait for both.
    while time.monotonic() < deadline and not (
            mail.outbox and Notification.objects.filter(emailed_at__isnull=False).exists()):
        time.sleep(0.05)
    assert len(mail.outbox) == 1
    assert Notification.objects.get().emailed_at is not None


def test_signing_in_remembers_the_language_for_mail(client, officer):
    client.post(reverse("accounts:login"),
                {"username": officer.username, "password": TEST_PASSWORD},
                HTTP_ACCEPT_LANGUAGE="en-US")
    officer.refresh_from_db()
    assert officer.language == "en"


def test_a_day_in_a_notification_is_written_in_the_readers_language():
    params = {"customer": "华信机械", "date": "2026-11-05", "officer": "王芳"}
    kind = "visits.draft_customer_reassigned"
    with translation.override("zh-hans"):
        assert "2026年11月5日" in notifications.render(kind, params)
    with translation.override("en"):
        text = notifications.render(kind, params)
    assert "5 Nov 2026" in text and "2026-11-05" not in text
