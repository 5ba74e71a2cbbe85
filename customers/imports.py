"""Import of customers with their loans from .xlsx, .csv or JSON lines, for a bank moving its
ledger in.

One row per loan; the customer's columns repeat on each of its loans (a customer without loans
has one row with the loan columns empty). Every row is checked with the same services as the
forms, which apply each model field's own limits too (length, NUL, minimum values, choices), so
a preview that passes is a confirmation that writes; every problem is reported with its row
number, column and reason; nothing is written until the whole file is valid, and then
everything is written in one transaction (loanwatch/core/importing.py holds what every import
shares: reading, headers in English or Chinese, the problems, all or nothing)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from loanwatch.accounts.roles import Role
from loanwatch.core import importing
from loanwatch.core.importing import ImportRejected, Problem, Row
from loanwatch.core.spreadsheets import safe_row

from . import services
from .exports import XLSX
from .models import Classification, Customer, GuaranteeType, Industry, RepaymentMethod, RiskGroup
from .validators import uscc_check_character

__all__ = ["COLUMNS", "BY_KEY", "ImportRejected", "Problem", "check_rows", "import_rows",
           "read_file", "template_response"]

MAX_ROWS = 5000
EXAMPLE_USCC = "91110108MA01ABCD1" + uscc_check_character("91110108MA01ABCD1")

KIND_WORDS = {"法人": "corporate", "法人客户": "corporate", "企业": "corporate",
              "公司": "corporate", "个人": "individual", "个人客户": "individual"}
CLASSIFICATION_WORDS = {"正常": "pass", "关注": "special_mention", "次级": "substandard",
                        "可疑": "doubtful", "损失": "loss"}
GUARANTEE_WORDS = {"信用": "unsecured", "保证": "guaranteed", "抵押": "mortgage", "质押": "pledge"}

_guarantee_type = importing.Choice(GuaranteeType.choices, words=GUARANTEE_WORDS,
                                   message=gettext_lazy("Unknown guarantee type."))


def _guarantee_types(text: str) -> list[str]:
    return [_guarantee_type(t.strip()) for t in text.replace("，", ",").split(",") if t.strip()]


@dataclass(frozen=True)
class Column(importing.Column):
    loan: bool = False  # a column of the row's loan, not of its customer


COLUMNS = [
    Column("kind", "客户类型", "kind", True, hint=gettext_lazy("corporate or individual"),
           parse=importing.Choice(
               Customer.Kind.choices, words=KIND_WORDS,
               message=gettext_lazy("Write 法人/corporate or 个人/individual."))),
    Column("name", "客户名称", "name", True),
    Column("identifier", "统一社会信用代码或身份证号", "USCC or resident ID", True,
           aliases=("证件号码", "统一社会信用代码", "身份证号")),
    Column("industry", "行业代码", "industry code", aliases=("industry", "行业")),
    Column("address", "经营或居住地址", "address", aliases=("地址",)),
    Column("phone", "电话", "phone", aliases=("联系电话",)),
    Column("officer", "客户经理用户名", "officer username",
           hint=gettext_lazy("blank: yourself (officers)"), aliases=("客户经理",)),
    Column("risk_group", "风险组别", "risk group",
           hint=gettext_lazy("administrators only; blank: the first group")),
    Column("contract_number", "合同编号", "contract number", loan=True, aliases=("合同号",)),
    Column("amount", "贷款金额", "amount", loan=True, parse=importing.decimal_number),
    Column("balance", "贷款余额", "balance", loan=True, parse=importing.decimal_number),
    Column("disbursed_on", "发放日", "disbursement date", loan=True,
           hint=gettext_lazy("YYYY-MM-DD"), parse=importing.day, aliases=("发放日期",)),
    Column("matures_on", "到期日", "maturity date", loan=True, hint=gettext_lazy("YYYY-MM-DD"),
           parse=importing.day, aliases=("到期日期",)),
    Column("purpose", "贷款用途", "purpose", loan=True),
    Column("repayment_method", "还款方式", "repayment method", loan=True,
           parse=importing.Choice(RepaymentMethod.choices,
                                  message=gettext_lazy("Unknown repayment method."))),
    Column("repayment_source", "还款来源", "repayment source", loan=True),
    Column("guarantee_types", "担保方式", "guarantee types", loan=True,
           hint=gettext_lazy("several separated by commas"), parse=_guarantee_types),
    Column("days_past_due", "逾期天数", "days past due", loan=True,
           parse=importing.whole_number),
    Column("classification", "五级分类", "classification", loan=True,
           parse=importing.Choice(Classification.choices, words=CLASSIFICATION_WORDS,
                                  message=gettext_lazy("Unknown classification."))),
]
SPEC = importing.Spec(columns=tuple(COLUMNS), suffixes=(".xlsx", ".csv", ".jsonl"),
                      max_rows=MAX_ROWS)
BY_KEY = SPEC.by_key
CUSTOMER_KEYS = [c.key for c in COLUMNS if not c.loan]
LOAN_KEYS = [c.key for c in COLUMNS if c.loan]
LOAN_REQUIRED = ["amount", "balance", "disbursed_on", "matures_on", "purpose",
                 "repayment_method"]


@dataclass
class PlannedCustomer:
    row: int
    data: dict[str, Any]
    loans: list[dict[str, Any]] = field(default_factory=list)


def read_file(upload: Any) -> list[Row]:
    """Rows as {"_row": n, key: text}; n is the row number a spreadsheet shows."""
    return CustomerImport.read(upload)


class CustomerImport(importing.Importer[list[PlannedCustomer]]):
    spec = SPEC

    def __init__(self, *, acting_user: Any) -> None:
        super().__init__(acting_user=acting_user)
        self.industries = {i.code.lower(): i for i in Industry.objects.all()}
        self.industries.update({i.name.lower(): i for i in self.industries.values()})
        self.risk_groups = {}
        for group in RiskGroup.objects.all():
            for word in (group.code, group.name_zh, group.name_en):
                self.risk_groups[word.lower()] = group
        self.officers = {o.username.lower(): o
                         for o in services.officers_assignable_by(user=acting_user)}

    def customer_data(self, row: Row) -> dict[str, Any] | None:
        before = len(self.problems)
        cells = self.cells(row, CUSTOMER_KEYS)
        data: dict[str, Any] = {"kind": cells["kind"], "name": cells["name"],
                                "identifier": cells["identifier"],
                                "address": cells["address"] or "", "phone": cells["phone"] or ""}
        industry = cells["industry"]
        data["industry"] = self.industries.get(industry.lower()) if industry else None
        if industry and data["industry"] is None:
            self.problem(row, "industry", _("No industry with this code."))
        group = cells["risk_group"]
        if group and self.acting_user.role != Role.ADMIN:
            # Administrators manage risk groups; a new customer of anyone else starts in the
            # least-watched group (customer_create sets it).
            self.problem(row, "risk_group", _("Only an administrator sets a risk group; leave "
                                              "this column blank."))
        elif group:
            data["risk_group"] = self.risk_groups.get(group.lower())
            if data["risk_group"] is None:
                self.problem(row, "risk_group", _("No risk group with this name."))
        officer = cells["officer"]
        if self.acting_user.role == Role.OFFICER and not officer:
            data["officer"] = self.acting_user
        else:
            data["officer"] = self.officers.get(officer.lower()) if officer else None
            if data["officer"] is None:
                self.problem(row, "officer", _("Name an officer you may assign customers to.")
                             if officer else _("This field is required."))
        return data if len(self.problems) == before else None

    def loan_data(self, row: Row) -> dict[str, Any] | None:
        if not (row.get("contract_number") or "").strip():
            if any((row.get(k) or "").strip() for k in LOAN_KEYS):
                self.problem(row, "contract_number", _("This field is required."))
            return None
        before = len(self.problems)
        for key in LOAN_REQUIRED:
            if not (row.get(key) or "").strip():
                self.problem(row, key, _("This field is required."))
        cells = self.cells(row, LOAN_KEYS)
        if len(self.problems) > before:
            return None
        data = {k: v for k, v in cells.items() if v is not None}
        data.setdefault("purpose", "")
        data["repayment_source"] = cells["repayment_source"] or ""
        data["guarantee_types"] = cells["guarantee_types"] or []
        data["days_past_due"] = cells["days_past_due"] or 0
        data["classification"] = cells["classification"] or Classification.PASS
        return data

    def plan(self, rows: list[Row]) -> list[PlannedCustomer]:
        planned: dict[str, PlannedCustomer] = {}
        contracts: dict[str, int] = {}
        for row in rows:
            identifier = (row.get("identifier") or "").strip().upper()
            customer = planned.get(identifier) if identifier else None
            if customer is None:
                data = self.customer_data(row)
                if data is not None:
                    try:
                        data = services.customer_validate(data=data,
                                                          acting_user=self.acting_user)
                    except ValidationError as error:
                        self.problems_of(row, error)
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
                self.problems_of(row, error)
                continue
            if customer is not None:
                customer.loans.append(loan)
        return list(planned.values())

    def write(self, plan: list[PlannedCustomer]) -> dict[str, int]:
        loans = 0
        for planned in plan:
            try:
                customer = services.customer_create(acting_user=self.acting_user,
                                                    data=planned.data)
                for loan in planned.loans:
                    services.loan_create(customer=customer, acting_user=self.acting_user,
                                         data=loan)
                    loans += 1
            except ValidationError as error:
                # Someone saved a clashing record between the check and the write: nothing
                # stays.
                raise ImportRejected([Problem(planned.row, "", message)
                                      for message in error.messages]) from error
        return {"customers": len(plan), "loans": loans}


def check_rows(*, rows: list[Row], acting_user: Any) -> list[PlannedCustomer]:
    return CustomerImport(acting_user=acting_user).check(rows)


def import_rows(*, rows: list[Row], acting_user: Any) -> dict[str, int]:
    """Check again (the ledger may have changed since the preview), then write everything."""
    return CustomerImport(acting_user=acting_user).apply(rows)


# --- Template ---------------------------------------------------------------------------------


def template_response() -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = "customers"
    sheet.append(safe_row([c.header for c in COLUMNS]))
    sheet.append(safe_row(["法人", "示例机械制造有限公司", EXAMPLE_USCC, "",
                           "北京市海淀区示例路1号", "010-12345678", "", "", "HT-2025-0001",
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
