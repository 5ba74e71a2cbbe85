"""The loan-status feed applied: all or nothing, idempotent, set-based history and signals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from customers.feed.models import FeedRun
from customers.feed.services import feed_run_execute
from customers.feed.spec import FEED_SPEC
from customers.models import Loan, RiskSignal, RiskStateChange
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS

from .helpers import HEADERS_ZH, csv_bytes, jsonl_bytes, line, run_file, xlsx_bytes

pytestmark = pytest.mark.django_db


def _figures(loan: Loan) -> tuple:
    loan.refresh_from_db()
    return (loan.balance, loan.days_past_due, loan.principal_overdue, loan.interest_overdue,
            loan.next_due_on, loan.status, loan.classification, loan.last_feed_as_of)


def test_a_good_file_sets_every_owned_figure():
    loan = LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", balance="700,000.50", days_past_due=12,
                                   principal_overdue="5000", interest_overdue="321.5",
                                   next_due_on="2026/12/21", classification="special_mention")]))
    assert (run.status, run.rows_read, run.rows_checked, run.rows_applied) == (
        "applied", 1, 1, 1)
    assert _figures(loan) == (Decimal("700000.50"), 12, Decimal("5000.00"), Decimal("321.50"),
                              date(2026, 12, 21), "active", "special_mention",
                              date(2026, 11, 29))
    assert loan.version == 1
    assert run.finished_at and run.checksum and len(run.checksum) == 64


def test_bad_rows_are_each_named_and_nothing_is_applied():
    loans = [LoanFactory(contract_number=f"HT-{n}") for n in range(1, 7)]
    run = run_file(csv_bytes([
        line("HT-1", balance="1.00"),                                   # row 2: good
        line("HT-2", balance="lots"),                                   # row 3
        line("HT-3", balance="2000000"),                                # row 4: above amount
        line("HT-4", days_past_due=100, classification="pass"),         # row 5: below floor
        line("HT-5", matures_on="2024-01-01"),                          # row 6: before start
        line("HT-1", balance="2.00"),                                   # row 7: twice
        line("HT-6", as_of="2026-02-30", status="?"),                   # row 8: two cells
    ]))
    assert run.status == "rejected"
    assert [(p["row"], p["column"]) for p in run.errors] == [
        (3, "贷款余额 balance"), (4, "贷款余额 balance"), (5, "五级分类 classification"),
        (6, "到期日 matures on"), (7, "合同编号 contract number"), (8, "数据日期 as of"),
        (8, "贷款状态 status")]
    assert all(p["reason"] for p in run.errors)
    assert "row 2" in run.errors[4]["reason"]
    assert run.rows_applied == 0
    assert {_figures(loan)[0] for loan in loans} == {Decimal("800000.00")}
    assert not RiskStateChange.objects.exists()


def test_the_same_file_twice_changes_nothing():
    loan = LoanFactory(contract_number="HT-1")
    content = csv_bytes([line("HT-1", balance="1000", days_past_due=95,
                              classification="substandard")])
    first = run_file(content)
    after_first = _figures(loan), loan.version
    history = RiskStateChange.objects.count()
    signals = RiskSignal.objects.count()
    events = Loan.pgh_event_model.objects.count()
    second = run_file(content)
    assert (first.rows_applied, second.status, second.rows_applied) == (1, "applied", 0)
    assert (_figures(loan), loan.version) == after_first
    assert RiskStateChange.objects.count() == history == 1
    assert RiskSignal.objects.count() == signals == 1
    assert Loan.pgh_event_model.objects.count() == events


def test_an_older_as_of_is_refused_for_that_loan_while_the_rest_applies():
    old, other = LoanFactory(contract_number="HT-1"), LoanFactory(contract_number="HT-2")
    run_file(csv_bytes([line("HT-1", as_of="2026-11-29", balance="500")]))
    run = run_file(csv_bytes([line("HT-1", as_of="2026-11-28", balance="900"),
                              line("HT-2", as_of="2026-11-28", balance="900")]))
    assert run.status == "applied" and run.rows_applied == 1
    assert [(p["row"], p["column"]) for p in run.refused] == [(2, "数据日期 as of")]
    assert "2026-11-29" in run.refused[0]["reason"]
    assert _figures(old)[0] == Decimal("500.00")
    assert _figures(other)[0] == Decimal("900.00")


def test_unknown_contracts_are_listed_and_left_out():
    loan = LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-404"), line("HT-1", balance="10")]))
    assert run.status == "applied" and run.rows_applied == 1
    assert [(p["row"], p["column"]) for p in run.refused] == [(2, "合同编号 contract number")]
    assert _figures(loan)[0] == Decimal("10.00")


def test_a_gb18030_csv_with_chinese_headers_and_words():
    loan = LoanFactory(contract_number="合同-1")
    content = csv_bytes([line("合同-1", balance="123,456.00", status="结清", next_due_on="",
                              classification="关注", days_past_due=5)],
                        headers=HEADERS_ZH, encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    run = run_file(content)
    assert run.status == "applied", run.errors
    figures = _figures(loan)
    assert (figures[0], figures[5], figures[6]) == (Decimal("123456.00"), "settled",
                                                    "special_mention")
    assert figures[4] is None  # a settled loan has no next instalment left


def test_xlsx_with_typed_cells_and_json_lines():
    xl, js = LoanFactory(contract_number="HT-X"), LoanFactory(contract_number="HT-J")
    run = run_file(xlsx_bytes([["HT-X", date(2026, 11, 29), 4321.5, 0, 0, 3,
                                date(2026, 12, 1), date(2027, 1, 15), "active", "关注"]]),
                   name="feed.xlsx")
    assert run.status == "applied", run.errors
    assert _figures(xl)[:2] == (Decimal("4321.50"), 3)
    run = run_file(jsonl_bytes([line("HT-J", balance="99", days_past_due=1,
                                     classification="special_mention")]), name="feed.jsonl")
    assert run.status == "applied", run.errors
    assert _figures(js)[:2] == (Decimal("99.00"), 1)


def test_one_history_row_per_customer_per_run_naming_every_moved_field():
    customer = CustomerFactory()
    a = LoanFactory(customer=customer, contract_number="HT-A")
    b = LoanFactory(customer=customer, contract_number="HT-B")
    other = LoanFactory(contract_number="HT-C")
    run = run_file(csv_bytes([line("HT-A", balance="100"),
                              line("HT-B", balance="800000.00", days_past_due=2,
                                   classification="special_mention", interest_overdue="12"),
                              line("HT-C", balance="800000.00", next_due_on="")]))
    assert run.customers_changed == 1  # HT-C moved only its feed date: no risk-state change
    [row] = RiskStateChange.objects.all()
    assert (row.customer_id, row.source, row.source_id) == (customer.pk, "feed", run.pk)
    assert "sha256:" + run.checksum in row.reason
    moved = {(c["contract"], c["field"], c["before"], c["after"]) for c in row.changes}
    assert moved == {
        ("HT-A", "balance", "800000.00", "100.00"),
        ("HT-B", "days_past_due", "0", "2"),
        ("HT-B", "classification", "pass", "special_mention"),
        ("HT-B", "interest_overdue", "0.00", "12.00"),
        ("HT-A", "next_due_on", "", "2026-12-21"), ("HT-B", "next_due_on", "", "2026-12-21"),
    }
    assert {c["loan"] for c in row.changes} == {a.pk, b.pk}
    assert _figures(other)[7] == date(2026, 11, 29)


def test_days_past_due_over_a_threshold_raise_one_signal_per_crossing():
    loan = LoanFactory(contract_number="HT-1")
    quiet = LoanFactory(contract_number="HT-2")
    run_file(csv_bytes([line("HT-1", days_past_due=20, classification="special_mention"),
                        line("HT-2", days_past_due=10, classification="special_mention")]))
    assert set(RiskSignal.objects.values_list("rule", flat=True)) == {"feed_first_past_due"}
    RiskSignal.objects.all().delete()
    run = run_file(csv_bytes([line("HT-1", as_of="2026-11-30", days_past_due=95,
                                   classification="substandard"),
                              line("HT-2", as_of="2026-11-30", days_past_due=11,
                                   classification="special_mention")]))
    [signal] = RiskSignal.objects.all()
    assert run.signals_raised == 1
    assert (signal.customer_id, signal.source, signal.severity, signal.status) == (
        loan.customer_id, "feed", "serious", "open")
    assert signal.params["threshold"] == 90 and signal.params["contract"] == "HT-1"
    assert "HT-1" in signal.message and "95" in signal.message
    # The next night, still past due: nothing new. A warning threshold for the other loan.
    run_file(csv_bytes([line("HT-1", as_of="2026-12-01", days_past_due=96,
                             classification="substandard"),
                        line("HT-2", as_of="2026-12-01", days_past_due=31,
                             classification="special_mention")]))
    assert [(s.params["contract"], s.severity) for s in RiskSignal.objects.order_by("pk")] == [
        ("HT-1", "serious"), ("HT-2", "warning")]
    assert quiet.customer.risk_signals.count() == 1


def test_a_kept_classification_below_the_floor_is_listed():
    LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", days_past_due=120)]))
    assert run.status == "applied"
    assert [(b["contract"], b["classification"], b["floor"]) for b in run.below_floor] == [
        ("HT-1", "pass", "substandard")]


def test_a_customer_with_nothing_outstanding_is_closed():
    loan = LoanFactory(contract_number="HT-1")
    run_file(csv_bytes([line("HT-1", balance="0", status="settled")]))
    loan.customer.refresh_from_db()
    assert loan.customer.status == "closed"


def test_a_file_that_cannot_be_read_is_rejected_with_its_reason():
    run = run_file(b"\x00\x01garbage", name="feed.xlsx")
    assert run.status == "rejected" and run.errors[0]["row"] == 0


def test_a_run_already_started_is_left_alone():
    LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", balance="1")]))
    FeedRun.objects.filter(pk=run.pk).update(status="running")
    assert feed_run_execute(run_id=run.pk).status == "running"


def test_the_command_applies_a_file_with_progress_on_the_terminal(tmp_path, capsys):
    loan = LoanFactory(contract_number="HT-1")
    path = tmp_path / "nightly.csv"
    path.write_bytes(csv_bytes([line("HT-1", balance="42")]))
    call_command("loan_feed", str(path))
    out = capsys.readouterr().out
    assert "read 1" in out and "checked 1" in out and "applied 1" in out
    assert _figures(loan)[0] == Decimal("42.00")
    path.write_bytes(csv_bytes([line("HT-1", balance="x")]))
    with pytest.raises(CommandError):
        call_command("loan_feed", str(path))
    assert "row 2" in capsys.readouterr().out


@HYPOTHESIS
@given(cells=st.fixed_dictionaries({
    "contract_number": HOSTILE_TEXT, "as_of": HOSTILE_DATE, "balance": HOSTILE_NUMBER,
    "principal_overdue": HOSTILE_NUMBER, "days_past_due": HOSTILE_NUMBER,
    "next_due_on": HOSTILE_DATE, "status": HOSTILE_TEXT, "classification": HOSTILE_TEXT}))
def test_hostile_cells_are_named_or_applied_never_an_error(cells):
    if not Loan.objects.filter(contract_number="HT-H").exists():
        LoanFactory(contract_number="HT-H")
    row = dict(zip([c.key for c in FEED_SPEC.columns], line("HT-H"), strict=True))
    row.update({k: str(v) for k, v in cells.items()})
    run = run_file(jsonl_bytes([[row[c.key] for c in FEED_SPEC.columns]]), name="feed.jsonl")
    assert run.status in {"applied", "rejected"}
    assert run.status == "applied" or (run.errors and all(p["reason"] for p in run.errors))


def test_the_loans_history_names_the_run_the_file_and_its_checksum():
    LoanFactory(contract_number="HT-1")
    run = run_file(csv_bytes([line("HT-1", balance="5")]), name="nightly.csv")
    event = Loan.pgh_event_model.objects.filter(pgh_label="update").select_related(
        "pgh_context").get()
    assert event.balance == Decimal("5.00")
    assert {k: event.pgh_context.metadata[k] for k in ("feed_run", "file", "checksum")} == {
        "feed_run": run.pk, "file": "nightly.csv", "checksum": run.checksum}


def test_each_fact_raises_its_signal_once():
    amortising = LoanFactory(contract_number="HT-A", repayment_method="equal_instalments")
    LoanFactory(contract_number="HT-M", matures_on=date(2026, 11, 1))
    LoanFactory(contract_number="HT-I")
    LoanFactory(contract_number="HT-J")
    night = [line("HT-A", balance="800000.01", as_of="2026-11-29"),        # balance rising
             line("HT-M", balance="5000", matures_on="2026-11-01"),        # matured, unpaid
             line("HT-I", interest_overdue="88.80"),                       # interest arrears
             line("HT-J", days_past_due=2, classification="special_mention")]  # first past due
    run = run_file(csv_bytes(night))
    raised = {(s.params["contract"], s.rule, s.severity) for s in RiskSignal.objects.all()}
    assert raised == {("HT-A", "feed_balance_rising", "warning"),
                      ("HT-M", "feed_matured_unpaid", "serious"),
                      ("HT-I", "feed_interest_arrears", "warning"),
                      ("HT-J", "feed_first_past_due", "notice")}
    assert run.signals_raised == 4
    assert all(s.message and "%(" not in s.message for s in RiskSignal.objects.all())
    # The next night the same facts still hold: nothing new.
    run_file(csv_bytes([[*row[:1], "2026-11-30", *row[2:]] for row in night]))
    assert RiskSignal.objects.count() == 4
    assert amortising.customer.risk_signals.get().params["after"] == "800000.01"
