"""The customer list pages by keyset: a page starts after the last row of the one before, its
links carry signed sort keys that a hand-edited address cannot turn into an error, a search
puts the closest names first, and the bank's total is an estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import selectors, signal_views, views
from customers.models import RiskSignal
from loanwatch.core import keyset

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db
LIST = reverse("customers:customer_list")


def _names(response) -> list[str]:
    return [c.name for c in response.context["page"]]


@pytest.fixture
def book(officer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    return [CustomerFactory(officer=officer, name=name).pk
            for name in ("甲", "乙", "丙", "丁", "戊")]


@pytest.mark.parametrize("token", [
    "garbage", "%00", "1" * 400,
    signing.dumps(["name:False", ["甲", 1]], salt="another salt"),  # not signed for lists
    keyset.encode("-balance:False", ["12.5", 1]),  # signed for another order
    keyset.encode("name:False", [["甲"], 1]),  # a list where a name goes
    keyset.encode("name:False", ["甲", "1"]),  # text where the id goes
    keyset.encode("name:False", ["甲"]),  # too short
])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_forged_or_stale_page_token_opens_the_first_page(officer_client, book, token,
                                                           direction):
    first = _names(officer_client.get(LIST))
    response = officer_client.get(LIST, {direction: token})
    assert response.status_code == 200
    assert _names(response) == first


def test_a_token_of_a_sort_by_figure_reads_its_decimal_back(officer_client, book):
    page = officer_client.get(LIST, {"sort": "-balance"}).context["page"]
    second = officer_client.get(LIST + page.next_link)
    assert second.status_code == 200 and len(second.context["page"]) == 2


def test_the_links_keep_the_filters_and_name_no_page_number(officer_client, book):
    html = officer_client.get(LIST, {"kind": "corporate", "sort": "name"}).content.decode()
    assert "kind=corporate" in html and "after=" in html and "page=" not in html
    page = officer_client.get(LIST, {"kind": "corporate"}).context["page"]
    second = officer_client.get(LIST + page.next_link).context["page"]
    assert "kind=corporate" in second.first_link and "after=" not in second.first_link


def test_a_search_puts_the_name_itself_then_names_starting_with_it_first(officer):
    for name in ("北京公司", "公司二部", "甲公司", "公司", "安徽公司"):
        CustomerFactory(officer=officer, name=name)
    CustomerFactory(officer=officer, name="无关")
    found = [c.name for c in selectors.customer_list_for_user(user=officer, search="公司")]
    assert found[:2] == ["公司", "公司二部"]
    assert set(found[2:]) == {"北京公司", "甲公司", "安徽公司"}


def test_the_bank_wide_total_is_an_estimate_and_a_team_s_is_counted(admin_client_,
                                                                   supervisor_client, officer):
    for n in range(4):
        CustomerFactory(officer=officer, name=f"估计{n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    admin = admin_client_.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert admin.context["page"].count_is_estimate
    assert "about 4" in admin.content.decode()
    searched = admin_client_.get(LIST, {"q": "估计"}, HTTP_ACCEPT_LANGUAGE="en")
    assert searched.context["page"].count == 4 and searched.context["page"].count_is_estimate
    team = supervisor_client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    assert team.context["page"].count == 4 and not team.context["page"].count_is_estimate
    assert "about" not in team.content.decode().split('id="list-count"')[1][:40]


@pytest.mark.parametrize("sort", ["name", "-balance", "officer"])
def test_a_later_page_costs_the_first_page_s_queries_whatever_the_book(admin_client_, officer,
                                                                      monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)

    def counted(url):
        with CaptureQueriesContext(connection) as captured:
            response = admin_client_.get(url)
        assert response.status_code == 200
        return len(captured), response.context["page"]

    for n in range(5):
        CustomerFactory(officer=officer, name=f"页{n}")
    admin_client_.get(f"{LIST}?sort={sort}&q=页")  # the session settles, the count is kept
    first, page = counted(f"{LIST}?sort={sort}&q=页")
    second, page = counted(LIST + page.next_link)
    for n in range(40):
        CustomerFactory(officer=officer, name=f"页{n}多")
    third, _page = counted(LIST + page.next_link)
    assert first == second == third


def test_the_signal_list_walks_newest_first_by_keyset(officer_client, admin_client_, officer,
                                                      monkeypatch):
    monkeypatch.setattr(signal_views, "PAGE_SIZE", 2)
    customer = CustomerFactory(officer=officer)
    now = timezone.now()
    made = [RiskSignal.objects.create(customer=customer, source="manual", source_id=n,
                                      rule="other", raised_at=now - timedelta(hours=n % 3))
            for n in range(5)]  # raised at the same moment in pairs: the id breaks the tie
    expected = [s.pk for s in sorted(made, key=lambda s: (s.raised_at, s.pk), reverse=True)]
    url = reverse("customers:signal_list")
    page = officer_client.get(url).context["page"]
    seen = [s.pk for s in page]
    while page.has_next:
        page = officer_client.get(url + page.next_link).context["page"]
        seen += [s.pk for s in page]
    assert seen == expected and not page.count_is_estimate and page.count == 5
    back = officer_client.get(url + page.previous_link).context["page"]
    assert [s.pk for s in back] == expected[2:4]
    assert officer_client.get(url, {"after": "forged"}).status_code == 200
    assert admin_client_.get(url).context["page"].count_is_estimate
