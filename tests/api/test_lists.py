"""The read-only lists: what each shows, its filters, its cursor pages and their cost."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from customers.models import Customer, RiskSignal
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.hostile import URL_VALUES
from tests.reports.factories import submitted_report, submitted_visit
from tests.visits.factories import VisitFactory

LISTS = ["customers", "loans", "signals", "visits", "reports", "warnings"]


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_customers_show_what_the_warehouse_needs_and_no_contact_details(reader, officer):
    customer = CustomerFactory(officer=officer, phone="13800000000", wechat="wx-secret",
                               address="某市某路1号")
    row = reader.get("/api/v1/customers/").json()["results"][0]
    assert row["id"] == customer.pk
    assert row["team"] == officer.team.code and row["officer"] == officer.username
    assert row["identifier"] == customer.identifier
    assert not {"phone", "wechat", "address", "registered_address"} & set(row)
    assert reader.get(f"/api/v1/customers/{customer.pk}/").json()["name"] == customer.name


def test_the_filters_narrow_the_lists(reader, officer, officer_b):
    mine = CustomerFactory(officer=officer)
    theirs = CustomerFactory(officer=officer_b, status=Customer.Status.CLOSED)
    loan = LoanFactory(customer=mine, status="active")
    LoanFactory(customer=theirs, status="settled")
    assert _ids(reader.get(f"/api/v1/customers/?team={officer.team_id}")) == [mine.pk]
    assert _ids(reader.get(f"/api/v1/customers/?officer={officer_b.pk}")) == [theirs.pk]
    assert _ids(reader.get("/api/v1/customers/?status=closed")) == [theirs.pk]
    assert _ids(reader.get(f"/api/v1/loans/?customer={mine.pk}")) == [loan.pk]
    assert _ids(reader.get(f"/api/v1/loans/?team={officer.team_id}&status=active")) == [loan.pk]


def test_changed_since_reads_the_audit_trail(reader, officer):
    old, changed = CustomerFactory(officer=officer), CustomerFactory(officer=officer)
    Customer.pgh_event_model.objects.update(pgh_created_at=timezone.now() - timedelta(days=2))
    since = (timezone.now() - timedelta(days=1)).isoformat()
    Customer.objects.filter(pk=changed.pk).update(name="改名后的企业有限公司")
    assert _ids(reader.get("/api/v1/customers/", {"changed_since": since})) == [changed.pk]
    assert old.pk in _ids(reader.get("/api/v1/customers/"))


def test_visits_are_the_submitted_ones_and_reports_the_sent_ones(reader, officer, supervisor):
    customer = CustomerFactory(officer=officer)
    VisitFactory(customer=customer)  # a draft: the officer's own
    visit = submitted_visit(customer=customer)
    assert _ids(reader.get("/api/v1/visits/")) == [visit.pk]
    report = submitted_report(officer=officer, customer=customer)
    assert report.pk in _ids(reader.get("/api/v1/reports/?status=submitted"))
    assert _ids(reader.get("/api/v1/warnings/")) == []  # nothing approved yet


def test_signals_list(reader, officer):
    customer = CustomerFactory(officer=officer)
    signal = RiskSignal.objects.create(customer=customer, source=RiskSignal.Source.MANUAL,
                                       rule="manual", severity=RiskSignal.Severity.SERIOUS)
    assert _ids(reader.get("/api/v1/signals/?severity=serious")) == [signal.pk]
    assert _ids(reader.get("/api/v1/signals/?severity=notice")) == []


def _cursor(url: str | None) -> str | None:
    return parse_qs(urlsplit(url).query)["cursor"][0] if url else None


def test_a_cursor_walk_is_stable_while_rows_are_added(reader, officer):
    """Rows added during the walk come at the end: every row that was there when it started is
    seen exactly once, whether the new rows go in before or after the page being read."""
    first = [CustomerFactory(officer=officer).pk for _n in range(25)]
    seen: list[int] = []
    response = reader.get("/api/v1/customers/", {"page_size": 10})
    added: list[int] = []
    while True:
        seen += _ids(response)
        # Rows inserted between the pages, with names that sort before everyone else's.
        added += [CustomerFactory(officer=officer, name=f"阿{len(added)}").pk for _n in range(3)]
        cursor = _cursor(response.json()["next"])
        if cursor is None or len(seen) > 100:
            break
        response = reader.get("/api/v1/customers/", {"page_size": 10, "cursor": cursor})
    assert seen[:25] == first
    assert len(seen) == len(set(seen))
    assert set(first) <= set(seen)


@pytest.mark.parametrize("size", [3, 30])
def test_each_list_costs_the_same_queries_whatever_its_size(reader, officer, supervisor,
                                                           django_assert_num_queries, size):
    for _n in range(size):
        customer = CustomerFactory(officer=officer)
        LoanFactory(customer=customer)
        submitted_visit(customer=customer)
        RiskSignal.objects.create(customer=customer, source=RiskSignal.Source.MANUAL,
                                  rule="manual")
    # Per list: the token, its last use at most once a minute (not here: just used), the page,
    # the recorded call.
    reader.get("/api/v1/customers/")
    for name in LISTS:
        with django_assert_num_queries(3):
            assert reader.get(f"/api/v1/{name}/").status_code == 200


PARAMETERS = {
    "customers": ["team", "officer", "status", "warning_level"],
    "loans": ["customer", "team", "officer", "status", "classification"],
    "signals": ["customer", "team", "officer", "status", "severity", "raised_since"],
    "visits": ["customer", "team", "officer", "method", "visited_from", "visited_to"],
    "reports": ["customer", "team", "officer", "status", "kind", "warning_level",
                "decided_since"],
    "warnings": ["customer", "team", "status", "decided_since"],
    "changes": ["limit"],
}


@pytest.mark.parametrize("name", PARAMETERS)
def test_hostile_parameters_are_refused_with_400_never_a_server_error(reader, officer,
                                                                      unthrottled, name):
    CustomerFactory(officer=officer)
    common = ["cursor"] if name == "changes" else ["cursor", "page_size", "changed_since"]
    for parameter in PARAMETERS[name] + common:
        for value in (*URL_VALUES, "9" * 40, "2026-11-30T25:00:00"):
            response = reader.get(f"/api/v1/{name}/", {parameter: value})
            assert response.status_code in (200, 400), (parameter, value)
    if name != "changes":
        assert reader.get(f"/api/v1/{name}/{10**30}/").status_code == 404


def test_a_large_team_id_or_unknown_id_finds_nothing_rather_than_failing(reader):
    assert reader.get("/api/v1/customers/999999/").status_code == 404
    assert reader.get(f"/api/v1/customers/?team={2**31 - 1}").json()["results"] == []
