"""Applying a loan-status feed file: read, check every row, then set-based statements.

A run is created by the upload (or the command) and executed by a Celery job:

1. read: the importer skeleton reads the file (CSV in UTF-8 or GB18030, xlsx, JSON lines);
2. check: each row's cells are parsed and meet the Loan fields' own limits, in Python, the
   counters committed as it goes so that the run's page shows the progress;
3. apply, in one transaction: the parsed rows are COPYed into a temporary table, checked there
   against the loans with set-based SQL (duplicates, balance above the amount, maturity before
   disbursement, a classification better than the days past due allow), and — when no row is
   bad — the history rows, the loans, the customers' status and the signals are each written by
   one statement. A bad row anywhere applies nothing and every bad row is named.

Idempotent on (contract number, as_of): a row whose as_of is the one last applied to the loan is
already in, and one older than it is refused for that loan; so the same file twice changes
nothing. Unknown contracts are listed and left out, the rest applies: the bank's export holds
loans this system does not follow.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from customers.models import Classification, Loan, RiskSignal, RiskStateChange
from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks, importing
from loanwatch.core.importing import ImportRejected, Problem, Row
from loanwatch.core.runs import (
    checksum,
    problems_json,
    run_execute,
    run_lock,
    run_requeue,
    run_save,
)
from loanwatch.core.services import enqueue_on_commit

from .models import FeedRun, FeedSettings
from .spec import FEED_SPEC, KEYS

# The job commits its counters every so many rows: often enough for a progress bar, rarely
# enough to cost nothing.
PROGRESS_EVERY = 10_000

SIGNAL_RULE = "feed_days_past_due"

# The owned fields a run moves, in the order a history row lists them, with their SQL type.
FIELDS = (("classification", "text"), ("balance", "numeric"), ("days_past_due", "integer"),
          ("principal_overdue", "numeric"), ("interest_overdue", "numeric"),
          ("next_due_on", "date"), ("matures_on", "date"), ("status", "text"))

Progress = Callable[[FeedRun], None]


def thresholds() -> tuple[tuple[int, ...], int]:
    """The administrators' thresholds (FeedSettings), lowest first, and the serious one."""
    row = FeedSettings.load()
    return tuple(sorted(set(row.dpd_thresholds))), row.serious_from


@transaction.atomic
def feed_settings_save(*, acting_user: User, dpd_thresholds: list[int],
                       serious_from: int) -> FeedSettings:
    if acting_user.role != Role.ADMIN:
        raise PermissionDenied
    row = FeedSettings.objects.select_for_update().get_or_create(pk=1)[0]
    row.dpd_thresholds, row.serious_from = sorted(set(dpd_thresholds)), serious_from
    row.full_clean()
    row.save()
    return row


# --- Creating a run ---------------------------------------------------------------------------


@transaction.atomic
def feed_run_create(*, name: str, content: bytes, acting_user: User | None,
                    language: str | None = None, enqueue: bool = True,
                    source: str = FeedRun.Source.UPLOAD, folder_file: str = "") -> FeedRun:
    """Store the file as a queued run and send the job once it commits; the job
    (`feed_run_execute`) does the rest. Administrators only; the command and the watched folder
    run as nobody."""
    if acting_user is not None and acting_user.role != Role.ADMIN:
        raise PermissionDenied
    run = FeedRun.objects.create(
        file_name=name[:255], checksum=checksum(content), content=content,
        uploaded_by=acting_user, language=language or translation.get_language() or "zh-hans",
        source=source, folder_file=folder_file)
    if enqueue:
        from .tasks import feed_run  # noqa: PLC0415  (tasks import this module)

        enqueue_on_commit(feed_run, run.pk)
    return run


def feed_batch_problems(*, items: list[Any]) -> list[Problem]:
    """Every bad row of a batch sent through the API, found as the job would find it before the
    database: a cell that does not parse, a required cell empty, a value past a Loan field's
    limits, a contract twice. Rows are numbered from 1 in the batch's order."""
    problems: list[Problem] = []
    rows: list[Row] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(number, "", _("Not a JSON object.")))
            continue
        row: Row = {"_row": number}
        for name, value in item.items():
            key = FEED_SPEC.match(str(name))
            if key:
                row[key] = importing.cell_text(value)
        rows.append(row)
    checker = _Checker(acting_user=None)
    for _parsed in checker.parsed(rows):
        pass
    return sorted(problems + checker.problems, key=lambda p: (p.row, p.column))


def feed_batch_create(*, items: list[dict[str, Any]], source: str,
                      language: str | None = None) -> FeedRun:
    """A batch of rows sent through the API, queued as a run of JSON lines: from here on it is a
    file like any other, checked again and applied by the same job. Sent by a system, so by
    nobody (as the command's runs)."""
    content = "\n".join(json.dumps(item, ensure_ascii=False) for item in items).encode("utf-8")
    return feed_run_create(name=f"{source}.jsonl", content=content, acting_user=None,
                           language=language)


# --- Reading and checking ---------------------------------------------------------------------


class _Checker(importing.Importer[list[list[Any]]]):
    """Each row's cells parsed and checked by the Loan fields; every problem collected."""

    spec = FEED_SPEC

    def plan(self, rows: list[Row]) -> list[list[Any]]:
        return list(self.parsed(rows))

    def parsed(self, rows: list[Row], on_row: Callable[[int], None] | None = None
               ) -> Iterator[list[Any]]:
        first_row: dict[str, int] = {}  # a contract twice is named even where a row is bad
        for number, row in enumerate(rows, start=1):
            before = len(self.problems)
            cells = self.cells(row)
            contract = cells["contract_number"]
            if contract:
                seen = first_row.setdefault(contract, row["_row"])
                if seen != row["_row"]:
                    self.problem(row, "contract_number", _reason("twice", str(seen)))
            self.fields(row, model=Loan, values={k: v for k, v in cells.items()
                                                 if k != "as_of" and v is not None})
            if len(self.problems) == before:
                yield [row["_row"], *(cells[k] for k in KEYS)]
            if on_row is not None:
                on_row(number)

    def write(self, plan: list[list[Any]]) -> dict[str, int]:  # pragma: no cover - not used
        raise NotImplementedError


# --- The staging table and its checks ---------------------------------------------------------

_STAGE = """
CREATE TEMPORARY TABLE feed_stage (
    row_no integer NOT NULL, contract_number text NOT NULL, as_of date NOT NULL,
    balance numeric(16, 2) NOT NULL, principal_overdue numeric(16, 2),
    interest_overdue numeric(16, 2), days_past_due integer NOT NULL, next_due_on date,
    matures_on date, status text NOT NULL, classification text,
    loan_id bigint, customer_id bigint, apply boolean NOT NULL DEFAULT false
) ON COMMIT DROP
"""

_CLASSES = "ARRAY[" + ", ".join(f"'{c}'" for c in Classification.values) + "]"

# Every bad row the database can see, as (row, column key, reason code, detail).
_BAD_ROWS = f"""
SELECT s.row_no, 'balance', 'above_amount', l.amount::text
  FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id WHERE s.balance > l.amount
UNION ALL
SELECT s.row_no, 'matures_on', 'before_disbursement', l.disbursed_on::text
  FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id
 WHERE s.matures_on IS NOT NULL AND s.matures_on <= l.disbursed_on
UNION ALL
SELECT s.row_no, 'classification', 'below_floor', f.minimum
  FROM feed_stage s CROSS JOIN LATERAL (
       SELECT minimum FROM customers_classificationfloor
        WHERE days_past_due_over < s.days_past_due
        ORDER BY days_past_due_over DESC LIMIT 1) f
 WHERE s.classification IS NOT NULL
   AND array_position({_CLASSES}, s.classification) < array_position({_CLASSES}, f.minimum)
ORDER BY 1, 2
"""  # noqa: S608 (SQL from constants)

# Rows left out while the rest applies: unknown contracts, an as_of older than the last applied.
_REFUSED = """
SELECT s.row_no, 'contract_number', 'unknown', ''
  FROM feed_stage s WHERE s.loan_id IS NULL
UNION ALL
SELECT s.row_no, 'as_of', 'older', l.last_feed_as_of::text
  FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id WHERE s.as_of < l.last_feed_as_of
ORDER BY 1
"""


def _reason(code: str, detail: str, row: int | None = None) -> str:
    if code == "twice":
        return _("This contract is on row %(row)s already.") % {"row": detail}
    if code == "above_amount":
        return _("The balance is above the loan's amount (%(amount)s).") % {"amount": detail}
    if code == "before_disbursement":
        return _("The maturity date must be after the disbursement date (%(day)s).") % {
            "day": detail}
    if code == "below_floor":
        return _("These days past due require at least “%(floor)s”.") % {
            "floor": Classification(detail).label}
    if code == "unknown":
        return _("No loan has this contract number; the row was left out.")
    return _("Data of %(day)s were applied already; this older row was left out.") % {
        "day": detail}


def _problems(sql: str) -> list[Problem]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [Problem(row, FEED_SPEC.name(key), _reason(code, detail))
                for row, key, code, detail in cursor.fetchall()]


def _copy(rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in rows:
        # None is written as an empty unquoted field: NULL to COPY's CSV format.
        writer.writerow(["" if v is None else v for v in values])
    buffer.seek(0)
    with connection.cursor() as cursor:
        # Dropped at commit; a savepoint inside a longer transaction may still hold last one's.
        cursor.execute("DROP TABLE IF EXISTS feed_stage")
        cursor.execute(_STAGE)
        cursor.copy_expert(f"COPY feed_stage (row_no, {', '.join(KEYS)}) FROM STDIN "
                           "WITH (FORMAT csv)", buffer)
        cursor.execute("ANALYZE feed_stage")
        cursor.execute("""
            UPDATE feed_stage s SET loan_id = l.id, customer_id = l.customer_id,
                   apply = s.as_of > coalesce(l.last_feed_as_of, '-infinity'::date)
              FROM customers_loan l WHERE l.contract_number = s.contract_number""")


# --- Applying ---------------------------------------------------------------------------------


def _after(name: str) -> str:
    """A field's new value: the row's, or the loan's own when the file leaves the cell empty."""
    if name in {"balance", "days_past_due", "status"}:
        return f"s.{name}"
    if name == "next_due_on":  # a settled or written-off loan has no next instalment
        return "CASE WHEN s.status <> 'active' THEN s.next_due_on " \
               "ELSE coalesce(s.next_due_on, l.next_due_on) END"
    return f"coalesce(s.{name}, l.{name})"


def _text(expression: str, sql_type: str) -> str:
    # Values as risk_state.py stores them: decimals with their two places, dates ISO, none ''.
    return f"coalesce(({expression})::text, '')" if sql_type != "text" else \
        f"coalesce({expression}, '')"


def _history(run: FeedRun) -> int:
    """One RiskStateChange per customer the run moves, listing every moved field."""
    moves = ",\n".join(
        f"({n}, '{name}', {_text('l.' + name, t)}, {_text(_after(name), t)})"
        for n, (name, t) in enumerate(FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO customers_riskstatechange
                   (customer_id, at, by_id, source, source_id, reason, changes)
            SELECT l.customer_id, now(), %s, %s, %s, %s,
                   jsonb_agg(jsonb_build_object('field', f.name, 'loan', l.id,
                                                'contract', l.contract_number,
                                                'before', f.before, 'after', f.after)
                             ORDER BY l.contract_number, f.n)
              FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id
             CROSS JOIN LATERAL (VALUES {moves}) AS f(n, name, before, after)
             WHERE s.apply AND f.before <> f.after
             GROUP BY l.customer_id""",  # noqa: S608 (SQL from constants)
                       [run.uploaded_by_id, RiskStateChange.Source.FEED, run.pk,
                        f"{run.file_name} sha256:{run.checksum}"])
        return int(cursor.rowcount)


# Facts a run can establish about a loan, each raised once: when it becomes true in this run
# (before: the loan as the last run left it; after: this row). (rule, severity, condition.)
FACT_RULES = (
    # The first day past due; a loan that jumps over a threshold at once has that signal instead.
    ("feed_first_past_due", "notice",
     "l.days_past_due = 0 AND s.days_past_due > 0 AND s.days_past_due <= %(lowest)s"),
    ("feed_interest_arrears", "warning",
     "l.interest_overdue = 0 AND coalesce(s.interest_overdue, 0) > 0"),
    ("feed_matured_unpaid", "serious",
     "s.status = 'active' AND s.balance > 0 AND coalesce(s.matures_on, l.matures_on) < s.as_of "
     "AND NOT (l.status = 'active' AND l.balance > 0 AND l.last_feed_as_of IS NOT NULL "
     "AND l.matures_on < l.last_feed_as_of)"),
    # An amortising loan's balance only falls; rising, it was restructured or topped up.
    ("feed_balance_rising", "warning",
     "l.repayment_method IN ('equal_instalments', 'equal_principal') AND s.balance > l.balance"),
)


def _fact_signals(run: FeedRun) -> list[int]:
    limits, _serious = thresholds()
    facts = " UNION ALL ".join(
        f"SELECT '{rule}' AS rule, '{severity}' AS severity WHERE {condition}"
        for rule, severity, condition in FACT_RULES)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO customers_risksignal
                   (customer_id, source, source_id, rule, severity, params, raised_at, status,
                    status_reason)
            SELECT l.customer_id, %(source)s, NULL, f.rule, f.severity,
                   jsonb_build_object('contract', l.contract_number, 'loan', l.id,
                                      'days', s.days_past_due,
                                      'interest', coalesce(s.interest_overdue, 0)::text,
                                      'before', l.balance::text, 'after', s.balance::text,
                                      'matures_on', coalesce(s.matures_on, l.matures_on)::text,
                                      'as_of', s.as_of::text, 'run', %(run)s::bigint),
                   now(), 'open', ''
              FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id
             CROSS JOIN LATERAL ({facts}) f
             WHERE s.apply
            RETURNING id""",  # noqa: S608 (constants)
                       {"source": RiskSignal.Source.FEED, "run": run.pk,
                        "lowest": min(limits, default=2**31 - 1)})
        return [row[0] for row in cursor.fetchall()]


def _signals(run: FeedRun) -> list[int]:
    """A signal for each loan whose days past due went over a threshold in this run: the
    highest one crossed. Before and after are this run's, so a re-run crosses nothing."""
    limits, serious_from = thresholds()
    if not limits:
        return []
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO customers_risksignal
                   (customer_id, source, source_id, rule, severity, params, raised_at, status,
                    status_reason)
            SELECT l.customer_id, %s, NULL, %s,
                   CASE WHEN t.threshold >= %s THEN 'serious' ELSE 'warning' END,
                   jsonb_build_object('contract', l.contract_number, 'loan', l.id,
                                      'days', s.days_past_due, 'threshold', t.threshold,
                                      'as_of', s.as_of::text, 'run', %s::bigint),
                   now(), 'open', ''
              FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id
             CROSS JOIN LATERAL (SELECT max(x) AS threshold FROM unnest(%s::int[]) x
                                  WHERE l.days_past_due <= x AND s.days_past_due > x) t
             WHERE s.apply AND t.threshold IS NOT NULL
            RETURNING id""",
                       [RiskSignal.Source.FEED, SIGNAL_RULE, serious_from, run.pk,
                        list(limits)])
        return [row[0] for row in cursor.fetchall()]


def _below_floor() -> list[dict[str, Any]]:
    """Loans whose classification, kept from before, is better than their new days past due
    allow: the core system did not classify them, so a person has to."""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT s.row_no, s.contract_number, l.classification, f.minimum, s.days_past_due
              FROM feed_stage s JOIN customers_loan l ON l.id = s.loan_id
             CROSS JOIN LATERAL (
                   SELECT minimum FROM customers_classificationfloor
                    WHERE days_past_due_over < s.days_past_due
                    ORDER BY days_past_due_over DESC LIMIT 1) f
             WHERE s.apply AND s.classification IS NULL
               AND array_position({_CLASSES}, l.classification)
                   < array_position({_CLASSES}, f.minimum)
             ORDER BY s.row_no""")  # noqa: S608 (SQL from constants)
        return [{"row": r, "contract": c, "classification": k, "floor": m, "days": d}
                for r, c, k, m, d in cursor.fetchall()]


def _update_loans() -> int:
    owned = " OR ".join(f"l.{name} IS DISTINCT FROM {_after(name)}" for name, _t in FIELDS)
    sets = ", ".join(f"{name} = {_after(name)}" for name, _t in FIELDS)
    with connection.cursor() as cursor:
        # The version moves when an owned figure does, as risk_state.py bumps it: an officer's
        # form open on the loan then reloads rather than overwriting.
        cursor.execute(f"""
            UPDATE customers_loan l
               SET {sets}, last_feed_as_of = s.as_of,
                   version = l.version + CASE WHEN {owned} THEN 1 ELSE 0 END
              FROM feed_stage s WHERE s.loan_id = l.id AND s.apply""")  # noqa: S608 (constants)
        return int(cursor.rowcount)


def _update_customers() -> None:
    with connection.cursor() as cursor:
        # As risk_state.py: a customer with nothing outstanding is closed, else active.
        cursor.execute("""
            WITH touched AS (SELECT DISTINCT customer_id FROM feed_stage WHERE apply),
                 wanted AS (
                   SELECT t.customer_id,
                          CASE WHEN EXISTS (SELECT 1 FROM customers_loan l
                                             WHERE l.customer_id = t.customer_id
                                               AND l.balance > 0)
                               THEN 'active' ELSE 'closed' END AS status
                     FROM touched t)
            UPDATE customers_customer c SET status = w.status
              FROM wanted w WHERE c.id = w.customer_id AND c.status <> w.status""")


@dataclass
class _Outcome:
    applied: int
    customers: int
    signal_ids: list[int]
    refused: list[Problem]
    below_floor: list[dict[str, Any]]


def _apply(run: FeedRun, rows: list[list[Any]], problems: list[Problem]) -> _Outcome:
    """Inside the caller's transaction; ImportRejected (undoing it all) on any bad row.

    The history rows the triggers write name the run, the file and its checksum (a context
    that is set, too, spares every row the triggers' slow path of a missing one)."""
    with pghistory.context(feed_run=run.pk, file=run.file_name, checksum=run.checksum):
        return _apply_in_context(run, rows, problems)


def _apply_in_context(run: FeedRun, rows: list[list[Any]], problems: list[Problem]
                      ) -> _Outcome:
    with connection.cursor() as cursor:
        # One run at a time: two files of the same night must not interleave their checks.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('customers.feed'))")
        # The history triggers read this setting for every row they fire on, and catch the
        # error of a setting never made: thousands of times slower on a quarter-million rows
        # than finding it empty. Set for this transaction only; nothing is ignored.
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
    _copy(rows)
    problems = problems + _problems(_BAD_ROWS)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: (p.row, p.column)))
    refused = _problems(_REFUSED)
    below = _below_floor()
    customers = _history(run)
    signal_ids = _signals(run) + _fact_signals(run)
    applied = _update_loans()
    _update_customers()
    if signal_ids:
        hooks.call("loan_arrears_signalled", signal_ids=signal_ids)
    return _Outcome(applied, customers, signal_ids, refused, below)


def feed_run_execute(*, run_id: int, progress: Progress | None = None) -> FeedRun:
    """The job: run a queued run to its end (loanwatch/core/runs.py); `progress` hears of each
    step, the command's progress on the terminal."""
    run = run_execute(FeedRun, run_id, lambda run: _execute(run, progress or (lambda _r: None)))
    if progress is not None:
        progress(run)
    return run


def _execute(run: FeedRun, progress: Progress) -> None:
    upload = SimpleUploadedFile(run.file_name, bytes(run.content))
    rows = importing.read_rows(upload, spec=FEED_SPEC)
    run.rows_read = len(rows)
    run_save(run, "rows_read")
    progress(run)
    checker = _Checker(acting_user=run.uploaded_by)

    def counted(number: int) -> None:
        if number % PROGRESS_EVERY == 0:
            run.rows_checked = number
            run_save(run, "rows_checked")
            progress(run)

    parsed = list(checker.parsed(rows, counted))
    run.rows_checked = len(rows)
    run_save(run, "rows_checked")
    progress(run)
    with transaction.atomic():
        run_lock(run)
        outcome = _apply(run, parsed, checker.problems)
        run.status = FeedRun.Status.APPLIED
        run.rows_applied = outcome.applied
        run.customers_changed = outcome.customers
        run.signals_raised = len(outcome.signal_ids)
        run.refused = problems_json(outcome.refused)
        run.below_floor = outcome.below_floor
        run.errors = []
        # Saved in the transaction that applied them: a run is applied exactly when it says so.
        run_save(run, "status", "rows_applied", "customers_changed", "signals_raised", "refused",
              "below_floor", "errors")


def applied_direct(*, rows: list[list[Any]], run: FeedRun) -> None:
    """The same statements without the job around them (reading, checking, progress): the
    floor the benchmark measures a run against."""
    with transaction.atomic():
        _apply(run, rows, [])


def parse_for_bench(*, content: bytes, name: str) -> list[list[Any]]:
    """The rows as `_apply` takes them, for the benchmark's floor."""
    rows = importing.read_rows(SimpleUploadedFile(name, content), spec=FEED_SPEC)
    checker = _Checker(acting_user=None)
    parsed = list(checker.parsed(rows))
    if checker.problems:
        raise ImportRejected(checker.problems)
    return parsed



def feed_run_resend(*, run: FeedRun, acting_user: User) -> bool:
    """An administrator sends a failed run (its worker stopped) to a worker again."""
    if not run_requeue(run=run, acting_user=acting_user):
        return False
    from .tasks import feed_run  # noqa: PLC0415  (tasks import this module)

    enqueue_on_commit(feed_run, run.pk)
    return True
