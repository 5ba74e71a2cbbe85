"""Import of customers with their loans from .xlsx or .csv, for a bank moving its ledger in.

One row per loan; the customer's columns repeat on each of its loans (a customer without loans
has one row with the loan columns empty). Every row is checked with the same services as the
forms, which apply each model field's own limits too (length, NUL, minimum values, choices), so
a preview that passes is a confirmation that writes; every problem is reported with its row
number, column and reason; nothing is written until the whole file is valid, and then
everything is written in one transaction."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from loanwatch.accounts.roles import Role
from loanwatch.core.spreadsheets import safe_row

from . import services
from .models import Classification, Customer, GuaranteeType, Industry, RepaymentMethod, RiskGroup
from .validators import uscc_check_character

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

MAX_ROWS = 5000
EXAMPLE_USCC = "91110108MA01ABCD1" + uscc_check_character("91110108MA01ABCD1")


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    loan: bool = False
    hint: Any = ""

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"


COLUMNS = [
    Column("kind", "客户类型", "kind", True,
           hint=gettext_lazy("corporate or individual")),
    Column("name", "客户名称", "name", True),
    Column("identifier", "统一社会信用代码或身份证号", "USCC or resident ID", True),
    Column("industry", "行业代码", "industry code"),
    Column("address", "经营或居住地址", "address"),
    Column("phone", "电话", "phone"),
    Column("officer", "客户经理用户名", "officer username",
           hint=gettext_lazy("blank: yourself (officers)")),
    Column("risk_group", "风险组别", "risk group", hint=gettext_lazy("blank: normal")),
    Column("contract_number", "合同编号", "contract number", loan=True),
    Column("amount", "贷款金额", "amount", loan=True),
    Column("balance", "贷款余额", "balance", loan=True),
    Column("disbursed_on", "发放日", "disbursement date", loan=True,
           hint=gettext_lazy("YYYY-MM-DD")),
    Column("matures_on", "到期日", "maturity date", loan=True, hint=gettext_lazy("YYYY-MM-DD")),
    Column("purpose", "贷款用途", "purpose", loan=True),
    Column("repayment_method", "还款方式", "repayment method", loan=True),
    Column("repayment_source", "还款来源", "repayment source", loan=True),
    Column("guarantee_types", "担保方式", "guarantee types", loan=True,
           hint=gettext_lazy("several separated by commas")),
    Column("days_past_due", "逾期天数", "days past due", loan=True),
    Column("classification", "五级分类", "classification", loan=True),
]
BY_KEY = {c.key: c for c in COLUMNS}
LOAN_REQUIRED = ["amount", "balance", "disbursed_on", "matures_on", "purpose",
                 "repayment_method"]


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    reason: str


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class PlannedCustomer:
    row: int
    data: dict[str, Any]
    loans: list[dict[str, Any]] = field(default_factory=list)


# --- Reading ----------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _match_header(text: str) -> str | None:
    text = " ".join(text.split()).lower()
    for column in COLUMNS:
        if text in (column.zh.lower(), column.en.lower(), column.header.lower(), column.key):
            return column.key
    return None


def read_file(upload) -> list[dict[str, str]]:
    """Rows as {"_row": n, key: text}; n is the row number a spreadsheet shows."""
    name = (upload.name or "").lower()
    try:
        if name.endswith(".xlsx"):
            sheet = load_workbook(upload, read_only=True, data_only=True).active
            table = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        elif name.endswith(".csv"):
            raw = upload.read()
            text = raw.decode("utf-8-sig") if not raw.startswith(b"\xff\xfe") else raw.decode(
                "utf-16")
            table = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
        else:
            raise ImportRejected([Problem(0, "", _("Upload an .xlsx or a .csv file."))])
    except (UnicodeDecodeError, csv.Error, OSError, KeyError, ValueError) as error:
        if isinstance(error, ImportRejected):
            raise
        raise ImportRejected([Problem(0, "", _("The file cannot be read: %(error)s") % {
            "error": error})]) from error
    if not table:
        raise ImportRejected([Problem(0, "", _("The file is empty."))])
    keys = [_match_header(h) for h in table[0]]
    missing = [BY_KEY[k].header for k in ("kind", "name", "identifier") if k not in keys]
    if missing:
        raise ImportRejected([Problem(1, m, _("This column is missing.")) for m in missing])
    rows = []
    for number, values in enumerate(table[1:], start=2):
        if not any(values):
            continue
        row: dict[str, Any] = {"_row": number}
        for key, value in zip(keys, values, strict=False):
            if key:
                row[key] = value
        rows.append(row)
    if len(rows) > MAX_ROWS:
        raise ImportRejected([Problem(0, "", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})])
    if not rows:
        raise ImportRejected([Problem(0, "", _("The file has no rows below the headers."))])
    return rows


# --- Checking ---------------------------------------------------------------------------------


def _choice_lookup(choices) -> dict[str, str]:
    """Accept the code, the English label or the Chinese label of a choice."""
    lookup = {}
    for value, label in choices:
        lookup[value.lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).lower()] = value
    return lookup


KIND_WORDS = {"法人": "corporate", "法人客户": "corporate", "企业": "corporate",
              "公司": "corporate", "个人": "individual", "个人客户": "individual"}
CLASSIFICATION_WORDS = {"正常": "pass", "关注": "special_mention", "次级": "substandard",
                        "可疑": "doubtful", "损失": "loss"}
GUARANTEE_WORDS = {"信用": "unsecured", "保证": "guaranteed", "抵押": "mortgage", "质押": "pledge"}


def _shown(text: str) -> str:
    # A cell quoted in an error message: enough to find it, never a page of it.
    return text if len(text) <= 40 else text[:40] + "…"


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation as error:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": _shown(text)}) from error
    if not value.is_finite():
        raise ValueError(_("“%(text)s” is not a number.") % {"text": _shown(text)})
    # The columns hold 16 digits, two after the point; checked before rounding, which would
    # fail on a number too long for the decimal context.
    if value.adjusted() >= 14:
        raise ValueError(_("“%(text)s” is too large.") % {"text": _shown(text)})
    return value.quantize(Decimal("0.01"))


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": _shown(text)})


class _Checker:
    def __init__(self, acting_user: User) -> None:
        self.user = acting_user
        self.industries = {i.code.lower(): i for i in Industry.objects.all()}
        self.industries.update({i.name.lower(): i for i in self.industries.values()})
        self.risk_groups = {}
        for group in RiskGroup.objects.all():
            for word in (group.code, group.name_zh, group.name_en):
                self.risk_groups[word.lower()] = group
        self.officers = {o.username.lower(): o
                         for o in services.officers_assignable_by(user=acting_user)}
        self.repayment = _choice_lookup(RepaymentMethod.choices)
        self.classifications = {**_choice_lookup(Classification.choices), **CLASSIFICATION_WORDS}
        self.guarantee_types = {**_choice_lookup(GuaranteeType.choices), **GUARANTEE_WORDS}
        self.problems: list[Problem] = []

    def problem(self, row: dict, key: str, reason: str) -> None:
        self.problems.append(Problem(row["_row"], BY_KEY[key].header if key in BY_KEY else key,
                                     str(reason)))

    def customer_data(self, row: dict) -> dict[str, Any] | None:
        ok = True
        for key in ("kind", "name", "identifier"):
            if not row.get(key):
                self.problem(row, key, _("This field is required."))
                ok = False
        kind = row.get("kind", "")
        kind = KIND_WORDS.get(kind, kind.lower())
        if kind and kind not in Customer.Kind.values:
            self.problem(row, "kind", _("Write 法人/corporate or 个人/individual."))
            ok = False
        data: dict[str, Any] = {"kind": kind, "name": row.get("name", ""),
                                "identifier": row.get("identifier", ""),
                                "address": row.get("address", ""), "phone": row.get("phone", "")}
        industry = row.get("industry", "")
        data["industry"] = self.industries.get(industry.lower()) if industry else None
        if industry and data["industry"] is None:
            self.problem(row, "industry", _("No industry with this code."))
            ok = False
        group = row.get("risk_group", "") or "normal"
        data["risk_group"] = self.risk_groups.get(group.lower())
        if data["risk_group"] is None:
            self.problem(row, "risk_group", _("No risk group with this name."))
            ok = False
        officer = row.get("officer", "")
        if self.user.role == Role.OFFICER and not officer:
            data["officer"] = self.user
        else:
            data["officer"] = self.officers.get(officer.lower()) if officer else None
            if data["officer"] is None:
                self.problem(row, "officer", _("Name an officer you may assign customers to.")
                             if officer else _("This field is required."))
                ok = False
        return data if ok else None

    def loan_data(self, row: dict) -> dict[str, Any] | None:
        if not row.get("contract_number"):
            if any(row.get(c.key) for c in COLUMNS if c.loan):
                self.problem(row, "contract_number", _("This field is required."))
            return None
        data: dict[str, Any] = {"contract_number": row["contract_number"],
                                "purpose": row.get("purpose", ""),
                                "repayment_source": row.get("repayment_source", "")}
        before = len(self.problems)
        for key in LOAN_REQUIRED:
            if not row.get(key):
                self.problem(row, key, _("This field is required."))
        for key, parse in (("amount", _decimal), ("balance", _decimal),
                           ("disbursed_on", _date), ("matures_on", _date)):
            if row.get(key):
                try:
                    data[key] = parse(row[key])
                except ValueError as error:
                    self.problem(row, key, error.args[0])
        method = row.get("repayment_method", "")
        if method:
            data["repayment_method"] = self.repayment.get(method.lower())
            if data["repayment_method"] is None:
                self.problem(row, "repayment_method", _("Unknown repayment method."))
        types = [t.strip() for t in row.get("guarantee_types", "").replace("，", ",").split(",")
                 if t.strip()]
        data["guarantee_types"] = [self.guarantee_types.get(t.lower()) for t in types]
        if None in data["guarantee_types"]:
            self.problem(row, "guarantee_types", _("Unknown guarantee type."))
        dpd = row.get("days_past_due", "") or "0"
        if dpd.isascii() and dpd.isdigit():  # isdigit() alone admits "²", which int() refuses
            data["days_past_due"] = int(dpd)
        else:
            self.problem(row, "days_past_due", _("Write a whole number of days."))
        classification = row.get("classification", "") or "pass"
        data["classification"] = self.classifications.get(classification.lower())
        if data["classification"] is None:
            self.problem(row, "classification", _("Unknown classification."))
        if len(self.problems) > before:
            return None
        return data

    def run(self, rows: list[dict]) -> list[PlannedCustomer]:
        planned: dict[str, PlannedCustomer] = {}
        contracts: dict[str, int] = {}
        for row in rows:
            identifier = (row.get("identifier") or "").strip().upper()
            customer = planned.get(identifier) if identifier else None
            if customer is None:
                data = self.customer_data(row)
                if data is not None:
                    try:
                        data = services.customer_validate(data=data, acting_user=self.user)
                    except ValidationError as error:
                        for key, messages in error.message_dict.items():
                            for message in messages:
                                self.problem(row, key, message)
                    else:
                        customer = planned[identifier] = PlannedCustomer(row["_row"], data)
            elif row.get("name") and row["name"] != customer.data["name"]:
                self.problem(row, "name", _("Row %(row)d gives another name for this "
                                            "identifier.") % {"row": customer.row})
            loan = self.loan_data(row)
            if loan is None:
                continue
            number = loan["contract_number"]
            if number in contracts:
                self.problem(row, "contract_number", _("Already in row %(row)d.") % {
                    "row": contracts[number]})
                continue
            contracts[number] = row["_row"]
            try:
                services.loan_validate(data=loan)
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    for message in messages:
                        self.problem(row, key, message)
                continue
            if customer is not None:
                customer.loans.append(loan)
        if self.problems:
            raise ImportRejected(sorted(self.problems, key=lambda p: p.row))
        return list(planned.values())


def check_rows(*, rows: list[dict], acting_user: User) -> list[PlannedCustomer]:
    return _Checker(acting_user).run(rows)


@transaction.atomic
def import_rows(*, rows: list[dict], acting_user: User) -> dict[str, int]:
    """Check again (the ledger may have changed since the preview), then write everything."""
    plan = check_rows(rows=rows, acting_user=acting_user)
    loans = 0
    for planned in plan:
        try:
            customer = services.customer_create(acting_user=acting_user, data=planned.data)
            for loan in planned.loans:
                services.loan_create(customer=customer, acting_user=acting_user, data=loan)
                loans += 1
        except ValidationError as error:
            # Someone saved a clashing record between the check and the write: nothing stays.
            transaction.set_rollback(True)
            raise ImportRejected([Problem(planned.row, "", message)
                                  for message in error.messages]) from error
    return {"customers": len(plan), "loans": loans}


# --- Template ---------------------------------------------------------------------------------


def template_response() -> HttpResponse:
    from .exports import XLSX

    book = Workbook()
    sheet = book.active
    sheet.title = "customers"
    sheet.append(safe_row([c.header for c in COLUMNS]))
    sheet.append(safe_row(["法人", "示例机械制造有限公司", EXAMPLE_USCC, "",
                           "北京市海淀区示例路1号", "010-12345678", "", "正常", "HT-2025-0001",
                           "1000000", "800000", "2025-01-15", "2027-01-15", "购买原材料",
                           "interest_only", "经营收入", "保证,抵押", "0", "正常"]))
    notes = book.create_sheet("说明 notes")
    notes.append(safe_row(["列 column", "必填 required", "说明 notes"]))
    for column in COLUMNS:
        notes.append(safe_row([column.header, "✓" if column.required else "", column.hint]))
    for letter in "ABCDEFGHIJKLMNOPQRS":
        sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="customers-import-template.xlsx"'
    return response
