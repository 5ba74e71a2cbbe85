from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from .broker import broker_available, broker_publish
from .models import Heartbeat, Notification
from .notifications import render

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

logger = logging.getLogger(__name__)


def heartbeat_record(*, name: str) -> datetime:
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send a Celery task once the current transaction commits.

    A broker outage must delay the work, never undo the user's save, nor hold the request: the
    publish gives up within about a second, a failure is logged, and the periodic jobs that own
    the work pick it up from the database later.
    """

    def send() -> None:
        name = getattr(task, "name", task)
        if not broker_available():
            logger.warning("broker unavailable; %s left to its periodic job", name)
            return
        try:
            broker_publish(task, args=args, kwargs=kwargs)
        except Exception:  # any broker/transport error: the saved data stays saved
            logger.exception("could not enqueue %s; it will be retried by its periodic job", name)

    transaction.on_commit(send)


def notification_create(*, recipient: User, kind: str, params: dict[str, Any] | None = None,
                        url: str = "") -> Notification:
    """Tell a user something. Call inside the transaction of the change it reports."""
    from .tasks import notification_send_email  # noqa: PLC0415  (tasks import this module)

    notification = Notification.objects.create(recipient=recipient, kind=kind,
                                               params=params or {}, url=url)
    enqueue_on_commit(notification_send_email, notification.pk)
    return notification


def notifications_create(*, notifications: list[Notification]) -> list[Notification]:
    """Tell many users something in one INSERT (unsaved Notification rows: recipient, kind,
    params, url); each mail is enqueued once the transaction commits, as notification_create's."""
    from .tasks import notification_send_email  # noqa: PLC0415  (tasks import this module)

    created = Notification.objects.bulk_create(notifications)
    for notification in created:
        enqueue_on_commit(notification_send_email, notification.pk)
    return created


def notification_mark_read(*, recipient: User, pk: int | None = None) -> int:
    """Mark one of the recipient's notifications read, or all of them; returns how many."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if pk is not None:
        unread = unread.filter(pk=pk)
    return unread.update(read_at=timezone.now())


# A claim older than this is taken to belong to a worker that died while mailing.
EMAIL_CLAIM_TIMEOUT = timedelta(minutes=10)


def notification_email(*, notification_id: int) -> bool:
    """Mail one notification, exactly once across workers. Returns True if this call sent it."""
    now = timezone.now()
    # The conditional UPDATE is the claim: of two workers, only one sees a row changed.
    claimed = Notification.objects.filter(
        Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - EMAIL_CLAIM_TIMEOUT),
        pk=notification_id, emailed_at__isnull=True,
    ).update(email_claimed_at=now)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if recipient.email and recipient.is_active:
        with translation.override(recipient.language):
            text = render(notification.kind, notification.params)
            link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
            send_mail(subject=f"[LoanWatch] {text}"[:200], message=f"{text}\n\n{link}".strip(),
                      from_email=None, recipient_list=[recipient.email])
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


def notification_pending_ids(*, older_than: timedelta = timedelta(minutes=1),
                             limit: int = 500) -> list[int]:
    """Mails that should have gone out by now: their enqueue failed or their worker died."""
    cutoff = timezone.now() - older_than
    return list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff)
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )
