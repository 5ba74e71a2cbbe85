"""The data-feed file: record checks of many subjects at once, as CSV or JSON.

CSV: one row per court record (enforcement case, dishonest-debtor entry, consumption
restriction); a subject's check columns repeat on each of its rows, and a subject without court
records has one row with the record columns empty. Headers may be the English key, the Chinese
name or both (as the template writes them):

    customer        客户证件号   our customer's USCC or resident ID (required)
    person_id       关联人身份证号 blank: the customer itself; else the resident ID of its legal
                                 representative, actual controller or a shareholder
    checked_on      检查日期     YYYY-MM-DD (required)
    licence_status  登记状态     存续 / 吊销 / 注销 / 其他 (or in_business, revoked, cancelled,
                                 other); blank for a person
    annual_report_year 最近年报年度 the latest year an annual report was filed for
    abnormal_listed 经营异常     是/否 (yes/no)
    entry_kind      记录类型     被执行人 / 失信 / 限高 (enforcement, dishonest, restriction)
    case_number     案号
    court           法院
    amount          金额         CNY
    filed_on        立案日期     YYYY-MM-DD
    closed          已结案       是/否

JSON: {"checks": [{"customer": …, "person_id": …, "checked_on": …, "licence_status": …,
"annual_report_year": …, "abnormal_listed": …, "entries": [{"kind": …, "case_number": …,
"court": …, "amount": …, "filed_on": …, "closed": …}]}]} — the same fields and values; a
problem names the check's position in the list as its row.

Every row is checked and every problem reported with its row, column and reason; nothing is
written until the whole file is valid, and then everything is written in one transaction.
A subject appears once per file. The same file imported twice records nothing new.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from customers.imports import ImportRejected, Problem, _date, _decimal, _shown
from customers.models import CustomerRelation
from customers.selectors import customer_scope
from loanwatch.core.spreadsheets import safe_row
from loanwatch.core.validation import field_errors

from . import services
from .models import LicenceStatus, RecordEntry
from .providers import CheckData, EntryData, FileFeedProvider, Subject
from .selectors import CHECKED_ROLES

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

MAX_ROWS = 5000


@dataclass(frozen=True)
class Column:
    key: str
    zh: str

    @property
    def header(self) -> str:
        return f"{self.zh} {self.key}"


COLUMNS = [Column("customer", "客户证件号"), Column("person_id", "关联人身份证号"),
           Column("checked_on", "检查日期"), Column("licence_status", "登记状态"),
           Column("annual_report_year", "最近年报年度"), Column("abnormal_listed", "经营异常"),
           Column("entry_kind", "记录类型"), Column("case_number", "案号"),
           Column("court", "法院"), Column("amount", "金额"), Column("filed_on", "立案日期"),
           Column("closed", "已结案")]
BY_KEY = {c.key: c for c in COLUMNS}
CHECK_KEYS = ("licence_status", "annual_report_year", "abnormal_listed")
ENTRY_KEYS = ("entry_kind", "case_number", "court", "amount", "filed_on", "closed")

LICENCE_WORDS = {"存续": "in_business", "在业": "in_business", "开业": "in_business",
                 "吊销": "revoked", "注销": "cancelled", "其他": "other"}
KIND_WORDS = {"被执行人": "enforcement", "执行": "enforcement", "失信": "dishonest",
              "失信被执行人": "dishonest", "限高": "restriction", "限制高消费": "restriction"}
YES = {"是", "yes", "y", "true", "1", "有"}
NO = {"否", "no", "n", "false", "0", "无", ""}


def _lookup(choices, words: dict[str, str]) -> dict[str, str]:
    table = {k.lower(): v for k, v in words.items()}
    for value, label in choices:
        table[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                table[str(label).lower()] = value
    return table


# --- Reading ----------------------------------------------------------------------------------


def _match_header(text: str) -> str | None:
    text = " ".join(text.split()).lower()
    for column in COLUMNS:
        if text in (column.key, column.zh, column.header.lower()):
            return column.key
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _rows_from_json(raw: bytes) -> list[dict]:
    data = json.loads(raw.decode("utf-8-sig"))
    checks = data.get("checks") if isinstance(data, dict) else data
    if not isinstance(checks, list):
        raise ValueError(_("Expected a list of checks under \"checks\"."))
    rows = []
    for number, check in enumerate(checks, start=1):
        if not isinstance(check, dict):
            raise ValueError(_("Check %(n)d is not an object.") % {"n": number})
        base = {"_row": number, **{k: _text(check.get(k)) for k in
                                   ("customer", "person_id", "checked_on", *CHECK_KEYS)}}
        entries = check.get("entries") or []
        if not isinstance(entries, list):
            raise ValueError(_("Check %(n)d: \"entries\" is not a list.") % {"n": number})
        if not entries:
            rows.append(base)
        for entry in entries:
            entry = entry if isinstance(entry, dict) else {}
            rows.append({**base, "entry_kind": _text(entry.get("kind")),
                         **{k: _text(entry.get(k)) for k in ENTRY_KEYS if k != "entry_kind"}})
    return rows


def _rows_from_csv(raw: bytes) -> list[dict]:
    text = raw.decode("utf-8-sig")
    table = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    if not table:
        return []
    keys = [_match_header(h) for h in table[0]]
    missing = [BY_KEY[k].header for k in ("customer", "checked_on") if k not in keys]
    if missing:
        raise ImportRejected([Problem(1, m, _("This column is missing.")) for m in missing])
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if any(values):
            rows.append({"_row": number, **{k: v for k, v in zip(keys, values, strict=False)
                                            if k}})
    return rows


def read_feed(upload) -> list[dict]:
    """Rows as {"_row": n, key: text}: n is the CSV line, or the check's place in the JSON."""
    name = (upload.name or "").lower()
    try:
        raw = upload.read()
        if name.endswith(".json"):
            rows = _rows_from_json(raw)
        elif name.endswith(".csv"):
            rows = _rows_from_csv(raw)
        else:
            raise ImportRejected([Problem(0, "", _("Upload a .csv or a .json file."))])
    except (UnicodeDecodeError, csv.Error, ValueError, AttributeError) as error:
        raise ImportRejected([Problem(0, "", _("The file cannot be read: %(error)s") % {
            "error": _shown(str(error))})]) from error
    if not rows:
        raise ImportRejected([Problem(0, "", _("The file has no checks."))])
    if len(rows) > MAX_ROWS:
        raise ImportRejected([Problem(0, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})])
    return rows


# --- Checking ---------------------------------------------------------------------------------


@dataclass
class PlannedCheck:
    row: int
    customer: Any
    person: Any
    checked_on: Any
    fields: dict = field(default_factory=dict)
    entries: list[EntryData] = field(default_factory=list)

    @property
    def subject(self) -> Subject:
        return Subject(customer=self.customer, person=self.person)

    @property
    def reading(self) -> CheckData:
        return CheckData(checked_on=self.checked_on, entries=tuple(self.entries), **self.fields)


class _Checker:
    def __init__(self, acting_user: User, rows: list[dict]) -> None:
        # A NUL cannot be looked up (PostgreSQL refuses it); run() reports its row.
        identifiers = {(r.get("customer") or "").strip().upper() for r in rows
                       if "\x00" not in (r.get("customer") or "")}
        self.customers = {c.identifier: c for c in
                          customer_scope(user=acting_user).filter(identifier__in=identifiers)}
        # (customer pk, resident ID) → the person, for the people whose records are checked.
        self.persons = {(r.customer_id, r.person.id_number.upper()): r.person for r in
                        CustomerRelation.objects.filter(customer__in=self.customers.values(),
                                                        role__in=CHECKED_ROLES)
                        .exclude(person__id_number="").select_related("person")}
        self.licence = _lookup(LicenceStatus.choices, LICENCE_WORDS)
        self.kinds = _lookup(RecordEntry.Kind.choices, KIND_WORDS)
        self.problems: list[Problem] = []

    def problem(self, row: dict, key: str, reason: str) -> None:
        self.problems.append(Problem(row["_row"], BY_KEY[key].header if key in BY_KEY else key,
                                     str(reason)))

    def _bool(self, row: dict, key: str) -> bool:
        value = (row.get(key) or "").lower()
        if value in YES:
            return True
        if value not in NO:
            self.problem(row, key, _("Write 是/yes or 否/no."))
        return False

    def check_fields(self, row: dict) -> dict:
        fields: dict[str, Any] = {"licence_status": "", "annual_report_year": None,
                                  "abnormal_listed": self._bool(row, "abnormal_listed")}
        status = row.get("licence_status") or ""
        if status:
            fields["licence_status"] = self.licence.get(status.lower(), "")
            if not fields["licence_status"]:
                self.problem(row, "licence_status", _("Write 存续, 吊销, 注销 or 其他."))
        year = row.get("annual_report_year") or ""
        if year:
            # isdigit() alone admits "²", which int() refuses.
            if year.isascii() and year.isdigit() and 1980 <= int(year) <= 2100:
                fields["annual_report_year"] = int(year)
            else:
                self.problem(row, "annual_report_year", _("Write a year such as 2024."))
        return fields

    def entry(self, row: dict) -> EntryData | None:
        if not any(row.get(k) for k in ENTRY_KEYS):
            return None
        before = len(self.problems)
        kind = self.kinds.get((row.get("entry_kind") or "").lower())
        if kind is None:
            self.problem(row, "entry_kind", _("Write 被执行人, 失信 or 限高."))
        number = (row.get("case_number") or "").strip()
        if not number:
            self.problem(row, "case_number", _("This field is required."))
        court = (row.get("court") or "").strip()
        amount: Decimal | None = None
        filed_on = None
        try:
            amount = _decimal(row["amount"]) if row.get("amount") else None
        except ValueError as error:
            self.problem(row, "amount", error.args[0])
        try:
            filed_on = _date(row["filed_on"]) if row.get("filed_on") else None
        except ValueError as error:
            self.problem(row, "filed_on", error.args[0])
        closed = self._bool(row, "closed")
        # The entry's own fields judge the rest (length, minimum amount), as when it is saved.
        values = {"court": court, "amount": amount, "filed_on": filed_on}
        if number:
            values["case_number"] = number
        for name, messages in field_errors(model=RecordEntry, values=values).items():
            for message in messages:
                self.problem(row, name, message)
        if len(self.problems) > before:
            return None
        return EntryData(kind=kind, case_number=number, court=court, amount=amount,
                         filed_on=filed_on, closed=closed)

    def run(self, rows: list[dict]) -> list[PlannedCheck]:
        planned: dict[tuple, PlannedCheck] = {}
        for row in rows:
            # PostgreSQL stores no NUL character; a row holding one is refused whole.
            nul = [k for k, v in row.items() if isinstance(v, str) and "\x00" in v]
            if nul:
                for key in nul:
                    self.problem(row, key, _("Contains a NUL character."))
                continue
            identifier = (row.get("customer") or "").strip().upper()
            customer = self.customers.get(identifier)
            if not identifier:
                self.problem(row, "customer", _("This field is required."))
            elif customer is None:
                self.problem(row, "customer",
                             _("No customer with this identifier among those you may see."))
            person = None
            person_id = (row.get("person_id") or "").strip().upper()
            if customer is not None and person_id:
                person = self.persons.get((customer.pk, person_id))
                if person is None:
                    self.problem(row, "person_id", _("Not the legal representative, actual "
                                                     "controller or a shareholder of this "
                                                     "customer."))
            checked_on = None
            if not row.get("checked_on"):
                self.problem(row, "checked_on", _("This field is required."))
            else:
                try:
                    checked_on = _date(row["checked_on"])
                except ValueError as error:
                    self.problem(row, "checked_on", error.args[0])
            fields = self.check_fields(row)
            entry = self.entry(row)
            if customer is None or (person_id and person is None) or checked_on is None:
                continue
            key = (customer.pk, person.pk if person else None)
            check = planned.get(key)
            if check is None:
                check = planned[key] = PlannedCheck(row["_row"], customer, person, checked_on,
                                                    fields)
            elif check.checked_on != checked_on:
                self.problem(row, "checked_on", _("This subject already has a check in row "
                                                  "%(row)s; one check per subject per file.")
                             % {"row": check.row})
                continue
            elif fields != check.fields and check.row != row["_row"]:
                self.problem(row, "licence_status", _("Differs from row %(row)s of the same "
                                                      "check.") % {"row": check.row})
            if entry is not None:
                if any((e.kind, e.case_number) == (entry.kind, entry.case_number)
                       for e in check.entries):
                    self.problem(row, "case_number", _("Listed twice for this subject."))
                else:
                    check.entries.append(entry)
        if self.problems:
            raise ImportRejected(sorted(self.problems, key=lambda p: p.row))
        return list(planned.values())


def check_feed(*, rows: list[dict], acting_user: User) -> list[PlannedCheck]:
    return _Checker(acting_user, rows).run(rows)


@transaction.atomic
def import_feed(*, rows: list[dict], acting_user: User) -> dict[str, int]:
    """Check again (scope or relations may have changed since the preview), then write all."""
    plan = check_feed(rows=rows, acting_user=acting_user)
    provider = FileFeedProvider({(p.customer.identifier,
                                  p.person.id_number if p.person else ""): p.reading
                                 for p in plan})
    recorded = findings = 0
    for planned in plan:
        subject = planned.subject
        check = services.check_record(subject=subject, data=provider.fetch(subject=subject),
                                      source=provider.source, acting_user=acting_user,
                                      skip_repeat=True)
        if check is not None:
            recorded += 1
            findings += check.findings.count()
    return {"checks": recorded, "unchanged": len(plan) - recorded, "findings": findings}


def template_response() -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row([c.header for c in COLUMNS]))
    writer.writerow(safe_row(["91110108MA01ABCD1X", "", "2026-07-15", "存续", "2025", "否",
                              "被执行人", "（2026）京0108执1234号", "北京市海淀区人民法院",
                              "125000.00", "2026-06-20", "否"]))
    writer.writerow(safe_row(["91110108MA01ABCD1X", "110101198503120011", "2026-07-15", "", "",
                              "否", "", "", "", "", "", ""]))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="record-checks-feed.csv"'
    return response
