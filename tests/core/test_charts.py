"""Portfolio charts: each figure equals the same figure counted here from known data, in the
user's scope; the table and the CSV carry the same numbers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Loan, RiskGroup
from reports.models import RiskReport
from tests.customers.factories import CustomerFactory, LoanFactory
from visits.schedule.models import RevisitTask

pytestmark = pytest.mark.django_db


def _json(client, key: str, **params) -> dict:
    response = client.get(reverse("core:chart_json", args=[key]), params,
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json()


def _series(figures: dict, label: str) -> dict:
    (series,) = [s for s in figures["series"] if s["label"] == label]
    return dict(zip(figures["labels"], series["values"], strict=True))


@pytest.fixture
def book(officer, officer_b):
    """Officer A: two normal customers, one high-risk; officer B (other team): one normal."""
    high = RiskGroup.objects.get(code="high")
    for n, group in enumerate([None, None, high]):
        customer = CustomerFactory(officer=officer, **({"risk_group": group} if group else {}))
        LoanFactory(customer=customer, balance=Decimal("100000.00") * (n + 1),
                    classification="special_mention" if n == 2 else "pass",
                    days_past_due=5 if n == 2 else 0)
    LoanFactory(customer=CustomerFactory(officer=officer_b), balance=Decimal("999999.00"))


def test_risk_group_figures_count_only_the_users_customers(officer_client, book):
    figures = _json(officer_client, "risk-groups")
    customers = _series(figures, "customers")
    balance = _series(figures, "outstanding balance (CNY)")
    assert sum(customers.values()) == 3
    high = next(label for label in figures["labels"] if "High" in label or "high" in label)
    assert customers[high] == 1 and balance[high] == 300000.0
    assert sum(balance.values()) == 600000.0  # officer B's loan is not here


def test_amounts_on_charts_follow_the_readers_unit(officer_client, officer, book):
    officer_client.post(reverse("accounts:preferences"), {"amount_unit": "wan"})
    balance = _series(_json(officer_client, "risk-groups"), "outstanding balance (CNY 10,000)")
    assert sum(balance.values()) == 60.0  # 10 + 20 + 30 ten thousands


def test_supervisor_and_admin_see_their_scopes(supervisor_client, admin_client_, book):
    assert sum(_series(_json(supervisor_client, "classifications"), "loans").values()) == 3
    loans = _series(_json(admin_client_, "classifications"), "loans")
    assert sum(loans.values()) == Loan.objects.count() == 4
    assert loans["special mention"] == 1


def test_classification_migration_reads_the_audit_trail(officer_client, officer):
    loan = LoanFactory(customer=CustomerFactory(officer=officer), classification="pass")
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    with connection.cursor() as cursor:  # the loan was created ten days ago
        cursor.execute("UPDATE customers_loanevent SET pgh_created_at = %s WHERE pgh_obj_id = %s",
                       [ten_days_ago, loan.pk])
    loan.classification, loan.days_past_due = "substandard", 95
    loan.save()
    today = timezone.localdate()
    figures = _json(officer_client, "classification-migration",
                    **{"from": (today - datetime.timedelta(days=5)).isoformat(),
                       "to": today.isoformat()})
    matrix = {s["label"]: dict(zip(figures["labels"], s["values"], strict=True))
              for s in figures["series"]}
    assert matrix["pass"]["substandard"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 1


def test_csv_holds_the_same_numbers_for_a_spreadsheet(officer_client, book):
    response = officer_client.get(reverse("core:chart_csv", args=["classifications"]),
                                  HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[1:] == ["正常", "关注", "次级", "可疑", "损失"]
    assert lines[1].split(",")[1:3] == ["2", "1"]


def test_dashboard_lists_every_chart_and_an_unknown_one_is_not_found(officer_client):
    page = officer_client.get(reverse("core:dashboard")).content.decode()
    for key in ("risk-groups", "classifications", "classification-migration", "warnings",
                "on-time-by-month", "on-time-by-officer", "overdue-by-week"):
        assert f'id="chart-{key}"' in page
    assert officer_client.get(reverse("core:chart_json", args=["nothing"])).status_code == 404


def test_chart_queries_do_not_grow_with_the_book(officer_client, officer,
                                                 django_assert_max_num_queries):
    def count(key: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            officer_client.get(reverse("core:chart_json", args=[key]))
        return len(captured)

    LoanFactory(customer=CustomerFactory(officer=officer))
    small = {key: count(key) for key in ("risk-groups", "classifications",
                                         "classification-migration", "warnings",
                                         "on-time-by-month", "on-time-by-officer",
                                         "overdue-by-week")}
    for _ in range(20):
        LoanFactory(customer=CustomerFactory(officer=officer))
    assert {key: count(key) for key in small} == small


def test_on_time_rate_counts_visits_made_by_the_due_date(officer_client, officer, officer_b):
    now = timezone.now()
    due = timezone.localdate()
    for owner, closed_days_after_due in ((officer, -3), (officer, 4), (officer_b, -1)):
        RevisitTask.objects.create(
            customer=CustomerFactory(officer=owner), officer=owner, reason="manual",
            due_on=due - datetime.timedelta(days=closed_days_after_due), status="done",
            closed_at=now)
    by_month = _json(officer_client, "on-time-by-month")
    this_month = timezone.localdate().strftime("%b %Y")  # the axis as English writes it
    assert _series(by_month, "visited by the due date (%)")[this_month] == 50.0
    assert _series(by_month, "tasks closed by a visit")[this_month] == 2
    by_officer = _json(officer_client, "on-time-by-officer")
    assert list(_series(by_officer, "tasks closed by a visit").values()) == [2]


def test_overdue_tasks_are_counted_at_each_week_end(officer_client, officer):
    today = timezone.localdate()
    task = RevisitTask.objects.create(customer=CustomerFactory(officer=officer), officer=officer,
                                      reason="manual", due_on=today - datetime.timedelta(days=3))
    RevisitTask.objects.filter(pk=task.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30))
    figures = _json(officer_client, "overdue-by-week")
    values = _series(figures, "overdue tasks")
    assert len(values) == 26 and list(values.values())[-1] == 1
    assert list(values.values())[0] == 0  # half a year ago it did not exist


def test_warnings_count_approved_reports_by_level(officer_client, officer, officer_b,
                                                  supervisor):
    for owner, status, level in ((officer, "approved", "red"), (officer, "approved", "red"),
                                 (officer, "approved", "yellow"), (officer, "draft", "red"),
                                 (officer_b, "approved", "red")):
        RiskReport.objects.create(
            customer=CustomerFactory(officer=owner), author=owner, status=status,
            warning_level=level, submitted_at=timezone.now(),
            decided_at=timezone.now() if status == "approved" else None,
            decided_by=supervisor if status == "approved" else None)
    figures = _json(officer_client, "warnings")
    this_month = timezone.localdate().strftime("%b %Y")  # the axis as English writes it
    assert _series(figures, "red")[this_month] == 2
    assert _series(figures, "yellow")[this_month] == 1


@pytest.mark.parametrize(("day", "reason"), [
    ("2026-02-30", "Enter a valid date."), ("2026-13-01", "Enter a valid date."),
    ("9999-12-31", "Ensure this value is less than or equal to 2999-12-31.")])
def test_a_date_that_cannot_be_read_is_refused_by_name(officer_client, day, reason):
    url = reverse("core:chart_json", args=["classification-migration"])
    response = officer_client.get(url, {"from": day}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == [f"from: {reason}"]
    csv = officer_client.get(reverse("core:chart_csv", args=["classification-migration"]),
                             {"to": day}, HTTP_ACCEPT_LANGUAGE="en")
    assert csv.status_code == 400 and csv.content.decode() == f"to: {reason}"
    chinese = officer_client.get(url, {"from": day}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 400 and chinese.json()["errors"][0].startswith("从: ")


def test_a_chart_without_parameters_ignores_the_query(officer_client):
    response = officer_client.get(reverse("core:chart_json", args=["risk-groups"]),
                                  {"from": "2026-02-30", "weeks": str(10**30)})
    assert response.status_code == 200


def test_the_five_classifications_keep_their_colours_and_officers_are_told_apart(
        admin_client_, officer, officer_b, book):
    figures = _json(admin_client_, "classifications")
    colours = dict(zip(figures["labels"], figures["label_colours"], strict=True))
    assert colours["pass"] == "#198754" and colours["loss"] == "#58151C"
    assert len(set(colours.values())) == 5
    # The same category has the same colour whatever else the scope holds.
    assert _json(admin_client_, "classifications")["label_colours"] == figures[
        "label_colours"]
    for owner in (officer, officer_b):
        RevisitTask.objects.create(customer=CustomerFactory(officer=owner), officer=owner,
                                   reason="manual", due_on=timezone.localdate(), status="done",
                                   closed_at=timezone.now())
    officers = _json(admin_client_, "on-time-by-officer")
    assert len(officers["labels"]) == 2
    assert len(set(officers["label_colours"])) == 2


def test_dates_on_the_axes_are_written_in_the_readers_language(officer_client, officer):
    RevisitTask.objects.create(customer=CustomerFactory(officer=officer), officer=officer,
                               reason="manual", due_on=timezone.localdate(), status="done",
                               closed_at=timezone.now())
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=6 - today.weekday())
    zh = {key: officer_client.get(reverse("core:chart_json", args=[key]),
                                  HTTP_ACCEPT_LANGUAGE="zh-hans").json()
          for key in ("on-time-by-month", "warnings", "overdue-by-week")}
    assert f"{today.year}年{today.month}月" in zh["on-time-by-month"]["labels"]
    assert zh["warnings"]["labels"][-1] == f"{today.year}年{today.month}月"
    assert zh["overdue-by-week"]["labels"][-1] == (
        f"{week_end.year}年{week_end.month}月{week_end.day}日")
    en = _json(officer_client, "overdue-by-week")
    assert en["labels"][-1] == f"{week_end.day} {week_end:%b} {week_end.year}"
