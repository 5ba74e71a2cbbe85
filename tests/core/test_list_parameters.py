"""Every list page reads its query parameters through a filter form: a value that does not parse
is left out and reported on the page — never a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.customers.factories import CustomerFactory
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS

pytestmark = pytest.mark.django_db

LISTS = {
    "customers:customer_list": ("q", "kind", "industry", "risk_group", "officer",
                                "classification", "overdue", "sort", "page"),
    "customers:customer_export": ("q", "industry", "officer", "sort"),
    "customers:ledger_export": ("q", "industry", "officer", "sort"),
    "accounts:user_list": ("q", "team", "role", "page"),
    "schedule:plan": ("weeks", "officer", "group", "overdue"),
}
BAD = ["abc", "-1", "0", "9" * 40, "²", "1e400", "2026-02-30", "a\x00b", "x" * 5000]


@pytest.mark.parametrize(("url", "name"), [(url, name) for url, names in LISTS.items()
                                           for name in names])
@pytest.mark.parametrize("value", BAD, ids=range(len(BAD)))
def test_a_bad_parameter_never_fails_the_list(admin_client_, url, name, value):
    response = admin_client_.get(reverse(url), {name: value})
    # NUL is refused for the whole request before any view reads it; an administrator's
    # export starts a job and goes to its page.
    assert response.status_code == (400 if "\x00" in value
                                    else 302 if url.endswith("_export") else 200)


@pytest.mark.parametrize(("url", "name"), [
    ("customers:customer_list", "industry"), ("customers:customer_list", "officer"),
    ("accounts:user_list", "team"), ("schedule:plan", "officer")])
def test_a_word_where_an_id_goes_is_reported_on_the_page(admin_client_, url, name):
    page = admin_client_.get(reverse(url), {name: "abc"}).content.decode()
    assert 'id="filter-errors"' in page
    assert "输入整数。" in page
    assert 'id="filter-errors"' not in admin_client_.get(reverse(url)).content.decode()


def test_a_bad_id_lists_as_if_it_were_absent(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    page = officer_client.get(reverse("customers:customer_list"),
                              {"industry": "1 OR 1=1", "overdue": "0"}).context["page"]
    assert [c.pk for c in page] == [customer.pk]


def test_the_plan_keeps_its_range_of_weeks(officer_client):
    def weeks(value: str) -> int:
        return officer_client.get(reverse("schedule:plan"), {"weeks": value}).context["weeks"]

    assert (weeks("3"), weeks("0"), weeks("99"), weeks(""), weeks("many")) == (3, 1, 26, 8, 8)


@HYPOTHESIS
@given(data=st.data())
def test_hostile_customer_list_parameters(admin_client_, data):
    names = LISTS["customers:customer_list"]
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    query = {name: data.draw(st.one_of(HOSTILE_NUMBER, HOSTILE_DATE, HOSTILE_TEXT), label=name)
             for name in chosen}
    expected = 400 if any("\x00" in str(v) for v in query.values()) else 200
    assert admin_client_.get(reverse("customers:customer_list"), query).status_code == expected
