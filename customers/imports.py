"""Import of customers with their loans from .xlsx, .csv or JSON lines: a bank moving its ledger
in, and the later files that bring it up to date.

One row per loan; the customer's columns repeat on each of its loans (a customer without loans
has one row with the loan columns empty). A customer is found by its identifier and a loan by
its contract number: an existing one is updated, a new one created.

The upload stores the file as a run (`ImportRun`) and answers at once; a Celery job does the
rest while the run's page shows its progress (loanwatch/core/runs.py):

1. read: the importer skeleton reads the file (loanwatch/core/importing.py);
2. check, row by row in Python: every cell parsed and held to its model field's limits, the
   identifier's check character, the officer, industry and risk group looked up in tables read
   once, the loan's own rules (amount, balance, dates, the classification floor);
3. apply, in one transaction: the good rows are COPYed into two temporary tables, matched to the
   existing customers and loans, and checked there against them with set-based SQL (an existing
   customer outside the uploader's book, a contract of another customer, a figure the bank's
   systems own that the file would change); then, when no row is bad, a handful of statements
   insert the new customers and loans and update the existing ones.

All or nothing: a bad row anywhere writes nothing, and every bad row is named (row, column,
reason, in the uploader's language). What an update may change is what the forms may: the risk
group and the loans' balance, classification and days past due are owned by approvals, the
loan feed and corrections, so a file that gives another value for them is refused for that row
(the same value, or an empty cell, is fine); an import never moves a customer to another
officer. An empty optional cell keeps what an existing record holds. The customers and loans a
run writes carry it in their history rows' context (import_run, file, checksum).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks, importing
from loanwatch.core.importing import ImportRejected, Problem, Row
from loanwatch.core.runs import (
    LIGHT,
    checksum,
    run_execute,
    run_lock,
    run_requeue,
    run_save,
)
from loanwatch.core.services import enqueue_on_commit
from loanwatch.core.spreadsheets import safe_row

from . import selectors
from .exports import XLSX
from .models import (
    Classification,
    ClassificationFloor,
    Customer,
    GuaranteeType,
    ImportRun,
    Industry,
    Loan,
    RepaymentMethod,
    RiskGroup,
)
from .validators import (
    normalise_identifier,
    uscc_check_character,
    validate_resident_id,
    validate_uscc,
)

__all__ = ["COLUMNS", "BY_KEY", "ImportRejected", "Problem", "check_rows", "import_run_create",
           "import_run_execute", "read_file", "template_response"]

# A bank's whole ledger: 100,000 customers hold some 250,000 loans.
MAX_ROWS = 1_000_000
# The job commits its counters every so many rows.
PROGRESS_EVERY = 10_000
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
           hint=gettext_lazy("blank: yourself (officers); an existing customer keeps its "
                             "officer"), aliases=("客户经理",)),
    Column("risk_group", "风险组别", "risk group",
           hint=gettext_lazy("administrators only, new customers only; blank: the first "
                             "group")),
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
# Required of every loan row; the balance only of a new loan (an existing loan's is the feed's).
LOAN_REQUIRED = ["amount", "disbursed_on", "matures_on", "purpose", "repayment_method"]




def read_file(upload: Any) -> list[Row]:
    """Rows as {"_row": n, key: text}; n is the row number a spreadsheet shows."""
    return importing.read_rows(upload, spec=SPEC)


# --- Checking, row by row ---------------------------------------------------------------------

# The staging tables' columns, in the order the checker yields them.
CUSTOMER_STAGE = ("row_no", "identifier", "kind", "name", "address", "phone", "industry_id",
                  "officer_id", "team_id", "officer_given", "risk_group_id")
LOAN_STAGE = ("row_no", "identifier", "contract_number", "amount", "balance", "disbursed_on",
              "matures_on", "purpose", "repayment_method", "repayment_source",
              "guarantee_types", "days_past_due", "classification")


@dataclass
class Plan:
    """The good rows, as the staging tables take them."""

    customers: list[list[Any]]
    loans: list[list[Any]]


class CustomerImport(importing.Importer[Plan]):
    """Each row's cells checked without a query per row: the lookups are read once."""

    spec = SPEC

    def __init__(self, *, acting_user: Any) -> None:
        super().__init__(acting_user=acting_user)
        self.industries = {i.code.lower(): i.pk for i in Industry.objects.all()}
        self.industries.update({i.name.lower(): i.pk for i in Industry.objects.all()})
        self.risk_groups = {}
        for group in RiskGroup.objects.all():
            for word in (group.code, group.name_zh, group.name_en):
                self.risk_groups[word.lower()] = group.pk
        self.officers = {o.username.lower(): o
                         for o in selectors.officers_assignable_by(user=acting_user)}
        self.floors = list(ClassificationFloor.objects.order_by("-days_past_due_over")
                           .values_list("days_past_due_over", "minimum"))

    def floor(self, days: int) -> str:
        return next((m for over, m in self.floors if over < days), Classification.PASS)

    def customer_row(self, row: Row) -> list[Any] | None:
        before = len(self.problems)
        cells = self.cells(row, CUSTOMER_KEYS)
        identifier = normalise_identifier(cells["identifier"] or "")
        self.fields(row, model=Customer, values={
            k: cells[k] for k in ("kind", "name", "address", "phone") if cells[k] is not None})
        if identifier and cells["kind"]:
            validator = validate_uscc if cells["kind"] == Customer.Kind.CORPORATE else \
                validate_resident_id
            try:
                validator(identifier)
            except ValidationError as error:
                for message in error.messages:
                    self.problem(row, "identifier", message)
        industry_id = None
        if cells["industry"]:
            industry_id = self.industries.get(cells["industry"].lower())
            if industry_id is None:
                self.problem(row, "industry", _("No industry with this code."))
        risk_group_id = None
        if cells["risk_group"] and self.acting_user.role != Role.ADMIN:
            # Administrators manage risk groups; a new customer of anyone else starts in the
            # least-watched group.
            self.problem(row, "risk_group", _("Only an administrator sets a risk group; leave "
                                              "this column blank."))
        elif cells["risk_group"]:
            risk_group_id = self.risk_groups.get(cells["risk_group"].lower())
            if risk_group_id is None:
                self.problem(row, "risk_group", _("No risk group with this name."))
        officer, given = None, bool(cells["officer"])
        if given:
            officer = self.officers.get(cells["officer"].lower())
            if officer is None:
                self.problem(row, "officer", _("Name an officer you may assign customers to."))
            elif officer.team_id is None:
                self.problem(row, "officer", _("This officer is in no team yet; ask an "
                                               "administrator to add them to one."))
        elif self.acting_user.role == Role.OFFICER:
            officer = self.acting_user  # of a new customer; an existing one keeps its own
        if len(self.problems) > before:
            return None
        # An empty officer is required of a new customer only: the database check says so.
        return [row["_row"], identifier, cells["kind"], cells["name"], cells["address"] or "",
                cells["phone"] or "", industry_id, officer.pk if officer else None,
                officer.team_id if officer else None, given, risk_group_id]

    def loan_row(self, row: Row, identifier: str) -> list[Any] | None:
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
        self.fields(row, model=Loan, values={k: v for k, v in cells.items() if v is not None})
        amount, balance = cells["amount"], cells["balance"]
        if amount is not None and amount <= 0:
            self.problem(row, "amount", _("The amount must be more than zero."))
        if balance is not None and balance < 0:
            self.problem(row, "balance", _("The outstanding balance cannot be negative."))
        elif amount is not None and balance is not None and balance > amount:
            self.problem(row, "balance", _("The outstanding balance cannot exceed the amount."))
        if cells["matures_on"] <= cells["disbursed_on"]:
            self.problem(row, "matures_on", _("The maturity date must be after the "
                                              "disbursement date."))
        days = cells["days_past_due"] or 0
        floor = self.floor(days)
        classification = cells["classification"] or Classification.PASS
        if Classification.rank(classification) < Classification.rank(floor):
            self.problem(row, "classification", _("%(days)d days past due require at least "
                                                  "“%(floor)s”.") % {
                "days": days, "floor": Classification(floor).label})
        if len(self.problems) > before:
            return None
        guarantees = cells["guarantee_types"]
        return [row["_row"], identifier, cells["contract_number"], amount, balance,
                cells["disbursed_on"], cells["matures_on"], cells["purpose"],
                cells["repayment_method"], cells["repayment_source"],
                None if guarantees is None else "{" + ",".join(guarantees) + "}",
                cells["days_past_due"], cells["classification"]]

    def plan(self, rows: list[Row], on_row: Callable[[int], None] | None = None) -> Plan:
        customers: dict[str, list[Any]] = {}
        names: dict[str, tuple[int, str]] = {}
        contracts: dict[str, int] = {}
        loans: list[list[Any]] = []
        for number, row in enumerate(rows, start=1):
            identifier = normalise_identifier(row.get("identifier") or "")
            if identifier and identifier in names:
                first_row, name = names[identifier]
                if row.get("name") and row["name"].strip() != name:
                    self.problem(row, "name", _("Row %(row)d gives another name for this "
                                                "identifier.") % {"row": first_row})
            else:
                staged = self.customer_row(row)
                if staged is not None:
                    customers[identifier] = staged
                    names[identifier] = (row["_row"], staged[3])
            # A contract twice is named even where its first row is bad.
            number_text = (row.get("contract_number") or "").strip()
            if number_text and number_text in contracts:
                self.problem(row, "contract_number", _("Already in row %(row)d.") % {
                    "row": contracts[number_text]})
            else:
                if number_text:
                    contracts[number_text] = row["_row"]
                loan = self.loan_row(row, identifier)
                if loan is not None:
                    loans.append(loan)
            if on_row is not None:
                on_row(number)
        # A loan whose customer row was bad is named there already; it is not staged alone.
        return Plan(customers=list(customers.values()),
                    loans=[loan for loan in loans if loan[1] in customers])

    def write(self, plan: Plan) -> dict[str, int]:  # pragma: no cover - `_apply` writes
        raise NotImplementedError


def check_rows(*, rows: list[Row], acting_user: Any) -> Plan:
    """Every row checked as the job checks it before the database: ImportRejected naming each
    bad row, or the rows to stage."""
    return CustomerImport(acting_user=acting_user).check(rows)


# --- The staging tables and their checks ------------------------------------------------------

_STAGE = """
CREATE TEMPORARY TABLE import_customer_stage (
    row_no integer NOT NULL, identifier text NOT NULL, kind text NOT NULL, name text NOT NULL,
    address text NOT NULL, phone text NOT NULL, industry_id bigint, officer_id bigint,
    team_id bigint, officer_given boolean NOT NULL, risk_group_id bigint,
    customer_id bigint, was_officer_id bigint, was_team_id bigint, was_risk_group_id bigint,
    was_industry_id bigint
) ON COMMIT DROP;
CREATE TEMPORARY TABLE import_loan_stage (
    row_no integer NOT NULL, identifier text NOT NULL, contract_number text NOT NULL,
    amount numeric(16, 2) NOT NULL, balance numeric(16, 2), disbursed_on date NOT NULL,
    matures_on date NOT NULL, purpose text NOT NULL, repayment_method text NOT NULL,
    repayment_source text, guarantee_types varchar(20)[], days_past_due integer,
    classification text,
    loan_id bigint, was_customer_id bigint, was_balance numeric(16, 2),
    was_days_past_due integer, was_classification text
) ON COMMIT DROP
"""


def _csv_field(value: Any) -> str:
    # None is an empty unquoted field, NULL to COPY's CSV format; anything else is quoted, so
    # that an empty text stays an empty text.
    return "" if value is None else '"' + str(value).replace('"', '""') + '"'


def _copy(table: str, columns: tuple[str, ...], rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    for values in rows:
        buffer.write(",".join(_csv_field(v) for v in values))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)",
                           buffer)


def _stage(plan: Plan) -> None:
    with connection.cursor() as cursor:
        # Dropped at commit; a savepoint inside a longer transaction may still hold last one's.
        cursor.execute("DROP TABLE IF EXISTS import_customer_stage, import_loan_stage")
        cursor.execute(_STAGE)
    _copy("import_customer_stage", CUSTOMER_STAGE, plan.customers)
    _copy("import_loan_stage", LOAN_STAGE, plan.loans)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE import_customer_stage")
        cursor.execute("ANALYZE import_loan_stage")
        cursor.execute("""
            UPDATE import_customer_stage s
               SET customer_id = c.id, was_officer_id = c.officer_id, was_team_id = c.team_id,
                   was_risk_group_id = c.risk_group_id, was_industry_id = c.industry_id
              FROM customers_customer c WHERE c.identifier = s.identifier""")
        cursor.execute("""
            UPDATE import_loan_stage s
               SET loan_id = l.id, was_customer_id = l.customer_id, was_balance = l.balance,
                   was_days_past_due = l.days_past_due, was_classification = l.classification
              FROM customers_loan l WHERE l.contract_number = s.contract_number""")


def _scope_condition(user: User) -> tuple[str, list[Any]]:
    """Where an existing customer is outside the uploader's book, as SQL on the stage."""
    if user.role == Role.ADMIN:
        return "false", []
    if user.role == Role.SUPERVISOR and user.team_id:
        return "s.was_team_id <> %s", [user.team_id]
    if user.role == Role.OFFICER:
        return "s.was_officer_id <> %s", [user.pk]
    return "true", []


def _bad_rows_sql(user: User) -> tuple[str, list[Any]]:
    """Every bad row the database can see, as (row, column key, reason code, detail)."""
    outside, params = _scope_condition(user)
    return f"""
SELECT s.row_no, 'identifier', 'outside', '' FROM import_customer_stage s
 WHERE s.customer_id IS NOT NULL AND ({outside})
UNION ALL
SELECT s.row_no, 'officer', 'required', '' FROM import_customer_stage s
 WHERE s.customer_id IS NULL AND s.officer_id IS NULL
UNION ALL
SELECT s.row_no, 'officer', 'moves', '' FROM import_customer_stage s
 WHERE s.customer_id IS NOT NULL AND s.officer_given AND s.officer_id <> s.was_officer_id
UNION ALL
SELECT s.row_no, 'risk_group', 'owned_group', '' FROM import_customer_stage s
 WHERE s.customer_id IS NOT NULL AND s.risk_group_id IS NOT NULL
   AND s.risk_group_id <> s.was_risk_group_id
UNION ALL
SELECT s.row_no, 'contract_number', 'other_customer', '' FROM import_loan_stage s
  JOIN import_customer_stage c ON c.identifier = s.identifier
 WHERE s.loan_id IS NOT NULL AND s.was_customer_id IS DISTINCT FROM c.customer_id
UNION ALL
SELECT s.row_no, 'balance', 'required', '' FROM import_loan_stage s
 WHERE s.loan_id IS NULL AND s.balance IS NULL
UNION ALL
SELECT s.row_no, 'balance', 'owned', s.was_balance::text FROM import_loan_stage s
 WHERE s.loan_id IS NOT NULL AND s.balance IS NOT NULL AND s.balance <> s.was_balance
UNION ALL
SELECT s.row_no, 'days_past_due', 'owned', s.was_days_past_due::text FROM import_loan_stage s
 WHERE s.loan_id IS NOT NULL AND s.days_past_due IS NOT NULL
   AND s.days_past_due <> s.was_days_past_due
UNION ALL
SELECT s.row_no, 'classification', 'owned', s.was_classification FROM import_loan_stage s
 WHERE s.loan_id IS NOT NULL AND s.classification IS NOT NULL
   AND s.classification <> s.was_classification
UNION ALL
SELECT s.row_no, 'amount', 'below_balance', s.was_balance::text FROM import_loan_stage s
 WHERE s.loan_id IS NOT NULL AND s.amount < s.was_balance
ORDER BY 1, 2
""", params  # noqa: S608 (SQL from constants)


def _reason(code: str, key: str, detail: str) -> str:
    if code == "outside":
        return _("This identifier belongs to an existing customer of another officer; ask "
                 "your supervisor.")
    if code == "required":
        return _("This field is required.")
    if code == "moves":
        return _("An import does not move a customer to another officer; reassign the "
                 "customer from the customer list.")
    if code == "owned_group":
        return _("The risk group of an existing customer changes only through an approved "
                 "report; leave this cell blank.")
    if code == "other_customer":
        return _("This contract number belongs to a loan of another customer.")
    if code == "below_balance":
        return _("The amount cannot be less than the loan's outstanding balance "
                 "(%(balance)s).") % {"balance": detail}
    if key == "classification":
        detail = str(Classification(detail).label)
    return _("The loan feed, approved reports and corrections set this figure of an existing "
             "loan; leave the cell blank or give its current value (%(value)s).") % {
        "value": detail}


def _problems(user: User) -> list[Problem]:
    sql, params = _bad_rows_sql(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Problem(row, SPEC.name(key), _reason(code, key, detail))
                for row, key, code, detail in cursor.fetchall()]


# --- Writing ----------------------------------------------------------------------------------


@dataclass
class Outcome:
    customers_created: int
    customers_updated: int
    loans_created: int
    loans_updated: int


def _write(risk_group_id: int | None) -> Outcome:
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO customers_customer
                   (kind, name, identifier, registered_address, address, industry_id,
                    occupation, phone, wechat, officer_id, team_id, risk_group_id, status,
                    created_at, version)
            SELECT s.kind, s.name, s.identifier, '', s.address, s.industry_id, '', s.phone, '',
                   s.officer_id, s.team_id, coalesce(s.risk_group_id, %s), 'active', now(), 0
              FROM import_customer_stage s WHERE s.customer_id IS NULL ORDER BY s.row_no""",
                       [risk_group_id])
        created = cursor.rowcount
        cursor.execute("""
            UPDATE import_customer_stage s SET customer_id = c.id
              FROM customers_customer c
             WHERE s.customer_id IS NULL AND c.identifier = s.identifier""")
        # An empty optional cell keeps what the customer holds.
        cursor.execute("""
            UPDATE customers_customer c
               SET kind = s.kind, name = s.name,
                   address = coalesce(nullif(s.address, ''), c.address),
                   phone = coalesce(nullif(s.phone, ''), c.phone),
                   industry_id = coalesce(s.industry_id, c.industry_id),
                   version = c.version + 1
              FROM import_customer_stage s
             WHERE c.id = s.customer_id AND s.was_team_id IS NOT NULL
               AND (c.kind, c.name, c.address, c.phone, c.industry_id)
                   IS DISTINCT FROM (s.kind, s.name, coalesce(nullif(s.address, ''), c.address),
                                     coalesce(nullif(s.phone, ''), c.phone),
                                     coalesce(s.industry_id, c.industry_id))""")
        updated = cursor.rowcount
        cursor.execute("""
            INSERT INTO customers_loan
                   (customer_id, contract_number, amount, balance, disbursed_on, matures_on,
                    purpose, repayment_method, repayment_source, guarantee_types,
                    days_past_due, classification, version, principal_overdue,
                    interest_overdue, status)
            SELECT c.customer_id, s.contract_number, s.amount, s.balance, s.disbursed_on,
                   s.matures_on, s.purpose, s.repayment_method,
                   coalesce(s.repayment_source, ''), coalesce(s.guarantee_types, '{}'),
                   coalesce(s.days_past_due, 0), coalesce(s.classification, 'pass'), 0, 0, 0,
                   'active'
              FROM import_loan_stage s JOIN import_customer_stage c USING (identifier)
             WHERE s.loan_id IS NULL ORDER BY s.row_no""")
        loans_created = cursor.rowcount
        cursor.execute("""
            UPDATE customers_loan l
               SET amount = s.amount, disbursed_on = s.disbursed_on, matures_on = s.matures_on,
                   purpose = s.purpose, repayment_method = s.repayment_method,
                   repayment_source = coalesce(s.repayment_source, l.repayment_source),
                   guarantee_types = coalesce(s.guarantee_types, l.guarantee_types),
                   version = l.version + 1
              FROM import_loan_stage s
             WHERE l.id = s.loan_id
               AND (l.amount, l.disbursed_on, l.matures_on, l.purpose, l.repayment_method,
                    l.repayment_source, l.guarantee_types)
                   IS DISTINCT FROM (s.amount, s.disbursed_on, s.matures_on, s.purpose,
                                     s.repayment_method,
                                     coalesce(s.repayment_source, l.repayment_source),
                                     coalesce(s.guarantee_types, l.guarantee_types))""")
        loans_updated = cursor.rowcount
        # As loan_create: a customer with a new loan outstanding is active.
        cursor.execute("""
            UPDATE customers_customer c SET status = 'active'
              FROM (SELECT DISTINCT c.customer_id FROM import_loan_stage s
                      JOIN import_customer_stage c USING (identifier)
                     WHERE s.loan_id IS NULL AND s.balance > 0) n
             WHERE c.id = n.customer_id AND c.status <> 'active'""")
        cursor.execute("""
            SELECT customer_id FROM import_customer_stage
             WHERE was_team_id IS NOT NULL AND industry_id IS NOT NULL
               AND industry_id IS DISTINCT FROM was_industry_id""")
        industry_moved = [row[0] for row in cursor.fetchall()]
    if industry_moved:
        hooks.call("customer_risk_changed", customer_ids=industry_moved)
    return Outcome(created, updated, loans_created, loans_updated)


def _apply(run: ImportRun, plan: Plan, problems: list[Problem], user: User) -> Outcome:
    """Inside the caller's transaction; ImportRejected (undoing it all) on any bad row."""
    with pghistory.context(import_run=run.pk, file=run.file_name, checksum=run.checksum):
        with connection.cursor() as cursor:
            # One import at a time: two files must not check against each other's half.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('customers.import'))")
            # The history triggers read this setting for every row (see customers/feed).
            cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
        _stage(plan)
        problems = problems + _problems(user)
        if problems:
            raise ImportRejected(sorted(problems, key=lambda p: (p.row, p.column)))
        default_group = selectors.default_risk_group()
        try:
            with transaction.atomic():
                return _write(default_group.pk if default_group else None)
        except IntegrityError as error:
            # Someone saved the same identifier or contract number while the file applied.
            raise ImportRejected([Problem(0, "", _(
                "A customer or loan of this file was saved by someone else meanwhile; nothing "
                "was written. Send the file again."))]) from error


# --- The run ----------------------------------------------------------------------------------


@transaction.atomic
def import_run_create(*, name: str, content: bytes, acting_user: User,
                      language: str | None = None, enqueue: bool = True) -> ImportRun:
    """Store the file as a queued run and send the job once it commits."""
    run = ImportRun.objects.create(
        file_name=name[:255], checksum=checksum(content), content=content,
        uploaded_by=acting_user, language=language or translation.get_language() or "zh-hans")
    if enqueue:
        from .tasks import import_run  # noqa: PLC0415  (tasks import this module)

        enqueue_on_commit(import_run, run.pk)
    return run


def import_run_execute(*, run_id: int) -> ImportRun:
    """The job: a queued run read, checked and applied (loanwatch/core/runs.py)."""
    return run_execute(ImportRun, run_id, _execute)


def _execute(run: ImportRun) -> None:
    user = run.uploaded_by
    if user is None or not user.is_active:
        raise ImportRejected([Problem(0, "", _("The user who sent this file can no longer "
                                               "import."))])
    rows = importing.read_rows(SimpleUploadedFile(run.file_name, bytes(run.content)),
                               spec=SPEC)
    run.rows_read = len(rows)
    run_save(run, "rows_read")
    checker = CustomerImport(acting_user=user)

    def counted(number: int) -> None:
        if number % PROGRESS_EVERY == 0:
            run.rows_checked = number
            run_save(run, "rows_checked")

    plan = checker.plan(rows, counted)
    run.rows_checked = len(rows)
    run_save(run, "rows_checked")
    with transaction.atomic():
        run_lock(run)
        outcome = _apply(run, plan, checker.problems, user)
        run.status = ImportRun.Status.APPLIED
        run.rows_applied = len(rows)
        run.customers_created = outcome.customers_created
        run.customers_updated = outcome.customers_updated
        run.loans_created = outcome.loans_created
        run.loans_updated = outcome.loans_updated
        run.errors = []
        # Saved in the transaction that wrote them: a run is applied exactly when it says so.
        run_save(run, "status", "rows_applied", "customers_created", "customers_updated",
                 "loans_created", "loans_updated", "errors")


def import_run_resend(*, run: ImportRun, acting_user: User) -> bool:
    """An administrator sends a failed run (its worker stopped) to a worker again; it runs as
    the user who uploaded it, in their scope."""
    if not run_requeue(run=run, acting_user=acting_user):
        return False
    from .tasks import import_run  # noqa: PLC0415  (tasks import this module)

    enqueue_on_commit(import_run, run.pk)
    return True


def import_runs_of(*, user: User, limit: int = 10) -> QuerySet[ImportRun]:
    """The user's recent imports (an administrator's list shows everybody's)."""
    runs = ImportRun.objects.defer(*LIGHT).select_related("uploaded_by")
    if user.role != Role.ADMIN:
        runs = runs.filter(uploaded_by=user)
    return runs[:limit]


def import_run_get_for_user(*, user: User, pk: int) -> ImportRun:
    """A run is its uploader's and the administrators'; 404 for anybody else."""
    runs = ImportRun.objects.defer(*LIGHT).select_related("uploaded_by")
    if user.role != Role.ADMIN:
        runs = runs.filter(uploaded_by=user)
    return get_object_or_404(runs, pk=pk)


def plan_for_bench(*, content: bytes, name: str, acting_user: User) -> Plan:
    """The rows as `_apply` takes them, for the benchmark's floor."""
    return check_rows(rows=read_file(SimpleUploadedFile(name, content)), acting_user=acting_user)


def applied_direct(*, plan: Plan, run: ImportRun, acting_user: User) -> Outcome:
    """The staging and the statements without the job around them: the benchmark's floor."""
    with transaction.atomic():
        return _apply(run, plan, [], acting_user)


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
