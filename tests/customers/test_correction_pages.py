"""The corrections list is read a page at a time by keyset (waiting ones first, then the newest):
walking the pages shows every correction of the user's scope once, in order, never another
team's; a forged token opens the first page; a later page costs the queries of the first."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import risk_views
from customers.models import RiskCorrection
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = reverse("customers:correction_list")
PAGE = 3


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(risk_views, "CORRECTIONS_PAGE", PAGE)


def _corrections(officer, admin_user, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        RiskCorrection.objects.create(
            customer=CustomerFactory(officer=officer), reason=f"理由{i}",
            requested_by=admin_user, lowers_risk=True,
            requested_at=now - datetime.timedelta(days=i % 4),  # ties on the same time
            status=RiskCorrection.Status.AWAITING if i % 3 else RiskCorrection.Status.REJECTED)


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="correction-(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found[1]) if found else None


@pytest.mark.parametrize("persona", ["supervisor_client", "admin_client_"])
def test_walking_the_corrections_shows_each_once_in_order(request, officer, officer_b,
                                                           admin_user, persona):
    _corrections(officer, admin_user, 8)
    _corrections(officer_b, admin_user, 5)
    client = request.getfixturevalue(persona)
    page = client.get(URL).content.decode()
    shown = _ids(page)
    while (nxt := _link(page, "next")) is not None:
        page = client.get(URL + nxt).content.decode()
        shown += _ids(page)
    rows = RiskCorrection.objects.all()
    if persona == "supervisor_client":
        rows = rows.filter(customer__team=officer.team)
    expected = [c.pk for c in sorted(rows, key=lambda c: (
        c.status != RiskCorrection.Status.AWAITING, -c.requested_at.timestamp(), -c.pk))]
    assert shown == expected
    back = _ids(page)
    while (prev := _link(page, "prev")) is not None:
        page = client.get(URL + prev).content.decode()
        back = _ids(page) + back
    assert back == expected


def test_a_forged_token_opens_the_first_page_and_pages_cost_the_same(supervisor_client, officer,
                                                                     admin_user):
    _corrections(officer, admin_user, 8)
    first = supervisor_client.get(URL).content.decode()
    assert _ids(supervisor_client.get(URL, {"after": "nonsense"}).content.decode()) == _ids(first)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_client.get(path).status_code == 200
        return len(captured)

    assert queries(URL) == queries(URL + _link(first, "next"))
