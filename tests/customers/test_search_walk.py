"""A search's page is the same whether the walk along the name order finds it or the search
indexes do: every page, forward and back, equals the matches sorted by (the name itself, names
starting with the term, the rest; name; id) and cut, recomputed here from the customers' own
names, identifiers and contract numbers."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from customers import selectors

from .factories import CustomerFactory, IndividualFactory, LoanFactory

pytestmark = pytest.mark.django_db

SIZE = 3


@pytest.fixture
def book(officer, officer_b):
    customers = []
    for n in range(18):  # two names in three contain 公司, spread along the name order
        name = f"丙{n:02d}机械" if n % 3 == 0 else f"丙{n:02d}贸易公司"
        customers.append(CustomerFactory(officer=officer if n % 2 else officer_b, name=name))
    for name in ("公司", "公司二部", "公司三部", "北京一号", "北京二号", "甲稀有名字", "戊稀有",
                 "Abc有限公司", "aBC贸易"):
        customers.append(CustomerFactory(officer=officer, name=name))
    customers.append(IndividualFactory(officer=officer_b, name="丁个人"))
    borrower = CustomerFactory(officer=officer_b, name="乙借款人")
    LoanFactory(customer=borrower, contract_number="HT-稀有-9")
    LoanFactory(customer=borrower, contract_number="ht-2025-x")
    return [*customers, borrower]


def _expected(customers, term: str) -> list[int]:
    """Every match in the list's order, from the customers' own fields."""
    wanted = term.upper()

    def matches(customer) -> bool:
        return any(wanted in text.upper() for text in (
            customer.name, customer.identifier,
            *(loan.contract_number for loan in customer.loans.all())))

    def rank(customer) -> int:
        name = customer.name.upper()
        return 0 if name == wanted else 1 if name.startswith(wanted) else 2

    found = [c for c in customers if matches(c)]
    return [c.pk for c in sorted(found, key=lambda c: (rank(c), c.name, c.pk))]


def _page(user, term: str, **token: str):
    query = QueryDict(mutable=True)
    query.update({"q": term, **token})
    return selectors.customer_list_page(user=user, query=query, size=SIZE, search=term)


@pytest.mark.parametrize("term", [
    "公司",  # common: most pages found by the walk
    "稀有",  # rare, in a name and a contract number: the walk falls short, the indexes answer
    "北京",  # only names starting with it
    "abc",  # a name itself and names starting with it, case aside
    "贸易公司",  # three characters or more: the trigram indexes' LIKE
    "91",  # every company's identifier (a resident ID has none)
    "ht-",  # contract numbers only
    "无此名",  # nothing
    "%_",  # LIKE's wildcards are plain characters in the walk too
])
@pytest.mark.parametrize("persona", ["admin_user", "officer"])
def test_every_page_forward_and_back_is_the_reference_slice(request, book, monkeypatch, term,
                                                             persona):
    monkeypatch.setattr(selectors, "SEARCH_WALK_ROWS", 6)
    walks: list[bool] = []
    walked_others = selectors._walked_others

    def counted(*args, **kwargs):
        rows = walked_others(*args, **kwargs)
        walks.append(rows is not None)
        return rows

    monkeypatch.setattr(selectors, "_walked_others", counted)
    user = request.getfixturevalue(persona)
    scope = set(selectors.customer_scope(user=user).values_list("pk", flat=True))
    expected = _expected([c for c in book if c.pk in scope], term)
    slices = [expected[i:i + SIZE] for i in range(0, len(expected), SIZE)] or [[]]

    pages = [_page(user, term)]
    while pages[-1].has_next:
        pages.append(_page(user, term, after=pages[-1].next_token))
    assert [[c.pk for c in page] for page in pages] == slices
    back = [pages[-1]]
    while back[-1].has_previous:
        back.append(_page(user, term, before=back[-1].previous_token))
    assert [[c.pk for c in page] for page in reversed(back)] == slices

    if term == "公司" and persona == "admin_user":
        assert any(walks)  # the walk found pages
    if term == "稀有" and persona == "admin_user":
        assert not all(walks)  # and left some to the indexes


def test_the_walk_stops_at_the_scope_s_end_without_the_indexes(officer, monkeypatch):
    """An officer's few customers: the walk reads them all and its matches are the answer."""
    for name in ("甲稀有", "乙", "丙"):
        CustomerFactory(officer=officer, name=name)
    monkeypatch.setattr(selectors, "SEARCH_WALK_ROWS", 50)
    page = _page(officer, "稀有")
    assert [c.name for c in page] == ["甲稀有"]
    assert selectors._walked_others(
        selectors.customer_list_for_user(user=officer), "稀有",
        selectors._list_columns(sort="name", search="")[0:2], None, SIZE + 1) is not None
