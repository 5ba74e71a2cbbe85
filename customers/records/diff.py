"""What changed between two checks of the same subject.

Pure functions over CheckData, so that every kind of change is tested without a database. A
subject's first check is compared with an empty reading: a case, a revoked licence or a listing
that the bank learns of for the first time is news just as much as one that appeared since.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from loanwatch.formats.amounts import YUAN, money

from .models import FindingKind, LicenceStatus, RecordEntry
from .providers import CheckData, EntryData

# Serious findings raise a revisit task: the officer should ask about them in person.
SERIOUS = {FindingKind.NEW_CASE, FindingKind.NEWLY_DISHONEST, FindingKind.ABNORMAL_LISTED}
SERIOUS_LICENCE = {LicenceStatus.REVOKED, LicenceStatus.CANCELLED}

# The annual report for year Y is due between 1 January and 30 June of Y + 1.
REPORT_DEADLINE = (6, 30)


@dataclass(frozen=True)
class Thresholds:
    """The amounts from which a new record is serious (RecordPolicy keeps the bank's)."""

    lawsuit: Decimal = Decimal("1000000")
    penalty: Decimal = Decimal("100000")
    tax: Decimal = Decimal("100000")


@dataclass(frozen=True)
class FindingData:
    kind: str
    serious: bool
    params: dict
    fact: str  # what the finding is about, stable across re-imports of the same facts

    def source_key(self, subject_key: str) -> str:
        """The revisit task's key: the same fact about the same subject raises one task."""
        digest = hashlib.sha256(f"{subject_key}|{self.kind}|{self.fact}".encode()).hexdigest()
        return f"finding:{digest[:32]}"

    def fact_key(self, identity: str) -> str:
        """What the finding says about whom, whichever customer the subject was checked
        through: the guard of its spreading to related customers (RelatedFinding.fact)."""
        digest = hashlib.sha256(f"{identity}|{self.kind}|{self.fact}".encode()).hexdigest()
        return f"fact:{digest[:40]}"


def report_missing_year(reading: CheckData | None) -> int | None:
    """The year whose annual report is overdue at the reading's date, if any."""
    if reading is None:
        return None
    on = reading.checked_on
    due_year = on.year - 1 if on > datetime.date(on.year, *REPORT_DEADLINE) else on.year - 2
    filed = reading.annual_report_year or 0
    return due_year if filed < due_year else None


def _open(reading: CheckData | None, kind: str) -> dict[str, object]:
    if reading is None:
        return {}
    return {e.case_number: e for e in reading.entries if e.kind == kind and not e.closed}


def _case_params(entry) -> dict:
    return {"case": entry.case_number, "court": entry.court,
            "amount": f"{entry.amount:.2f}" if entry.amount is not None else "",
            "filed_on": entry.filed_on.isoformat() if entry.filed_on else ""}


def _record_params(entry, before=None) -> dict:
    params = {**_case_params(entry), "kind": entry.kind, "cause": entry.cause,
              "stage": entry.stage}
    if before is not None:
        params["old_amount"] = f"{before.amount:.2f}" if before.amount is not None else ""
        params["old_stage"] = before.stage
    return params


def _at_least(amount: Decimal | None, threshold: Decimal) -> bool:
    return amount is not None and amount >= threshold


@dataclass(frozen=True)
class _RecordRule:
    """How the open records of some kinds compare: what is new, what changed, what ended."""

    kinds: tuple[str, ...]
    new: str
    changed: str
    ended: str
    # Whether the entry changed since `before`, and whether a new / changed entry is serious.
    differs: Callable[[EntryData, EntryData], bool]
    serious_new: Callable[[EntryData, Thresholds], bool]
    serious_changed: Callable[[EntryData, EntryData, Thresholds], bool]


def _amount_differs(before: EntryData, now: EntryData) -> bool:
    return before.amount != now.amount


_RECORD_RULES = (
    # A lawsuit is serious when its claim reaches the threshold or it is judged; moving to
    # judgement is serious whatever the amount.
    _RecordRule((RecordEntry.Kind.LAWSUIT,), FindingKind.LAWSUIT_NEW,
                FindingKind.LAWSUIT_STAGE, FindingKind.LAWSUIT_ENDED,
                differs=lambda b, n: b.stage != n.stage,
                serious_new=lambda e, t: (_at_least(e.amount, t.lawsuit)
                                          or e.stage == RecordEntry.Stage.JUDGED),
                serious_changed=lambda b, n, t: n.stage == RecordEntry.Stage.JUDGED),
    # Any freeze is serious: the subject cannot use what is frozen.
    _RecordRule((RecordEntry.Kind.EQUITY_FREEZE, RecordEntry.Kind.ASSET_FREEZE),
                FindingKind.FREEZE_NEW, FindingKind.FREEZE_CHANGED, FindingKind.FREEZE_LIFTED,
                differs=_amount_differs, serious_new=lambda e, t: True,
                serious_changed=lambda b, n, t: False),
    _RecordRule((RecordEntry.Kind.PENALTY,), FindingKind.PENALTY_NEW,
                FindingKind.PENALTY_CHANGED, FindingKind.PENALTY_REMOVED,
                differs=_amount_differs,
                serious_new=lambda e, t: _at_least(e.amount, t.penalty),
                serious_changed=lambda b, n, t: (_at_least(n.amount, t.penalty)
                                                 and not _at_least(b.amount, t.penalty))),
    _RecordRule((RecordEntry.Kind.TAX_ARREARS,), FindingKind.TAX_ARREARS_NEW,
                FindingKind.TAX_ARREARS_CHANGED, FindingKind.TAX_ARREARS_PAID,
                differs=_amount_differs,
                serious_new=lambda e, t: _at_least(e.amount, t.tax),
                serious_changed=lambda b, n, t: (_at_least(n.amount, t.tax)
                                                 and not _at_least(b.amount, t.tax))),
)


def _open_of(reading: CheckData | None, kinds: tuple[str, ...]) -> dict[tuple, EntryData]:
    if reading is None:
        return {}
    return {(e.kind, e.case_number): e for e in reading.entries
            if e.kind in kinds and not e.closed}


def _records_compare(previous: CheckData | None, current: CheckData,
                     thresholds: Thresholds) -> list[FindingData]:
    findings = []
    for rule in _RECORD_RULES:
        before = _open_of(previous, rule.kinds)
        now = _open_of(current, rule.kinds)
        for key, entry in now.items():
            number = f"{entry.kind}:{entry.case_number}"
            old = before.get(key)
            if old is None:
                findings.append(FindingData(rule.new, rule.serious_new(entry, thresholds),
                                            _record_params(entry), number))
            elif rule.differs(old, entry):
                findings.append(FindingData(
                    rule.changed, rule.serious_changed(old, entry, thresholds),
                    _record_params(entry, old),
                    f"{number}@{entry.stage}/{entry.amount}"))
        for key, entry in before.items():
            # Marked closed (lifted, paid), or no longer listed: it has ended.
            if key not in now:
                findings.append(FindingData(rule.ended, False, _record_params(entry),
                                            f"{entry.kind}:{entry.case_number}"))
    return findings


def _scope_words(text: str) -> str:
    return " ".join(text.split())


def _registration_compare(previous: CheckData | None,
                          current: CheckData) -> list[FindingData]:
    """Registration changes (工商变更). A value not read on either side is never compared:
    the first reading of a registration is the baseline, not news."""
    if previous is None:
        return []
    findings = []
    old_rep, new_rep = previous.legal_representative.strip(), current.legal_representative.strip()
    if old_rep and new_rep and old_rep != new_rep:
        # Whoever signs for the company changed: the bank should meet the new one.
        findings.append(FindingData(FindingKind.LEGAL_REP_CHANGED, True,
                                    {"old": old_rep, "new": new_rep}, new_rep))
    old_holders, new_holders = set(previous.shareholders), set(current.shareholders)
    if old_holders and new_holders and old_holders != new_holders:
        joined, left = sorted(new_holders - old_holders), sorted(old_holders - new_holders)
        findings.append(FindingData(FindingKind.SHAREHOLDERS_CHANGED, False,
                                    {"in": ", ".join(joined), "out": ", ".join(left)},
                                    "|".join(sorted(new_holders))))
    old_capital, new_capital = previous.registered_capital, current.registered_capital
    if old_capital is not None and new_capital is not None and new_capital < old_capital:
        # 减资: less capital stands behind the company's debts.
        findings.append(FindingData(FindingKind.CAPITAL_REDUCED, True,
                                    {"old": f"{old_capital:.2f}", "new": f"{new_capital:.2f}"},
                                    f"{new_capital:.2f}"))
    old_address = previous.registered_address.strip()
    new_address = current.registered_address.strip()
    if old_address and new_address and old_address != new_address:
        findings.append(FindingData(FindingKind.ADDRESS_CHANGED, False,
                                    {"old": old_address, "new": new_address}, new_address))
    old_scope, new_scope = _scope_words(previous.business_scope), _scope_words(
        current.business_scope)
    if old_scope and new_scope and old_scope != new_scope:
        digest = hashlib.sha256(new_scope.encode()).hexdigest()[:16]
        findings.append(FindingData(FindingKind.SCOPE_CHANGED, False,
                                    {"new": new_scope[:200]}, digest))
    return findings


def compare(*, previous: CheckData | None, current: CheckData, is_company: bool,
            thresholds: Thresholds | None = None) -> list[FindingData]:
    thresholds = thresholds or Thresholds()
    findings: list[FindingData] = []
    before = _open(previous, RecordEntry.Kind.ENFORCEMENT)
    now = _open(current, RecordEntry.Kind.ENFORCEMENT)
    for number, entry in now.items():
        if number not in before:
            findings.append(FindingData(FindingKind.NEW_CASE, True, _case_params(entry), number))
    for number, entry in before.items():
        # A case that is marked closed, or no longer listed, has ended.
        if number not in now:
            findings.append(FindingData(FindingKind.CASE_CLOSED, False, _case_params(entry),
                                        number))
    for kind, finding in ((RecordEntry.Kind.DISHONEST, FindingKind.NEWLY_DISHONEST),
                          (RecordEntry.Kind.RESTRICTION, FindingKind.NEW_RESTRICTION)):
        before = _open(previous, kind)
        for number, entry in _open(current, kind).items():
            if number not in before:
                findings.append(FindingData(finding, finding in SERIOUS, _case_params(entry),
                                            number))
    old_status = previous.licence_status if previous else ""
    # From an unknown status only a revoked or cancelled licence is news.
    if current.licence_status and old_status != current.licence_status and (
            old_status or current.licence_status in SERIOUS_LICENCE):
        findings.append(FindingData(
            FindingKind.LICENCE_CHANGED, current.licence_status in SERIOUS_LICENCE,
            {"old": old_status, "new": current.licence_status}, current.licence_status))
    if current.abnormal_listed and not (previous and previous.abnormal_listed):
        findings.append(FindingData(FindingKind.ABNORMAL_LISTED, True, {},
                                    f"abnormal@{current.checked_on.isoformat()}"))
    if current.tax_abnormal and not (previous and previous.tax_abnormal):
        # 非正常户: the tax office lost the taxpayer; invoices stop, and so may the business.
        findings.append(FindingData(FindingKind.TAX_ABNORMAL, True, {},
                                    f"tax_abnormal@{current.checked_on.isoformat()}"))
    elif previous is not None and previous.tax_abnormal and not current.tax_abnormal:
        findings.append(FindingData(FindingKind.TAX_ABNORMAL_CLEARED, False, {},
                                    f"tax_cleared@{current.checked_on.isoformat()}"))
    findings += _records_compare(previous, current, thresholds)
    if is_company:
        findings += _registration_compare(previous, current)
        year = report_missing_year(current)
        if year is not None and year != report_missing_year(previous):
            findings.append(FindingData(FindingKind.ANNUAL_REPORT_MISSING, False,
                                        {"year": year}, str(year)))
    return findings


def _licence_label(code: str) -> str:
    return str(dict(LicenceStatus.choices).get(code, code)) if code else _("not recorded")


def finding_message(kind: str, params: dict) -> str:
    """The finding in the reader's language."""
    params = params or {}
    case = params.get("case", "")
    if kind == FindingKind.NEW_CASE:
        details = [params.get("court", "")]
        details.append(_money(params.get("amount", "")))
        details = [d for d in details if d]
        if not details:
            return _("New enforcement case %(case)s") % {"case": case}
        return _("New enforcement case %(case)s (%(details)s)") % {
            "case": case, "details": ", ".join(details)}
    if kind == FindingKind.CASE_CLOSED:
        return _("Enforcement case %(case)s closed") % {"case": case}
    if kind == FindingKind.NEWLY_DISHONEST:
        return _("Listed as a dishonest debtor, case %(case)s") % {"case": case}
    if kind == FindingKind.NEW_RESTRICTION:
        return _("Consumption restricted, case %(case)s") % {"case": case}
    if kind == FindingKind.LICENCE_CHANGED:
        return _("Business licence: %(old)s → %(new)s") % {
            "old": _licence_label(params.get("old", "")),
            "new": _licence_label(params.get("new", ""))}
    if kind == FindingKind.ANNUAL_REPORT_MISSING:
        return _("Annual report for %(year)s not filed after 30 June") % {
            "year": params.get("year", "")}
    if kind == FindingKind.ABNORMAL_LISTED:
        return _("Put on the abnormal-operation list")
    text = _record_message(kind, params)
    if text is None:
        text = _registration_message(kind, params)
    return text if text is not None else str(dict(FindingKind.choices).get(kind, kind))


def _money(value: str) -> str:
    """An amount the finding stores as plain text, grouped as every page shows money (exact
    yuan: the figure a court or an authority names)."""
    return _("%(amount)s CNY") % {"amount": money(value, YUAN)} if value else ""


def _record_details(params: dict) -> str:
    stage = params.get("stage", "")
    details = [params.get("cause", ""), params.get("court", ""), _money(params.get("amount", "")),
               str(dict(RecordEntry.Stage.choices).get(stage, stage)) if stage else ""]
    return ", ".join(d for d in details if d)


def _record_message(kind: str, params: dict) -> str | None:
    words = {
        FindingKind.LAWSUIT_NEW: _("Sued as defendant, case %(case)s"),
        FindingKind.LAWSUIT_STAGE: _("Lawsuit %(case)s moved on: %(old)s → %(new)s"),
        FindingKind.LAWSUIT_ENDED: _("Lawsuit %(case)s ended"),
        FindingKind.FREEZE_NEW: _("%(what)s %(case)s"),
        FindingKind.FREEZE_CHANGED: _("%(what)s %(case)s: amount %(old)s → %(new)s"),
        FindingKind.FREEZE_LIFTED: _("%(what)s %(case)s lifted"),
        FindingKind.PENALTY_NEW: _("Administrative penalty %(case)s"),
        FindingKind.PENALTY_CHANGED: _("Administrative penalty %(case)s: amount %(old)s → "
                                       "%(new)s"),
        FindingKind.PENALTY_REMOVED: _("Administrative penalty %(case)s settled or withdrawn"),
        FindingKind.TAX_ARREARS_NEW: _("Tax arrears %(case)s"),
        FindingKind.TAX_ARREARS_CHANGED: _("Tax arrears %(case)s: %(old)s → %(new)s"),
        FindingKind.TAX_ARREARS_PAID: _("Tax arrears %(case)s paid"),
        FindingKind.TAX_ABNORMAL: _("Listed as an abnormal taxpayer"),
        FindingKind.TAX_ABNORMAL_CLEARED: _("No longer an abnormal taxpayer"),
    }
    wording = words.get(FindingKind(kind)) if kind in FindingKind.values else None
    if wording is None:
        return None
    stages = dict(RecordEntry.Stage.choices)
    entry_kind = params.get("kind", "")
    values = {"case": params.get("case", ""),
              "what": str(dict(RecordEntry.Kind.choices).get(entry_kind, entry_kind)),
              "old": (_money(params.get("old_amount", "")) or "—") if kind != (
                  FindingKind.LAWSUIT_STAGE) else str(stages.get(params.get("old_stage", ""),
                                                                 "—")),
              "new": (_money(params.get("amount", "")) or "—") if kind != (
                  FindingKind.LAWSUIT_STAGE) else str(stages.get(params.get("stage", ""), "—"))}
    text = wording % values
    details = _record_details(params) if kind in (
        FindingKind.LAWSUIT_NEW, FindingKind.FREEZE_NEW, FindingKind.PENALTY_NEW,
        FindingKind.TAX_ARREARS_NEW) else ""
    return f"{text} ({details})" if details else text


def _registration_message(kind: str, params: dict) -> str | None:
    if kind == FindingKind.LEGAL_REP_CHANGED:
        return _("New legal representative: %(old)s → %(new)s") % {
            "old": params.get("old", ""), "new": params.get("new", "")}
    if kind == FindingKind.SHAREHOLDERS_CHANGED:
        parts = []
        if params.get("in"):
            parts.append(_("in: %(names)s") % {"names": params["in"]})
        if params.get("out"):
            parts.append(_("out: %(names)s") % {"names": params["out"]})
        return _("Shareholders changed (%(changes)s)") % {"changes": "; ".join(parts)}
    if kind == FindingKind.CAPITAL_REDUCED:
        return _("Registered capital reduced: %(old)s → %(new)s") % {
            "old": _money(params.get("old", "")), "new": _money(params.get("new", ""))}
    if kind == FindingKind.ADDRESS_CHANGED:
        return _("Registered address changed: %(old)s → %(new)s") % {
            "old": params.get("old", ""), "new": params.get("new", "")}
    if kind == FindingKind.SCOPE_CHANGED:
        return _("Business scope changed: %(new)s") % {"new": params.get("new", "")}
    return None
