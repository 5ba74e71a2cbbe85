"""Every kind of change between two checks of a subject, and no change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from customers.records.diff import compare, report_missing_year
from customers.records.providers import CheckData, EntryData

CASE = EntryData(kind="enforcement", case_number="（2026）京0108执1号", court="海淀法院",
                 amount=Decimal("125000.00"), filed_on=date(2026, 5, 1))
BASE = CheckData(checked_on=date(2026, 3, 1), licence_status="in_business",
                 annual_report_year=2024)


def _kinds(previous, current, is_company=True):
    return [(f.kind, f.serious) for f in compare(previous=previous, current=current,
                                                 is_company=is_company)]


def _later(**changes) -> CheckData:
    values = {"checked_on": date(2026, 4, 1), "licence_status": "in_business",
              "annual_report_year": 2024, **changes}
    return CheckData(**values)


def test_no_change_means_no_finding():
    with_case = _later(entries=(CASE,))
    assert _kinds(BASE, _later()) == []
    assert _kinds(with_case, _later(checked_on=date(2026, 5, 2), entries=(CASE,))) == []


def test_a_new_enforcement_case_is_serious():
    found = compare(previous=BASE, current=_later(entries=(CASE,)), is_company=True)
    assert [(f.kind, f.serious) for f in found] == [("new_case", True)]
    assert found[0].params == {"case": CASE.case_number, "court": "海淀法院",
                               "amount": "125000.00", "filed_on": "2026-05-01"}


def test_a_case_marked_closed_or_no_longer_listed_is_closed():
    before = _later(entries=(CASE,))
    closed = EntryData(kind="enforcement", case_number=CASE.case_number, closed=True)
    assert _kinds(before, _later(entries=(closed,))) == [("case_closed", False)]
    assert _kinds(before, _later()) == [("case_closed", False)]


def test_licence_status_changes():
    assert _kinds(BASE, _later(licence_status="revoked")) == [("licence_changed", True)]
    assert _kinds(BASE, _later(licence_status="cancelled")) == [("licence_changed", True)]
    assert _kinds(BASE, _later(licence_status="other")) == [("licence_changed", False)]
    unknown = _later(licence_status="")
    assert _kinds(unknown, _later(checked_on=date(2026, 5, 1))) == []
    assert _kinds(unknown, _later(checked_on=date(2026, 5, 1), licence_status="revoked")) == [
        ("licence_changed", True)]


def test_annual_report_missing_only_after_30_june_and_only_once():
    june = CheckData(checked_on=date(2026, 6, 30), licence_status="in_business",
                     annual_report_year=2024)
    july = CheckData(checked_on=date(2026, 7, 1), licence_status="in_business",
                     annual_report_year=2024)
    assert report_missing_year(june) is None and report_missing_year(july) == 2025
    assert _kinds(june, july) == [("annual_report_missing", False)]
    august = CheckData(checked_on=date(2026, 8, 1), licence_status="in_business",
                       annual_report_year=2024)
    assert _kinds(july, august) == []  # still missing: already found
    filed = CheckData(checked_on=date(2026, 8, 1), licence_status="in_business",
                      annual_report_year=2025)
    assert _kinds(july, filed) == []
    # A person files no annual report.
    assert _kinds(june, july, is_company=False) == []


def test_dishonest_restriction_and_abnormal_listing():
    dishonest = EntryData(kind="dishonest", case_number="（2026）京0108执2号")
    restriction = EntryData(kind="restriction", case_number="（2026）京0108执3号")
    assert _kinds(BASE, _later(entries=(dishonest,))) == [("newly_dishonest", True)]
    assert _kinds(BASE, _later(entries=(restriction,))) == [("new_restriction", False)]
    assert _kinds(BASE, _later(abnormal_listed=True)) == [("abnormal_listed", True)]
    assert _kinds(_later(abnormal_listed=True),
                  _later(checked_on=date(2026, 5, 1), abnormal_listed=True)) == []


def test_a_first_check_reports_what_the_bank_did_not_know():
    assert _kinds(None, BASE) == []
    assert _kinds(None, _later(entries=(CASE,), licence_status="revoked")) == [
        ("new_case", True), ("licence_changed", True)]


def test_the_task_key_names_the_fact_not_the_check():
    first = compare(previous=BASE, current=_later(entries=(CASE,)), is_company=True)[0]
    again = compare(previous=None, current=_later(checked_on=date(2026, 9, 1), entries=(CASE,)),
                    is_company=True)[0]
    assert first.source_key("c1") == again.source_key("c1") != first.source_key("c2")
