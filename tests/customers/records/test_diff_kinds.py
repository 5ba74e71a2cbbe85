"""Each newer kind of public record compared with the previous reading: new, changed, resolved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import translation

from customers.records.diff import Thresholds, compare, finding_message
from customers.records.providers import CheckData, EntryData

BEFORE = date(2026, 3, 1)
AFTER = date(2026, 4, 1)
LOW = Thresholds(lawsuit=Decimal("1000000"), penalty=Decimal("100000"), tax=Decimal("100000"))


def _read(on=AFTER, *entries, **fields) -> CheckData:
    fields = {"licence_status": "in_business", "annual_report_year": 2025, **fields}
    return CheckData(checked_on=on, entries=tuple(entries), **fields)


def _kinds(previous, current, is_company=True, thresholds=LOW):
    return [(f.kind, f.serious) for f in compare(previous=previous, current=current,
                                                 is_company=is_company,
                                                 thresholds=thresholds)]


def _entry(kind, number="N1", amount="50000", **more) -> EntryData:
    return EntryData(kind=kind, case_number=number, court="海淀法院",
                     amount=Decimal(amount) if amount is not None else None, **more)


# --- Lawsuits as defendant ---------------------------------------------------------------------

def test_a_new_lawsuit_is_serious_from_the_threshold_or_when_judged():
    small = _entry("lawsuit", amount="50000", cause="买卖合同纠纷", stage="filed")
    large = _entry("lawsuit", number="N2", amount="1000000", stage="hearing")
    judged = _entry("lawsuit", number="N3", amount="1000", stage="judged")
    assert _kinds(_read(BEFORE), _read(AFTER, small)) == [("lawsuit_new", False)]
    assert _kinds(_read(BEFORE), _read(AFTER, large)) == [("lawsuit_new", True)]
    assert _kinds(_read(BEFORE), _read(AFTER, judged)) == [("lawsuit_new", True)]


def test_a_lawsuit_moving_to_judgement_is_a_serious_change_and_its_end_a_notice():
    filed = _entry("lawsuit", stage="filed")
    hearing = _entry("lawsuit", stage="hearing")
    judged = _entry("lawsuit", stage="judged")
    assert _kinds(_read(BEFORE, filed), _read(AFTER, hearing)) == [("lawsuit_stage", False)]
    assert _kinds(_read(BEFORE, hearing), _read(AFTER, judged)) == [("lawsuit_stage", True)]
    assert _kinds(_read(BEFORE, judged), _read(AFTER, judged)) == []
    ended = _entry("lawsuit", stage="judged", closed=True)
    assert _kinds(_read(BEFORE, judged), _read(AFTER, ended)) == [("lawsuit_ended", False)]
    assert _kinds(_read(BEFORE, judged), _read(AFTER)) == [("lawsuit_ended", False)]


def test_a_lawsuit_message_names_cause_court_amount_and_stage():
    found = compare(previous=_read(BEFORE), is_company=True, thresholds=LOW, current=_read(
        AFTER, _entry("lawsuit", number="（2026）京0108民初1号", amount="860000",
                      cause="买卖合同纠纷", stage="hearing")))
    with translation.override("en"):
        text = finding_message(found[0].kind, found[0].params)
    assert text.startswith("Sued as defendant, case （2026）京0108民初1号")
    assert "买卖合同纠纷" in text and "海淀法院" in text and "860,000.00 CNY" in text
    assert "hearing" in text


# --- Equity and asset freezes ------------------------------------------------------------------

def test_any_new_freeze_is_serious_a_changed_amount_is_not_and_lifting_is_a_notice():
    for kind in ("equity_freeze", "asset_freeze"):
        frozen = _entry(kind, amount="3000000", cause="所持某公司30%股权")
        assert _kinds(_read(BEFORE), _read(AFTER, frozen)) == [("freeze_new", True)]
        more = _entry(kind, amount="4000000", cause="所持某公司30%股权")
        assert _kinds(_read(BEFORE, frozen), _read(AFTER, more)) == [("freeze_changed", False)]
        lifted = _entry(kind, amount="3000000", closed=True)
        assert _kinds(_read(BEFORE, frozen), _read(AFTER, lifted)) == [("freeze_lifted", False)]


def test_an_equity_and_an_asset_freeze_with_the_same_number_are_two_records():
    both = (_entry("equity_freeze"), _entry("asset_freeze"))
    assert _kinds(_read(BEFORE), _read(AFTER, *both)) == [("freeze_new", True)] * 2


# --- Administrative penalties ------------------------------------------------------------------

def test_a_penalty_is_serious_from_the_administrators_threshold():
    fine = _entry("penalty", amount="50000", cause="虚假宣传")
    assert _kinds(_read(BEFORE), _read(AFTER, fine)) == [("penalty_new", False)]
    strict = Thresholds(penalty=Decimal("10000"))
    assert _kinds(_read(BEFORE), _read(AFTER, fine), thresholds=strict) == [
        ("penalty_new", True)]


def test_a_penalty_raised_past_the_threshold_is_serious_and_a_settled_one_a_notice():
    fine = _entry("penalty", amount="50000")
    raised = _entry("penalty", amount="150000")
    assert _kinds(_read(BEFORE, fine), _read(AFTER, raised)) == [("penalty_changed", True)]
    lowered = _entry("penalty", amount="20000")
    assert _kinds(_read(BEFORE, fine), _read(AFTER, lowered)) == [("penalty_changed", False)]
    assert _kinds(_read(BEFORE, fine), _read(AFTER)) == [("penalty_removed", False)]


# --- Tax arrears and abnormal tax status -------------------------------------------------------

def test_tax_arrears_new_changed_and_paid():
    owed = _entry("tax_arrears", amount="200000", cause="增值税")
    assert _kinds(_read(BEFORE), _read(AFTER, owed)) == [("tax_arrears_new", True)]
    small = _entry("tax_arrears", amount="20000", cause="增值税")
    assert _kinds(_read(BEFORE), _read(AFTER, small)) == [("tax_arrears_new", False)]
    assert _kinds(_read(BEFORE, small), _read(AFTER, owed)) == [("tax_arrears_changed", True)]
    paid = _entry("tax_arrears", amount="200000", closed=True)
    assert _kinds(_read(BEFORE, owed), _read(AFTER, paid)) == [("tax_arrears_paid", False)]


def test_abnormal_taxpayer_status_listed_and_cleared_for_companies_and_persons():
    for is_company in (True, False):
        assert _kinds(_read(BEFORE), _read(AFTER, tax_abnormal=True), is_company) == [
            ("tax_abnormal", True)]
        assert _kinds(_read(BEFORE, tax_abnormal=True), _read(AFTER, tax_abnormal=True),
                      is_company) == []
        assert _kinds(_read(BEFORE, tax_abnormal=True), _read(AFTER), is_company) == [
            ("tax_abnormal_cleared", False)]


# --- Registration changes (工商变更) -----------------------------------------------------------

REGISTERED = {"legal_representative": "王建国", "registered_capital": Decimal("5000000"),
              "registered_address": "北京市海淀区中关村大街1号",
              "business_scope": "技术开发；技术服务", "shareholders": ("王建国", "李红")}


def _registered(on, *entries, **changes) -> CheckData:
    return _read(on, *entries, **{**REGISTERED, **changes})


def test_the_first_reading_of_a_registration_is_the_baseline_not_news():
    assert _kinds(None, _registered(AFTER)) == []
    assert _kinds(_read(BEFORE), _registered(AFTER)) == []
    assert _kinds(_registered(BEFORE), _registered(AFTER)) == []
    # A value not read this time is not a change either.
    assert _kinds(_registered(BEFORE), _read(AFTER)) == []


def test_a_new_legal_representative_is_serious():
    found = compare(previous=_registered(BEFORE), current=_registered(
        AFTER, legal_representative="赵六"), is_company=True)
    assert [(f.kind, f.serious, f.params) for f in found] == [
        ("legal_rep_changed", True, {"old": "王建国", "new": "赵六"})]


def test_shareholders_in_and_out():
    found = compare(previous=_registered(BEFORE), current=_registered(
        AFTER, shareholders=("王建国", "钱七")), is_company=True)
    assert [(f.kind, f.serious, f.params) for f in found] == [
        ("shareholders_changed", False, {"in": "钱七", "out": "李红"})]
    assert _kinds(_registered(BEFORE), _registered(AFTER, shareholders=("李红", "王建国"))) == []


def test_capital_reduced_is_serious_and_an_increase_is_no_finding():
    assert _kinds(_registered(BEFORE), _registered(
        AFTER, registered_capital=Decimal("1000000"))) == [("capital_reduced", True)]
    assert _kinds(_registered(BEFORE), _registered(
        AFTER, registered_capital=Decimal("8000000"))) == []


def test_address_and_business_scope_changes_are_warnings():
    assert _kinds(_registered(BEFORE), _registered(
        AFTER, registered_address="北京市朝阳区建国路8号")) == [("address_changed", False)]
    assert _kinds(_registered(BEFORE), _registered(
        AFTER, business_scope="技术开发；房地产开发")) == [("scope_changed", False)]
    # Spacing alone is no change.
    assert _kinds(_registered(BEFORE), _registered(
        AFTER, business_scope="技术开发；技术服务  ")) == []


def test_licence_cancelled_or_revoked_is_serious():
    assert _kinds(_registered(BEFORE), _registered(AFTER, licence_status="revoked")) == [
        ("licence_changed", True)]


def test_a_person_has_no_registration_to_compare():
    assert _kinds(_registered(BEFORE), _registered(AFTER, legal_representative="赵六"),
                  is_company=False) == []


def test_every_new_finding_reads_in_chinese():
    previous = _registered(BEFORE, tax_abnormal=False)
    current = _registered(AFTER, _entry("lawsuit", stage="judged"), _entry("equity_freeze"),
                          _entry("penalty"), _entry("tax_arrears"), tax_abnormal=True,
                          legal_representative="赵六", registered_capital=Decimal("1"),
                          registered_address="别处", business_scope="别的",
                          shareholders=("赵六",))
    found = compare(previous=previous, current=current, is_company=True)
    assert len(found) == 10
    with translation.override("en"):
        english = [finding_message(f.kind, f.params) for f in found]
    with translation.override("zh-hans"):
        chinese = [finding_message(f.kind, f.params) for f in found]
    assert [e for e, z in zip(english, chinese, strict=True) if e == z] == []
