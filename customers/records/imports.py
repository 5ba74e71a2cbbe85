"""The data-feed file: record checks of many subjects at once, as CSV, xlsx, JSON or JSON lines.

CSV, xlsx or JSON lines (one object a line, keyed by the headers): one row per public record
(enforcement case, dishonest-debtor entry, consumption restriction, lawsuit as defendant, equity
or asset freeze, administrative penalty, tax arrear); a subject's check columns repeat on each
of its rows, and a subject without records has one row with the record columns empty. Headers
may be the English key, the Chinese name or both (as the template writes them), in any case,
with spaces for underscores; a CSV is UTF-8 or GB18030 (loanwatch/core/importing.py reads and
checks the file):

    customer        客户证件号   our customer's USCC or resident ID (required)
    person_id       关联人身份证号 blank: the customer itself; else the resident ID or USCC of a
                                 related party: its legal representative, actual controller,
                                 a shareholder, a guarantor, or the company an individual
                                 borrower runs or owns
    checked_on      检查日期     YYYY-MM-DD (required)
    licence_status  登记状态     存续 / 吊销 / 注销 / 其他 (or in_business, revoked, cancelled,
                                 other); blank for a person
    annual_report_year 最近年报年度 the latest year an annual report was filed for
    abnormal_listed 经营异常     是/否 (yes/no)
    tax_abnormal    非正常户     是/否: the tax office lists the subject as an abnormal taxpayer
    legal_representative 法定代表人 registration (工商登记) as read; blank: not read
    registered_capital 注册资本   CNY; blank: not read
    registered_address 注册地址
    business_scope  经营范围
    shareholders    股东         names separated by ；, ; or 、
    entry_kind      记录类型     被执行人 / 失信 / 限高 / 被告诉讼 / 股权冻结 / 资产冻结 /
                                 行政处罚 / 欠税 (enforcement, dishonest, restriction, lawsuit,
                                 equity_freeze, asset_freeze, penalty, tax_arrears)
    case_number     案号         the case number, or the number of the freeze notice, penalty
                                 decision or tax notice
    court           法院         the court, or the authority that froze, fined or assessed
    cause           事由         a lawsuit's cause, a penalty's reason, the tax, what is frozen
    stage           审理阶段     lawsuits: 立案 / 审理中 / 已判决 (filed, hearing, judged)
    amount          金额         CNY: the claim, the amount frozen, the fine, the tax owed
    filed_on        立案日期     YYYY-MM-DD: filed, frozen, decided or assessed
    closed          已结案       是/否: the case ended, the freeze lifted, the fine or tax paid

JSON: {"checks": [{"customer": …, "person_id": …, "checked_on": …, "licence_status": …,
"annual_report_year": …, "abnormal_listed": …, "tax_abnormal": …, "legal_representative": …,
"registered_capital": …, "registered_address": …, "business_scope": …, "shareholders": [names],
"entries": [{"kind": …, "case_number": …, "court": …, "cause": …, "stage": …, "amount": …,
"filed_on": …, "closed": …}]}]} — the same fields and values; a problem names the check's
position in the list as its row.

Every row is checked and every problem reported with its row, column and reason; nothing is
written until the whole file is valid, and then everything is written in one transaction.
A subject appears once per file. The same file imported twice records nothing new.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Customer, CustomerRelation, Person
from customers.selectors import customer_scope
from loanwatch.core import importing
from loanwatch.core.importing import Column, ImportRejected, Row
from loanwatch.core.spreadsheets import safe_row

from . import services
from .models import LicenceStatus, RecordCheck, RecordEntry
from .providers import CheckData, EntryData, FileFeedProvider, Subject
from .selectors import CHECKED_ROLES

__all__ = ["COLUMNS", "BY_KEY", "ImportRejected", "check_feed", "import_feed", "read_feed",
           "template_response"]

MAX_ROWS = 5000

LICENCE_WORDS = {"存续": "in_business", "在业": "in_business", "开业": "in_business",
                 "吊销": "revoked", "注销": "cancelled", "其他": "other"}
KIND_WORDS = {"被执行人": "enforcement", "执行": "enforcement", "失信": "dishonest",
              "失信被执行人": "dishonest", "限高": "restriction", "限制高消费": "restriction",
              "被告诉讼": "lawsuit", "诉讼": "lawsuit", "股权冻结": "equity_freeze",
              "资产冻结": "asset_freeze", "账户冻结": "asset_freeze", "冻结": "asset_freeze",
              "行政处罚": "penalty", "处罚": "penalty", "欠税": "tax_arrears"}
KIND_MESSAGE = gettext_lazy("Write 被执行人, 失信, 限高, 被告诉讼, 股权冻结, 资产冻结, "
                            "行政处罚 or 欠税.")
STAGE_WORDS = {"立案": "filed", "已立案": "filed", "审理": "hearing", "审理中": "hearing",
               "开庭": "hearing", "判决": "judged", "已判决": "judged"}
SHAREHOLDER_SEPARATORS = re.compile(r"[；;、\n]")


def _shareholders(text: str) -> tuple[str, ...]:
    names = [n.strip() for n in SHAREHOLDER_SEPARATORS.split(text)]
    if any(len(n) > 200 for n in names):
        raise ValueError(_("A shareholder's name has at most 200 characters."))
    return tuple(dict.fromkeys(n for n in names if n))


def _text(limit: int):
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(_("At most %(n)d characters.") % {"n": limit})
        return text
    return parse


def _year(text: str) -> int:
    # isdigit() alone admits "²", which int() refuses.
    if text.isascii() and text.isdigit() and 1980 <= int(text) <= 2100:
        return int(text)
    raise ValueError(_("Write a year such as 2024."))


COLUMNS = [
    Column("customer", "客户证件号", "customer", True,
           aliases=("统一社会信用代码或身份证号", "USCC or resident ID", "证件号码")),
    Column("person_id", "关联人身份证号", "person_id"),
    Column("checked_on", "检查日期", "checked_on", True, parse=importing.day,
           aliases=("checked", "check date")),
    Column("licence_status", "登记状态", "licence_status",
           parse=importing.Choice(LicenceStatus.choices, words=LICENCE_WORDS,
                                  message=gettext_lazy("Write 存续, 吊销, 注销 or 其他.")),
           aliases=("license status", "登记状况")),
    Column("annual_report_year", "最近年报年度", "annual_report_year", parse=_year),
    Column("abnormal_listed", "经营异常", "abnormal_listed", parse=importing.yes_no),
    Column("tax_abnormal", "非正常户", "tax_abnormal", parse=importing.yes_no,
           aliases=("税务非正常户",)),
    Column("legal_representative", "法定代表人", "legal_representative", parse=_text(100)),
    Column("registered_capital", "注册资本", "registered_capital",
           parse=importing.decimal_number),
    Column("registered_address", "注册地址", "registered_address", parse=_text(300),
           aliases=("住所",)),
    Column("business_scope", "经营范围", "business_scope", parse=_text(4000)),
    Column("shareholders", "股东", "shareholders", parse=_shareholders),
    Column("entry_kind", "记录类型", "entry_kind",
           parse=importing.Choice(RecordEntry.Kind.choices, words=KIND_WORDS,
                                  message=KIND_MESSAGE)),
    Column("case_number", "案号", "case_number", aliases=("文书号", "决定书文号")),
    Column("court", "法院", "court", aliases=("执行法院", "机关", "处罚机关")),
    Column("cause", "事由", "cause", aliases=("案由", "处罚事由", "税种")),
    Column("stage", "审理阶段", "stage",
           parse=importing.Choice(RecordEntry.Stage.choices, words=STAGE_WORDS,
                                  message=gettext_lazy("Write 立案, 审理中 or 已判决."))),
    Column("amount", "金额", "amount", parse=importing.decimal_number,
           aliases=("执行标的", "执行标的金额")),
    Column("filed_on", "立案日期", "filed_on", parse=importing.day, aliases=("立案时间",)),
    Column("closed", "已结案", "closed", parse=importing.yes_no),
]
CHECK_KEYS = ("licence_status", "annual_report_year", "abnormal_listed", "tax_abnormal",
              "legal_representative", "registered_capital", "registered_address",
              "business_scope", "shareholders")
ENTRY_KEYS = ("entry_kind", "case_number", "court", "cause", "stage", "amount", "filed_on",
              "closed")
CHECK_COLUMNS = ("customer", "person_id", "checked_on", *CHECK_KEYS)


def _rows_from_json(raw: bytes) -> list[Row]:
    data = json.loads(importing.decode_text(raw))
    checks = data.get("checks") if isinstance(data, dict) else data
    if not isinstance(checks, list):
        raise ValueError(_("Expected a list of checks under \"checks\"."))
    rows = []
    for number, check in enumerate(checks, start=1):
        if not isinstance(check, dict):
            raise ValueError(_("Check %(n)d is not an object.") % {"n": number})
        base = {"_row": number, **{k: importing.cell_text(check.get(k)) for k in
                                   ("customer", "person_id", "checked_on", *CHECK_KEYS)}}
        holders = check.get("shareholders")
        if isinstance(holders, list):
            base["shareholders"] = "；".join(importing.cell_text(h) for h in holders)
        entries = check.get("entries") or []
        if not isinstance(entries, list):
            raise ValueError(_("Check %(n)d: \"entries\" is not a list.") % {"n": number})
        if not entries:
            rows.append(base)
        for entry in entries:
            entry = entry if isinstance(entry, dict) else {}
            rows.append({**base, "entry_kind": importing.cell_text(entry.get("kind")),
                         **{k: importing.cell_text(entry.get(k)) for k in ENTRY_KEYS
                            if k != "entry_kind"}})
    return rows


SPEC = importing.Spec(columns=tuple(COLUMNS), suffixes=(".csv", ".xlsx", ".json", ".jsonl"),
                      max_rows=MAX_ROWS, readers={".json": _rows_from_json})
BY_KEY = SPEC.by_key


def read_feed(upload: Any) -> list[Row]:
    """Rows as {"_row": n, key: text}: n is the CSV line, or the check's place in the JSON."""
    return FeedImport.read(upload)


@dataclass
class PlannedCheck:
    row: int
    customer: Any
    person: Any
    checked_on: date
    fields: dict = field(default_factory=dict)
    entries: list[EntryData] = field(default_factory=list)

    @property
    def subject(self) -> Subject:
        return Subject(customer=self.customer, person=self.person)

    @property
    def reading(self) -> CheckData:
        return CheckData(checked_on=self.checked_on, entries=tuple(self.entries), **self.fields)


class FeedImport(importing.Importer[list[PlannedCheck]]):
    spec = SPEC
    customers: dict[str, Customer]
    persons: dict[tuple[int, str], Person]

    def lookups(self, rows: list[Row]) -> None:
        # A NUL cannot be looked up (PostgreSQL refuses it); plan() reports its row.
        identifiers = {(r.get("customer") or "").strip().upper() for r in rows
                       if "\x00" not in (r.get("customer") or "")}
        self.customers = {c.identifier: c for c in customer_scope(user=self.acting_user)
                          .filter(identifier__in=identifiers)}
        # (customer pk, resident ID) → the person, for the people whose records are checked.
        self.persons = {(r.customer_id, r.person.id_number.upper()): r.person for r in
                        CustomerRelation.objects.filter(customer__in=self.customers.values(),
                                                        role__in=CHECKED_ROLES)
                        .exclude(person__id_number="").select_related("person")}

    def entry(self, row: Row) -> EntryData | None:
        if not any((row.get(k) or "").strip() for k in ENTRY_KEYS):
            return None
        before = len(self.problems)
        cells = self.cells(row, ENTRY_KEYS)
        if cells["entry_kind"] is None and not (row.get("entry_kind") or "").strip():
            self.problem(row, "entry_kind", str(KIND_MESSAGE))
        number = cells["case_number"] or ""
        if not number:
            self.problem(row, "case_number", _("This field is required."))
        court = cells["court"] or ""
        # The entry's own fields judge the rest (length, minimum amount), as when it is saved.
        cause = cells["cause"] or ""
        values = {"court": court, "amount": cells["amount"], "filed_on": cells["filed_on"],
                  "cause": cause}
        if number:
            values["case_number"] = number
        self.fields(row, model=RecordEntry, values=values)
        if len(self.problems) > before:
            return None
        return EntryData(kind=cells["entry_kind"], case_number=number, court=court,
                         amount=cells["amount"], filed_on=cells["filed_on"],
                         closed=bool(cells["closed"]), cause=cause,
                         stage=(cells["stage"] or "") if cells["entry_kind"] == "lawsuit" else "")

    def plan(self, rows: list[Row]) -> list[PlannedCheck]:
        self.lookups(rows)
        planned: dict[tuple, PlannedCheck] = {}
        for row in rows:
            # PostgreSQL stores no NUL character; a row holding one is refused whole.
            nul = [k for k, v in row.items() if isinstance(v, str) and "\x00" in v]
            if nul:
                for key in nul:
                    self.problem(row, key, _("Contains a NUL character."))
                continue
            cells = self.cells(row, CHECK_COLUMNS)
            identifier = (cells["customer"] or "").upper()
            customer = self.customers.get(identifier)
            if identifier and customer is None:
                self.problem(row, "customer",
                             _("No customer with this identifier among those you may see."))
            person = None
            person_id = (cells["person_id"] or "").upper()
            if customer is not None and person_id:
                person = self.persons.get((customer.pk, person_id))
                if person is None:
                    self.problem(row, "person_id", _("Not a related party of this customer "
                                                     "whose records are checked (legal "
                                                     "representative, actual controller, "
                                                     "shareholder or guarantor)."))
            checked_on = cells["checked_on"]
            fields = {"licence_status": cells["licence_status"] or "",
                      "annual_report_year": cells["annual_report_year"],
                      "abnormal_listed": bool(cells["abnormal_listed"]),
                      "tax_abnormal": bool(cells["tax_abnormal"]),
                      "legal_representative": cells["legal_representative"] or "",
                      "registered_capital": cells["registered_capital"],
                      "registered_address": cells["registered_address"] or "",
                      "business_scope": cells["business_scope"] or "",
                      "shareholders": cells["shareholders"] or ()}
            # The check's own fields judge the registration (lengths, the capital's digits).
            self.fields(row, model=RecordCheck, values={
                k: fields[k] for k in ("legal_representative", "registered_capital",
                                       "registered_address", "business_scope")})
            entry = self.entry(row)
            if customer is None or (person_id and person is None) or checked_on is None:
                continue
            subject = (customer.pk, person.pk if person else None)
            check = planned.get(subject)
            if check is None:
                check = planned[subject] = PlannedCheck(row["_row"], customer, person, checked_on,
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
        return list(planned.values())

    def write(self, plan: list[PlannedCheck]) -> dict[str, int]:
        provider = FileFeedProvider({(p.customer.identifier,
                                      p.person.id_number if p.person else ""): p.reading
                                     for p in plan})
        recorded = findings = 0
        for planned in plan:
            subject = planned.subject
            check = services.check_record(subject=subject, data=provider.fetch(subject=subject),
                                          source=provider.source,
                                          acting_user=self.acting_user, skip_repeat=True)
            if check is not None:
                recorded += 1
                findings += check.findings.count()
        return {"checks": recorded, "unchanged": len(plan) - recorded, "findings": findings}


def check_feed(*, rows: list[Row], acting_user: Any) -> list[PlannedCheck]:
    return FeedImport(acting_user=acting_user).check(rows)


def import_feed(*, rows: list[Row], acting_user: Any) -> dict[str, int]:
    """Check again (scope or relations may have changed since the preview), then write all."""
    return FeedImport(acting_user=acting_user).apply(rows)


def template_response() -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(safe_row([c.header for c in COLUMNS]))
    company = ["91110108MA01ABCD1X", "", "2026-07-15", "存续", "2025", "否", "否", "王建国",
               "5000000.00", "北京市海淀区中关村大街1号", "技术开发；技术服务", "王建国；李红"]
    writer.writerow(safe_row([*company, "被执行人", "（2026）京0108执1234号",
                              "北京市海淀区人民法院", "", "", "125000.00", "2026-06-20", "否"]))
    writer.writerow(safe_row([*company, "被告诉讼", "（2026）京0108民初5678号",
                              "北京市海淀区人民法院", "买卖合同纠纷", "审理中", "860000.00",
                              "2026-05-10", "否"]))
    writer.writerow(safe_row([*company, "行政处罚", "京海市监罚〔2026〕12号",
                              "北京市海淀区市场监督管理局", "虚假宣传", "", "50000.00",
                              "2026-04-02", "否"]))
    writer.writerow(safe_row(["91110108MA01ABCD1X", "110101198503120017", "2026-07-15", "", "",
                              "否", "否", "", "", "", "", "", "股权冻结", "（2026）京0105执保99号",
                              "北京市朝阳区人民法院", "所持某公司30%股权", "", "3000000.00",
                              "2026-07-01", "否"]))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="record-checks-feed.csv"'
    return response
