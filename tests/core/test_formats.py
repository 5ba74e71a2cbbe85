"""Figures and dates in the bank's formats, in both languages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from customers.models import Customer
from loanwatch.core.audit import history_for
from tests.customers.factories import CustomerFactory
from tests.visits.factories import VisitFactory

AMOUNT = Template('{{ amount|floatformat:"2g" }}')
WHEN = Template('{{ when|date:"SHORT_DATETIME_FORMAT" }}|{{ when|date:"SHORT_DATE_FORMAT" }}')


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_amounts_are_grouped_by_thousands_in_both_languages(language):
    with translation.override(language):
        assert AMOUNT.render(Context({"amount": Decimal("24080000")})) == "24,080,000.00"
        assert AMOUNT.render(Context({"amount": Decimal("-2408.5")})) == "-2,408.50"
        assert AMOUNT.render(Context({"amount": Decimal("0")})) == "0.00"


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hans", "2026年11月30日 14:05|2026年11月30日"),
    ("en", "30 Nov 2026 14:05|30 Nov 2026"),
])
def test_dates_in_the_banks_time_zone_and_the_readers_language(language, expected):
    when = datetime.datetime(2026, 11, 30, 6, 5, tzinfo=datetime.UTC)  # 14:05 in Shanghai
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert WHEN.render(Context({"when": when})) == expected


@pytest.mark.django_db
def test_the_history_panel_shows_times_as_the_pages_do_and_no_paths(officer):
    customer = CustomerFactory(officer=officer)
    Customer.objects.filter(pk=customer.pk).update(
        warning_since=datetime.datetime(2026, 11, 30, 6, 5, tzinfo=datetime.UTC))
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        entries = history_for(obj=customer)
    shown = [c.new for e in entries for c in e.changes if c.label == "warning since"]
    assert shown == ["30 Nov 2026 14:05"]
    assert all(entry.source == "" for entry in entries)


@pytest.mark.django_db
def test_the_history_panel_groups_figures_as_the_pages_do(officer):
    customer = CustomerFactory(officer=officer, registered_capital=Decimal("10000000"))
    with translation.override("zh-hans"):
        entries = history_for(obj=customer)
    shown = [c.new for e in entries for c in e.changes if c.label == "注册资本（元）"]
    assert shown == ["10,000,000.00"]


@pytest.mark.django_db
def test_a_visit_is_named_by_its_day_as_the_reader_writes_it(officer):
    """A visit names itself in history panels and choices: the day never in ISO form."""
    visit = VisitFactory(customer=CustomerFactory(officer=officer, name="华信机械"),
                         officer=officer, visited_on=datetime.date(2026, 9, 18))
    with translation.override("zh-hans"):
        assert str(visit) == "华信机械 · 2026年9月18日"
    with translation.override("en"):
        assert str(visit) == "华信机械 · 18 Sep 2026"
