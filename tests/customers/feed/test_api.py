"""Loan-status batches through the REST API: the same rules and the same job as the file."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from customers.feed.models import FeedRun
from customers.feed.services import feed_run_execute
from customers.models import Loan, RiskStateChange
from loanwatch.api.models import Scope
from tests.api.helpers import bearer, make_token
from tests.customers.factories import LoanFactory
from tests.factories import UserFactory

URL = "/api/v1/loan-status/"


def row(contract: str, **overrides) -> dict:
    values = {"contract_number": contract, "as_of": "2026-11-29", "balance": "750000.00",
              "days_past_due": 0, "next_due_on": "2026-12-21", "status": "active"}
    values.update(overrides)
    return values


@pytest.fixture
def feeder(admin_user):
    return bearer(make_token(admin_user, scopes=[Scope.FEED_WRITE], name="core banking")[1])


def post(client, rows, **headers):
    return client.post(URL, {"rows": rows}, content_type="application/json", headers=headers)


def test_a_batch_is_queued_as_a_run_and_its_status_polled(
        feeder, django_capture_on_commit_callbacks):
    loan = LoanFactory(contract_number="HT-1")
    with django_capture_on_commit_callbacks() as sent:
        response = post(feeder, [row("HT-1", balance=700000.5, days_past_due=12,
                                     principal_overdue="5000", classification="special_mention")])
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and response["Location"] == body["status_url"]
    assert len(sent) == 1  # the feed's job, sent once the run committed
    run = FeedRun.objects.get(pk=body["id"])
    assert run.file_name == "API core banking.jsonl" and run.uploaded_by is None
    feed_run_execute(run_id=run.pk)
    status = feeder.get(body["status_url"]).json()
    assert (status["status"], status["rows_read"], status["rows_applied"]) == ("applied", 1, 1)
    loan.refresh_from_db()
    assert (loan.balance, loan.days_past_due, loan.classification) == (
        Decimal("700000.50"), 12, "special_mention")
    assert RiskStateChange.objects.get(customer=loan.customer).source_id == run.pk


def test_the_same_batch_twice_changes_nothing(feeder):
    loan = LoanFactory(contract_number="HT-1")
    rows = [row("HT-1", balance="650000", days_past_due=40)]
    for _time in range(2):
        run_id = post(feeder, rows).json()["id"]
        feed_run_execute(run_id=run_id)
    runs = list(FeedRun.objects.order_by("pk").values_list("status", "rows_applied"))
    assert runs == [("applied", 1), ("applied", 0)]
    loan.refresh_from_db()
    assert loan.version == 1
    assert RiskStateChange.objects.count() == 1


def test_every_bad_row_is_named_and_nothing_is_queued(feeder):
    LoanFactory(contract_number="HT-1")
    response = post(feeder, [row("HT-1"), row("HT-2", balance="lots"),
                             row("HT-3", as_of="2026-02-30", status="?"), "not an object",
                             row("HT-1"), {"balance": "1"}])
    assert response.status_code == 400
    named = [(p["row"], p["column"]) for p in response.json()["rows"]]
    assert named == [(2, "贷款余额 balance"), (3, "数据日期 as of"), (3, "贷款状态 status"),
                     (4, ""), (5, "合同编号 contract number"),
                     (6, "合同编号 contract number"), (6, "数据日期 as of"),
                     (6, "贷款状态 status"), (6, "逾期天数 days past due")]
    assert not FeedRun.objects.exists()


def test_a_row_only_the_database_can_judge_is_reported_in_the_runs_status(feeder):
    LoanFactory(contract_number="HT-1")  # amount 1,000,000
    run_id = post(feeder, [row("HT-1", balance="2000000")]).json()["id"]
    feed_run_execute(run_id=run_id)
    status = feeder.get(f"{URL}{run_id}/").json()
    assert status["status"] == "rejected"
    assert [e["column"] for e in status["errors"]] == ["贷款余额 balance"]


@pytest.mark.parametrize("body", [{}, {"rows": []}, {"rows": "HT-1"}, [], "rows", None])
def test_a_body_that_is_no_batch_is_400(feeder, body):
    response = feeder.post(URL, body, content_type="application/json")
    assert response.status_code == 400


def test_a_batch_too_large_is_refused(feeder, settings):
    settings.API_FEED_BATCH_MAX_ROWS = 2
    response = post(feeder, [row("HT-1"), row("HT-2"), row("HT-3")])
    assert response.status_code == 400 and "At most 2 rows" in response.json()["detail"]


def test_an_idempotency_key_answers_a_retry_with_the_first_answer(feeder):
    LoanFactory(contract_number="HT-1")
    first = post(feeder, [row("HT-1")], **{"Idempotency-Key": "night-2026-11-29"})
    again = post(feeder, [row("HT-1")], **{"Idempotency-Key": "night-2026-11-29"})
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert FeedRun.objects.count() == 1
    other = post(feeder, [row("HT-1", balance="1")], **{"Idempotency-Key": "night-2026-11-29"})
    assert other.status_code == 422
    assert FeedRun.objects.count() == 1


def test_feed_write_alone_reads_nothing_else(feeder):
    assert feeder.get("/api/v1/loans/").status_code == 403


def test_a_batch_is_applied_by_the_worker(celery_worker):
    admin = UserFactory(role="admin")
    client = bearer(make_token(admin, scopes=[Scope.FEED_WRITE])[1])
    LoanFactory(contract_number="HT-1")
    status_url = post(client, [row("HT-1", balance="123", days_past_due=3)]).json()["status_url"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        if status["status"] not in ("queued", "running"):
            break
        time.sleep(0.2)
    assert status["status"] == "applied"
    assert Loan.objects.get().balance == Decimal("123.00")
