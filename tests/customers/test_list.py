"""The customer list at scale: the page's figures are read with its rows from the figures the
database keeps, the officer menus are written without the template loop, and the query count is
pinned."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import selectors, views
from customers.services import officers_assignable_by
from loanwatch.accounts.roles import Role
from tests.factories import UserFactory

from .factories import CustomerFactory, IndividualFactory, LoanFactory

pytestmark = pytest.mark.django_db
FIGURES = ("loan_count", "total_balance", "max_days_past_due", "worst_rank")


def _book(officer) -> None:
    for n in range(7):
        customer = CustomerFactory(officer=officer, name=f"列表客户{n}",
                                   warning_level="yellow" if n % 2 else "none")
        for k in range(n % 3):  # none, one or two loans
            LoanFactory(customer=customer, balance=Decimal(1000 * (n + k + 1)),
                        days_past_due=30 * k, disbursed_on=datetime.date(2025, 1, 1 + n),
                        classification="special_mention" if k else "pass")


@pytest.mark.parametrize("sort", [*selectors.SORTS, "unknown"])
def test_the_page_shows_the_figures_and_order_the_full_annotation_gives(officer, officer_client,
                                                                        sort):
    _book(officer)
    expected = [(c.pk, *(getattr(c, f) for f in FIGURES))
                for c in selectors.customer_list_for_user(user=officer, sort=sort)]
    page = officer_client.get(reverse("customers:customer_list"), {"sort": sort}).context["page"]
    assert [(c.pk, *(getattr(c, f) for f in FIGURES)) for c in page] == expected
    assert (0, Decimal("0"), 0, -1) in [row[1:] for row in expected]  # a customer without loans


def _walk(client, query, *, link):
    """Every page of the list, following the page's `link` ("next_link" or "previous_link")
    from the page the query string `query` opens."""
    pages = []
    page = client.get(reverse("customers:customer_list") + query).context["page"]
    while True:
        pages.append([(c.pk, *(getattr(c, f) for f in FIGURES)) for c in page])
        if not getattr(page, "has_" + link.split("_")[0]):
            return pages, page
        page = client.get(reverse("customers:customer_list") + getattr(page, link)
                          ).context["page"]


@pytest.mark.parametrize("sort", [*selectors.SORTS, "unknown"])
def test_next_and_previous_walk_the_whole_order_with_each_page_s_figures(
        officer, officer_client, monkeypatch, sort):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    _book(officer)
    CustomerFactory(officer=officer, name="列表客户3")  # a name twice: the id breaks the tie
    expected = [(c.pk, *(getattr(c, f) for f in FIGURES))
                for c in selectors.customer_list_for_user(user=officer, sort=sort)]
    forward, last = _walk(officer_client, f"?sort={sort}", link="next_link")
    assert [row for page in forward for row in page] == expected
    assert [len(page) for page in forward] == [3, 3, 2]
    backward, first = _walk(officer_client, last.previous_link, link="previous_link")
    assert [row for page in backward[::-1] for row in page] == expected[:6]
    assert first.has_next and not first.has_previous


def test_the_officer_menus_name_every_officer_escaped_with_the_team(admin_client_, officer,
                                                                    officer_b):
    odd = UserFactory(username="odd", full_name='<b>"冯"</b>', team=officer.team,
                      role=Role.OFFICER)
    UserFactory(username="gone", team=officer.team, role=Role.OFFICER, is_active=False)
    CustomerFactory(officer=officer_b)  # the reassignment menu comes with a row to reassign
    html = admin_client_.get(reverse("customers:customer_list"),
                             {"officer": officer_b.pk}).content.decode()
    assert f'<option value="{officer_b.pk}" selected>{officer_b}</option>' in html
    assert f'<option value="{officer.pk}">{officer} ({officer.team.code})</option>' in html
    assert f'<option value="{odd.pk}">&lt;b&gt;&quot;冯&quot;&lt;/b&gt;</option>' in html
    assert "<b>\"冯\"</b>" not in html and ">gone<" not in html


def test_the_menus_offer_whom_the_user_may_assign(officer, officer_b, supervisor, admin_user):
    for user in (officer, supervisor, admin_user):
        assert [(o.pk, str(o)) for o in selectors.officer_choices_for_user(user=user)] == \
            [(o.pk, str(o)) for o in officers_assignable_by(user=user)]


# session, user, page (its figures come with it, kept per customer), count, industries, risk
# groups; and the officers for those who may choose among them.
@pytest.mark.parametrize(("persona", "query", "queries"), [
    ("officer_client", {}, 6), ("supervisor_client", {}, 7), ("admin_client_", {}, 7),
    # searched: the names starting with the term, the other matches (ids only), then the rows
    ("admin_client_", {"q": "列表"}, 9),
    ("admin_client_", {"kind": "corporate", "overdue": "1"}, 7),
    ("supervisor_client", {"warning": "any"}, 7),  # on the customer's own column: no join
    # sorted by a figure: the same one query as by name, along the figures' index
    ("admin_client_", {"sort": "-balance"}, 7),
    ("admin_client_", {"sort": "officer"}, 7),
])
def test_the_list_costs_a_pinned_number_of_queries(request, officer, persona, query, queries):
    client = request.getfixturevalue(persona)
    _book(officer)
    client.get(reverse("customers:customer_list"))  # the session settles
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("customers:customer_list"), query).status_code == 200
    assert len(captured) == queries, "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.parametrize(("term", "found"), [
    ("贸易", {"上海贸易有限公司", "HT-贸易-1"}),  # two characters: the piece indexes
    ("贸", {"上海贸易有限公司", "HT-贸易-1"}),
    ("贸易有限", {"上海贸易有限公司"}),  # three or more: the trigram indexes
    ("ht-贸", {"HT-贸易-1"}),  # case does not matter
    ("Xy", {"XY机械"}),  # two letters with case: LIKE
    ("%_", set()),  # LIKE's wildcards are plain characters
    ("91", {"上海贸易有限公司", "XY机械", "HT-贸易-1"}),  # every identifier starts with 91
])
def test_search_matches_name_identifier_or_contract_number(officer, term, found):
    CustomerFactory(officer=officer, name="上海贸易有限公司")
    CustomerFactory(officer=officer, name="XY机械")
    LoanFactory(customer=CustomerFactory(officer=officer, name="HT-贸易-1"),
                contract_number="ht-贸易-1")
    IndividualFactory(officer=officer, name="无关公司")  # a resident ID: no "91" in it
    names = {c.name for c in selectors.customer_list_for_user(user=officer, search=term)}
    assert names == found
