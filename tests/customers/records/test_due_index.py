"""The due list reads each subject's kept last check date: it follows customers, relations and
checks as they are recorded, an administrator's list opens on one team, and its query count
does not grow with the book."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import CustomerRelation, Person
from customers.records import services, subjects
from customers.records.models import CheckSubject
from customers.records.selectors import due_subjects_for_user
from customers.services import relation_remove
from loanwatch.core.models import Notification
from tests.customers.factories import CustomerFactory

from .helpers import company_with_controller, reading, subject


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _due_keys(user, **kwargs) -> list[str]:
    return [d.key for d in due_subjects_for_user(user=user, **kwargs)]


def test_subjects_follow_customers_relations_and_checks(officer):
    customer, person = company_with_controller(officer)
    assert _due_keys(officer) == [f"c{customer.pk}", f"p{person.pk}"]  # never checked: due
    today = timezone.localdate()
    services.check_record(subject=subject(customer), data=reading(today - timedelta(days=40)),
                          source="manual", acting_user=officer)
    services.check_record(subject=subject(customer, person), data=reading(today),
                          source="manual", acting_user=officer)
    due = due_subjects_for_user(user=officer)
    assert [d.key for d in due] == [f"c{customer.pk}"]  # the person was checked today
    assert due[0].due_on == today - timedelta(days=10)  # 40 days ago, monthly
    # A reading dated earlier than the last does not move the last check back.
    services.check_record(subject=subject(customer, person),
                          data=reading(today - timedelta(days=90)), source="feed",
                          acting_user=officer)
    assert CheckSubject.objects.get(customer=customer, person=person).last_checked_on == today
    relation_remove(relation=CustomerRelation.objects.get(customer=customer, person=person),
                    acting_user=officer)
    assert not CheckSubject.objects.filter(person=person).exists()


def test_a_person_with_two_roles_is_one_subject(officer):
    customer, person = company_with_controller(officer)
    CustomerRelation.objects.create(customer=customer, person=person, role="shareholder",
                                    stake_pct=10)
    assert _due_keys(officer).count(f"p{person.pk}") == 1
    CustomerRelation.objects.filter(customer=customer, person=person,
                                    role="shareholder").get().delete()
    assert _due_keys(officer).count(f"p{person.pk}") == 1  # still legal representative


def test_the_daily_job_brings_in_rows_written_around_the_orm(officer):
    customer, _person = company_with_controller(officer)
    extra = Person.objects.create(name="股东乙")
    CustomerRelation.objects.bulk_create([CustomerRelation(customer=customer, person=extra,
                                                           role="actual_controller")])
    CheckSubject.objects.filter(customer=customer, person=None).delete()
    assert f"p{extra.pk}" not in _due_keys(officer)
    services.reminders_send()
    assert {f"c{customer.pk}", f"p{extra.pk}"} <= set(_due_keys(officer))
    assert Notification.objects.get(recipient=officer).params == {"n": 3}
    assert subjects.sync() == 0  # nothing left to correct


def test_the_administrator_opens_on_one_team_and_chooses(officer, officer_b, team_a, team_b,
                                                          admin_user):
    ours, _p = company_with_controller(officer, n=1)
    theirs, _q = company_with_controller(officer_b, n=2)
    client = _client(admin_user)
    url = reverse("records:due_list")
    first = client.get(url).content.decode()  # no team of their own: the first team
    assert ours.name in first and theirs.name not in first
    assert 'id="due-team-filter"' in first
    second = client.get(url, {"team": team_b.pk}).content.decode()
    assert theirs.name in second and ours.name not in second
    everyone = client.get(url, {"team": "all"}).content.decode()
    assert ours.name in everyone and theirs.name in everyone
    # Anything else falls back to the first team rather than failing.
    for odd in ("x'1", "²", "9" * 40):
        assert ours.name in client.get(url, {"team": odd}).content.decode()
    # Officers and supervisors have no team choice; their scope decides.
    page = _client(officer).get(url, {"team": "all"}).content.decode()
    assert theirs.name not in page and 'id="due-team-filter"' not in page


def _count(client, url, params) -> int:
    cache.clear()  # the bank-wide count is kept five minutes: measure the request that counts
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def test_the_administrators_list_keeps_its_query_count(officer, officer_b, admin_user,
                                                       django_assert_num_queries):
    client = _client(admin_user)
    url = reverse("records:due_list")
    counts = []
    for size in (2, 12):
        while CheckSubject.objects.count() < size:
            n = CheckSubject.objects.count()
            company_with_controller(officer if n % 2 else officer_b, n=n + 1)
            CustomerFactory(officer=officer)
        counts.append((_count(client, url, {}), _count(client, url, {"team": "all"})))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0][1] - 1):
        client.get(url, {"team": "all"})  # the bank-wide count kept from the request before
    assert counts[0][1] <= 8
