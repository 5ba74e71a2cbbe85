"""What changed between two checks of the same subject.

Pure functions over CheckData, so that every kind of change is tested without a database. A
subject's first check is compared with an empty reading: a case, a revoked licence or a listing
that the bank learns of for the first time is news just as much as one that appeared since.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import FindingKind, LicenceStatus, RecordEntry
from .providers import CheckData

# Serious findings raise a revisit task: the officer should ask about them in person.
SERIOUS = {FindingKind.NEW_CASE, FindingKind.NEWLY_DISHONEST, FindingKind.ABNORMAL_LISTED}
SERIOUS_LICENCE = {LicenceStatus.REVOKED, LicenceStatus.CANCELLED}

# The annual report for year Y is due between 1 January and 30 June of Y + 1.
REPORT_DEADLINE = (6, 30)


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


def compare(*, previous: CheckData | None, current: CheckData,
            is_company: bool) -> list[FindingData]:
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
    if is_company:
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
        if params.get("amount"):
            details.append(_("%(amount)s CNY") % {"amount": params["amount"]})
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
    return str(dict(FindingKind.choices).get(kind, kind))
