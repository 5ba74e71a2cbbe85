"""Keeping the table of subjects to check (CheckSubject) in step with customers, relations
and checks.

Customers and relations created or removed one at a time (services, the admin, factories) move
their row through the model signals below, which the customers app knows nothing about. Rows
written in bulk around the ORM (the portfolio generator's COPY) are brought in by `sync`, which
the daily reminder job also runs, so a row missed for any reason is back by the next morning.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection
from django.db.models import Max, Q
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from customers.models import Customer, CustomerRelation

from .models import CheckSubject, RecordCheck
from .selectors import CHECKED_ROLES


def subject_checked(*, customer_id: int, person_id: int | None, on: datetime.date) -> None:
    """Move the subject's last check date to `on` unless it already is later. A related party
    is checked for every customer it is linked to at once."""
    row, created = CheckSubject.objects.get_or_create(
        customer_id=customer_id, person_id=person_id, defaults={"last_checked_on": on})
    rows = (CheckSubject.objects.filter(person_id=person_id) if person_id is not None
            else CheckSubject.objects.filter(pk=row.pk))
    rows.filter(Q(last_checked_on__isnull=True) | Q(last_checked_on__lt=on)).update(
        last_checked_on=Greatest("last_checked_on", on))


def _subject_add(*, customer_id: int, person_id: int | None) -> None:
    checks = (RecordCheck.objects.filter(person_id=person_id) if person_id is not None
              else RecordCheck.objects.filter(customer_id=customer_id, person__isnull=True))
    last = checks.aggregate(last=Max("checked_on"))["last"]
    CheckSubject.objects.get_or_create(customer_id=customer_id, person_id=person_id,
                                       defaults={"last_checked_on": last})


@receiver(post_save, sender=Customer, dispatch_uid="records_customer_subject")
def _customer_saved(sender: Any, instance: Customer, created: bool, raw: bool = False,
                    **kwargs: Any) -> None:
    if created and not raw:
        _subject_add(customer_id=instance.pk, person_id=None)


@receiver(post_save, sender=CustomerRelation, dispatch_uid="records_relation_subject")
def _relation_saved(sender: Any, instance: CustomerRelation, created: bool, raw: bool = False,
                    **kwargs: Any) -> None:
    if created and not raw and instance.role in CHECKED_ROLES:
        _subject_add(customer_id=instance.customer_id, person_id=instance.person_id)


@receiver(post_delete, sender=CustomerRelation, dispatch_uid="records_relation_subject_gone")
def _relation_deleted(sender: Any, instance: CustomerRelation, **kwargs: Any) -> None:
    still = CustomerRelation.objects.filter(customer_id=instance.customer_id,
                                            person_id=instance.person_id,
                                            role__in=CHECKED_ROLES).exists()
    if not still:
        CheckSubject.objects.filter(customer_id=instance.customer_id,
                                    person_id=instance.person_id).delete()


def sync() -> int:
    """Add the missing subjects, drop those whose relation is gone and correct every last
    check date from the checks themselves (a few seconds for the generated book; set-based,
    so run by a job, never by a page). Returns how many rows changed."""
    roles = [str(role) for role in CHECKED_ROLES]
    statements: list[tuple[str, list[Any]]] = [
        ("""INSERT INTO records_checksubject (customer_id, person_id, last_checked_on)
             SELECT c.id, NULL, NULL FROM customers_customer c
             ON CONFLICT DO NOTHING""", []),
        ("""INSERT INTO records_checksubject (customer_id, person_id, last_checked_on)
             SELECT DISTINCT r.customer_id, r.person_id, NULL::date
             FROM customers_customerrelation r WHERE r.role = ANY(%s)
             ON CONFLICT DO NOTHING""", [roles]),
        ("""DELETE FROM records_checksubject s WHERE s.person_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM customers_customerrelation r WHERE r.customer_id = s.customer_id
               AND r.person_id = s.person_id AND r.role = ANY(%s))""", [roles]),
        ("""UPDATE records_checksubject s SET last_checked_on = m.last FROM (
               SELECT s2.id, (SELECT max(k.checked_on) FROM records_recordcheck k
                              WHERE k.customer_id = s2.customer_id
                              AND k.person_id IS NULL) AS last
               FROM records_checksubject s2 WHERE s2.person_id IS NULL) m
             WHERE s.id = m.id AND s.last_checked_on IS DISTINCT FROM m.last""", []),
        ("""UPDATE records_checksubject s SET last_checked_on = m.last FROM (
               SELECT s2.id, (SELECT max(k.checked_on) FROM records_recordcheck k
                              WHERE k.person_id = s2.person_id) AS last
               FROM records_checksubject s2 WHERE s2.person_id IS NOT NULL) m
             WHERE s.id = m.id AND s.last_checked_on IS DISTINCT FROM m.last""", []),
    ]
    changed = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            changed += max(cursor.rowcount, 0)
    return changed

