"""The feed's pages: the upload answers at once with a queued run; the run's page shows its
progress and then every bad row; the JSON the progress bar polls."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.feed.models import FeedRun, FeedSettings
from customers.feed.selectors import BANK_REVIEW_KEY, bank_review_count, classification_review
from customers.models import Classification, ClassificationFloor, Loan, RiskSignal
from tests.customers.factories import CustomerFactory, LoanFactory

from .helpers import csv_bytes, line, run_file

pytestmark = pytest.mark.django_db


def test_the_upload_stores_the_file_and_answers_at_once(admin_client_):
    LoanFactory(contract_number="HT-1")
    content = csv_bytes([line("HT-1", balance="1")])
    response = admin_client_.post(reverse("feed:upload"),
                                  {"file": SimpleUploadedFile("nightly.csv", content)})
    run = FeedRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feed:run_detail", kwargs={"pk": run.pk})
    # Not applied in the request: the job does it.
    assert (run.status, run.rows_read, bytes(run.content)) == ("queued", 0, content)
    page = admin_client_.get(response["Location"])
    assert b"loanwatch/run_progress.js" in page.content and b"nightly.csv" in page.content
    assert admin_client_.get(reverse("feed:run_progress", kwargs={"pk": run.pk})).json() == {
        "status": "queued", "status_label": "等待中", "rows_read": 0, "rows_checked": 0,
        "rows_applied": 0, "percent": 0, "done": False}


def test_a_rejected_run_shows_every_bad_row(admin_client_, admin_user):
    LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", balance="lots"), line("HT-2", status="?"),
                              line("HT-1")]), user=admin_user)
    page = admin_client_.get(reverse("feed:run_detail", kwargs={"pk": run.pk}))
    text = page.content.decode()
    assert 'id="feed-problems"' in text
    assert text.count("<tr><td>") == 3 and "“lots” is not a number." in text
    progress = admin_client_.get(reverse("feed:run_progress", kwargs={"pk": run.pk})).json()
    assert (progress["done"], progress["percent"], progress["status"]) == (True, 100, "rejected")


def test_the_upload_page_lists_recent_runs_in_a_fixed_number_of_queries(admin_client_,
                                                                         admin_user):
    run_file(csv_bytes([line("HT-9")]), user=admin_user)
    with CaptureQueriesContext(connection) as few:
        admin_client_.get(reverse("feed:upload"))
    for _ in range(5):
        run_file(csv_bytes([line("HT-9")]), user=admin_user)
    with CaptureQueriesContext(connection) as many:
        page = admin_client_.get(reverse("feed:upload"))
    assert page.content.decode().count("feed.csv") == 6
    assert len(many) == len(few)


def test_administrators_set_the_thresholds_the_next_run_uses(admin_client_):
    url = reverse("feed:settings")
    assert "30, 60, 90" in admin_client_.get(url).content.decode()
    bad = admin_client_.post(url, {"dpd_thresholds": "30, x", "serious_from": "60"})
    assert bad.status_code == 200 and FeedSettings.load().dpd_thresholds == [30, 60, 90]
    response = admin_client_.post(url, {"dpd_thresholds": "45，15 15", "serious_from": "45"})
    assert response.status_code == 302
    assert (FeedSettings.load().dpd_thresholds, FeedSettings.load().serious_from) == (
        [15, 45], 45)
    LoanFactory(contract_number="HT-1")
    run_file(csv_bytes([line("HT-1", days_past_due=50, classification="special_mention")]))
    signal = RiskSignal.objects.get(rule="feed_days_past_due")
    assert (signal.params["threshold"], signal.severity) == (45, "serious")


def test_the_classification_review_lists_what_a_person_must_classify(
        supervisor_client, supervisor, officer, officer_b):
    mine = CustomerFactory(officer=officer)
    behind = LoanFactory(customer=mine, contract_number="HT-1")             # 120 days, pass
    sibling = LoanFactory(customer=mine, contract_number="HT-2")            # pass beside it
    LoanFactory(customer=mine, contract_number="HT-3", classification="substandard",
                days_past_due=100)
    LoanFactory(contract_number="HT-9", customer=CustomerFactory(officer=officer_b))
    run_file(csv_bytes([line("HT-1", days_past_due=120), line("HT-9", days_past_due=120)]))
    with CaptureQueriesContext(connection) as queries:
        page = supervisor_client.get(reverse("feed:classification_review"))
    rows = page.content.decode()
    assert "HT-1" in rows and "HT-2" in rows
    assert "HT-3" not in rows and "HT-9" not in rows  # classified; another team's
    assert rows.count('class="review-loan"') == 2
    assert len(queries) < 12
    # Classified as the days require (here straight in the table, as a correction would): gone.
    Loan.objects.filter(pk__in=[behind.pk, sibling.pk]).update(classification="substandard")
    again = supervisor_client.get(reverse("feed:classification_review")).content.decode()
    assert "HT-1" not in again and "HT-2" not in again


def test_the_home_card_counts_the_review_for_supervisors_and_administrators(
        supervisor_client, admin_client_, officer, officer_b):
    LoanFactory(customer=CustomerFactory(officer=officer, name="甲公司"),
                contract_number="HT-1")
    LoanFactory(customer=CustomerFactory(officer=officer_b, name="乙公司"),
                contract_number="HT-9")
    home = reverse("core:home")
    assert 'id="classification-review-card"' not in supervisor_client.get(home).content.decode()
    run_file(csv_bytes([line("HT-1", days_past_due=120), line("HT-9", days_past_due=95)]))
    mine = supervisor_client.get(home, HTTP_ACCEPT_LANGUAGE="en")
    assert mine.context["review_count"] == 1
    text = mine.content.decode()
    assert 'id="classification-review-card"' in text and "HT-1" in text and "HT-9" not in text
    assert "120 days past due" in text
    bank = admin_client_.get(home, HTTP_ACCEPT_LANGUAGE="en")
    assert (bank.context["review_count"], bank.context["review_loans"]) == (2, [])
    assert reverse("feed:classification_review") in bank.content.decode()


def test_the_run_page_lists_loans_kept_below_their_floor_in_words(admin_client_, admin_user):
    LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", days_past_due=120)]), user=admin_user)
    page = admin_client_.get(reverse("feed:run_detail", kwargs={"pk": run.pk}),
                             HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert 'id="feed-below-floor"' in text and "substandard" in text
    assert 'id="feed-result"' in text


def test_the_banks_count_is_the_review_counted_by_hand_and_kept_a_minute(admin_user, officer,
                                                                         officer_b):
    """The administrator's count, taken as two index-led sets, is the number of loans the review
    lists, each once: past due beyond its floor, better than substandard beside a worse loan,
    both at once; not a loan classified as its days require, a closed or repaid one."""
    floors = sorted(ClassificationFloor.objects.values_list("days_past_due_over", "minimum"))
    ranks = {value: n for n, value in enumerate(Classification.values)}

    def required(days):
        found = [minimum for over, minimum in floors if days > over]
        return ranks[found[-1]] if found else 0

    a, b, c = (CustomerFactory(officer=o) for o in (officer, officer_b, officer))
    LoanFactory(customer=a, days_past_due=120, classification="pass")            # below floor
    LoanFactory(customer=a, days_past_due=0, classification="special_mention")   # beside worse
    LoanFactory(customer=a, days_past_due=400, classification="substandard")     # both
    LoanFactory(customer=b, days_past_due=30, classification="special_mention")  # as required
    LoanFactory(customer=b, days_past_due=200, classification="pass", status="closed")
    LoanFactory(customer=c, days_past_due=95, classification="pass", balance=Decimal("0"),
                amount=Decimal("100"))
    LoanFactory(customer=c, days_past_due=0, classification="pass")
    expected = 0
    for loan in Loan.objects.filter(status="active", balance__gt=0):
        rank = ranks[loan.classification]
        worse = Loan.objects.filter(customer_id=loan.customer_id,
                                    classification__in=["substandard", "doubtful", "loss"]
                                    ).exclude(pk=loan.pk).exists()
        expected += required(loan.days_past_due) > rank or (worse and rank < 2)
    assert expected == 3
    assert bank_review_count(user=admin_user) == expected
    assert len(classification_review(user=admin_user)) == expected
    LoanFactory(customer=c, days_past_due=100, classification="pass")
    assert bank_review_count(user=admin_user) == expected  # kept for a minute
    cache.delete(BANK_REVIEW_KEY)
    assert bank_review_count(user=admin_user) == expected + 1
