"""The changes feed: everything changed since a cursor, and nothing skipped when a transaction
that started earlier commits later."""

from __future__ import annotations

from datetime import timedelta

import psycopg2
from django.conf import settings
from django.db import connection
from django.db.models import F

from customers.models import Customer, Loan
from loanwatch.api.models import Scope
from loanwatch.api.routes import event_model
from loanwatch.core import hooks
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory
from tests.reports.factories import submitted_visit
from tests.visits.factories import VisitFactory
from visits.models import Visit

from .helpers import bearer, make_token

URL = "/api/v1/changes/"
ONE_MINUTE = timedelta(minutes=1)


def _walk(client, cursor=None, limit=500):
    params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_feed_gives_every_change_once_in_order_and_continues_from_its_cursor(
        reader, officer):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer)
    VisitFactory(customer=customer)  # a draft: not the feed's business
    visit = submitted_visit(customer=customer)
    # As if committed a while ago: the test's own transaction stands for the later ones.
    for model in (Customer, Loan, Visit):
        model.pgh_event_model.objects.update(pgh_created_at=F("pgh_created_at") - ONE_MINUTE)
    first = _walk(reader, limit=2)
    assert first["more"] is True
    rest = _walk(reader, cursor=first["next"])
    changes = first["changes"] + rest["changes"]
    assert [(c["kind"], c["id"], c["event"]) for c in changes] == [
        ("customer", customer.pk, "insert"), ("loan", loan.pk, "insert"),
        ("visit", visit.pk, "insert")]
    assert changes[1]["row"]["contract_number"] == loan.contract_number
    assert rest["more"] is False
    # Asked again with the last cursor: nothing new, and the cursor stays.
    again = _walk(reader, cursor=rest["next"])
    assert again == {"changes": [], "next": rest["next"], "more": False}
    Loan.objects.filter(pk=loan.pk).update(balance=1)
    later = _walk(reader, cursor=rest["next"])
    assert [(c["kind"], c["id"], c["event"], c["row"]["balance"]) for c in later["changes"]] \
        == [("loan", loan.pk, "update", "1.00")]


def test_a_deleted_record_comes_with_no_row(reader, officer):
    customer = CustomerFactory(officer=officer)
    Customer.pgh_event_model.objects.update(pgh_created_at=F("pgh_created_at") - ONE_MINUTE)
    cursor = _walk(reader)["next"]
    Customer.objects.filter(pk=customer.pk).delete()
    changes = _walk(reader, cursor=cursor)["changes"]
    assert [(c["kind"], c["event"], c["row"]) for c in changes] == [
        ("customer", "delete", None)]


def test_a_bad_cursor_is_400(reader):
    for cursor in ("nonsense", "W10", "WyJ4IiwgImEiLCAxXQ"):
        assert reader.get(URL, {"cursor": cursor}).status_code == 400


def _other_connection():
    db = settings.DATABASES["default"]
    return psycopg2.connect(dbname=connection.settings_dict["NAME"], user=db["USER"],
                            password=db["PASSWORD"], host=db["HOST"], port=db["PORT"])


def test_a_transaction_that_commits_late_is_not_skipped(transactional_db,
                                                        django_db_serialized_rollback):
    """A transaction opened before others commit, and committed after the feed was read: its
    change comes after the cursor the feed gave meanwhile, not before it."""
    admin = UserFactory(role="admin")
    client = bearer(make_token(admin, scopes=[Scope.READ])[1])
    early, later = CustomerFactory(), CustomerFactory()
    cursor = _walk(client)["next"]
    slow = _other_connection()
    try:
        with slow.cursor() as cursor_sql:  # begins a transaction and changes a customer in it
            cursor_sql.execute("UPDATE customers_customer SET name = 'slow' WHERE id = %s",
                               [early.pk])
        Customer.objects.filter(pk=later.pk).update(name="quick")  # committed at once
        held = _walk(client, cursor=cursor)
        # The quick change committed, but it is held back until the slow transaction ends.
        assert held["changes"] == [] and held["next"] == cursor
        slow.commit()
    finally:
        slow.close()
    changes = _walk(client, cursor=cursor)["changes"]
    assert [(c["id"], c["row"]["name"]) for c in changes] == [(early.pk, "slow"),
                                                              (later.pk, "quick")]


def test_every_kind_of_the_feed_reads_its_trail_through_an_index_in_the_feeds_order(db):
    """A page of changes is an index range whatever the length of the audit trail: each kind's
    event table has an index on (pgh_created_at, pgh_id), the feed's order."""
    kinds = list(hooks.get_hooks("api_changes"))
    assert {k.kind for k in kinds} >= {"customer", "loan", "signal", "visit", "report"}
    with connection.cursor() as cursor:
        for kind in kinds:
            table = event_model(kind.model)._meta.db_table
            indexes = connection.introspection.get_constraints(cursor, table).values()
            assert any(i["index"] and i["columns"] == ["pgh_created_at", "pgh_id"]
                       for i in indexes), table
