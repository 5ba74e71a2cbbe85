"""The record checks due list is read a page at a time by keyset: never checked first, then the
oldest last check, the id breaking ties. Walking the pages forward or back shows every due
subject of the user's scope exactly once, never another team's; a forged page token opens the
first page; and a page costs the same queries whatever the size of the book."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.records import views
from customers.records.models import CheckSubject

from .helpers import company_with_controller

pytestmark = pytest.mark.django_db
URL = reverse("records:due_list")
PAGE = 4


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(views, "DUE_PAGE", PAGE)


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _book(officer, officer_b) -> None:
    """Six companies with their legal representatives for each officer; some never checked,
    some checked long ago on the same day (ties), some recently (not due)."""
    today = timezone.localdate()
    for n in range(6):
        company_with_controller(officer, n=n)
        company_with_controller(officer_b, n=100 + n)
    for i, row in enumerate(CheckSubject.objects.order_by("id")):
        row.last_checked_on = [None, today - timedelta(days=90), today - timedelta(days=400),
                               today - timedelta(days=90), today - timedelta(days=1)][i % 5]
        row.save(update_fields=["last_checked_on"])


def _expected(customers_of) -> list[str]:
    """The due subjects of the given customers in the list's order, worked out here."""
    cutoff = timezone.localdate() - timedelta(days=30)
    rows = [row for row in CheckSubject.objects.filter(customer__in=customers_of)
            if row.last_checked_on is None or row.last_checked_on < cutoff]
    rows.sort(key=lambda row: (row.last_checked_on is not None,
                               row.last_checked_on or timezone.localdate(), row.id))
    return [f"p{row.person_id}" if row.person_id else f"c{row.customer_id}" for row in rows]


def _keys(page: str) -> list[str]:
    return re.findall(r"\?subject=([cp]\d+)", page)


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found[1]) if found else None


def _walk(client, params: dict) -> tuple[list[str], list[str]]:
    """Every page forward from the first, then every page back from the last."""
    page = client.get(URL, params).content.decode()
    forward, pages = _keys(page), [page]
    while (nxt := _link(page, "next")) is not None:
        page = client.get(URL + nxt).content.decode()
        pages.append(page)
        forward += _keys(page)
    backward = _keys(page)
    while (prev := _link(page, "prev")) is not None:
        page = client.get(URL + prev).content.decode()
        backward = _keys(page) + backward
    return forward, backward


@pytest.mark.parametrize("persona,params,scope", [
    ("officer", {}, "own"), ("supervisor", {}, "team_a"),
    ("admin_user", {}, "team_a"), ("admin_user", {"team": "all"}, "all"),
    ("admin_user", {"team": "b"}, "team_b")])
def test_walking_the_pages_shows_every_due_subject_once(request, officer, officer_b, team_a,
                                                        team_b, persona, params, scope):
    _book(officer, officer_b)
    user = request.getfixturevalue(persona)
    if params.get("team") == "b":
        params = {"team": team_b.pk}
    customers = {"own": officer.customers.all(), "team_a": officer.customers.all(),
                 "team_b": officer_b.customers.all(),
                 "all": Customer.objects.all()}[scope]
    expected = _expected(customers)
    assert len(expected) > 2 * PAGE  # several pages
    forward, backward = _walk(_client(user), params)
    assert forward == expected
    assert backward == expected
    if scope != "all":  # never a subject of another team's customers
        others = _expected(Customer.objects.exclude(pk__in=customers))
        assert not set(forward) & set(others)


def test_the_count_is_exact_for_a_team_and_about_for_the_bank(officer, officer_b, admin_user):
    _book(officer, officer_b)
    client = _client(admin_user)
    team = client.get(URL).content.decode()
    assert re.search(r'id="due-count">\s*(\d+)\s*</span>', team)[1] == str(
        len(_expected(officer.customers.all())))
    bank = client.get(URL, {"team": "all"}).content.decode()
    total = len(_expected(Customer.objects.all()))
    assert re.search(r'id="due-count">\s*about (\d+)\s*</span>', bank)[1] == str(total)


def test_a_forged_or_foreign_token_opens_the_first_page(officer, officer_b):
    _book(officer, officer_b)
    client = _client(officer)
    first = client.get(URL).content.decode()
    second_link = _link(first, "next")
    token = re.search(r"after=([^&]+)", second_link)[1]
    for bad in ("x" * 40, token[:-2] + "zz", "", token.replace(".", "")):
        page = client.get(URL, {"after": bad}).content.decode()
        assert _keys(page) == _keys(first)
    # A token of another keyset list (the signals') is not this list's.
    assert client.get(URL, {"before": "W10:1abc:sig"}).status_code == 200


def test_a_row_is_escaped_and_links_its_check(officer):
    customer, person = company_with_controller(officer)
    customer.name = '<b>"坏"</b>'
    customer.save(update_fields=["name"])
    page = _client(officer).get(URL).content.decode()
    assert "&lt;b&gt;&quot;坏&quot;&lt;/b&gt;" in page and '<b>"坏"' not in page
    check = reverse("records:check_create", args=[customer.pk])
    assert f'href="{check}?subject=c{customer.pk}"' in page
    assert f'href="{check}?subject=p{person.pk}"' in page
    assert page.count('<span class="text-danger">never</span>') == 2


@pytest.mark.parametrize("persona,params", [
    ("officer", {}), ("supervisor", {}), ("admin_user", {}), ("admin_user", {"team": "all"})])
def test_a_page_costs_the_same_queries_at_two_sizes(request, officer, officer_b, persona,
                                                    params):
    client = _client(request.getfixturevalue(persona))

    def queries(**more) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {**params, **more}).status_code == 200
        return len(captured)

    company_with_controller(officer, n=1)
    client.get(URL)  # the session settles
    few = queries()
    _book(officer, officer_b)
    page = client.get(URL, params).content.decode()
    after = re.search(r"after=([^&\"]+)", html.unescape(_link(page, "next")))[1]
    assert queries() == few
    assert queries(after=after) == few  # a later page too
