"""The benchmark's loan-feed item: a night's file of every loan applied by the job, against its
floor, the same set-based statements run directly on rows parsed beforehand.

The file names the portfolio's loans (made up to the number asked with loans added for the
occasion): balances a little lower, one loan in ten 95 days past due and classified substandard,
one in ten 35 days past due, so that history rows and signals are written as on a bad night.
Everything happens in one transaction that is rolled back, each round in a savepoint of its own,
so the database is left as it was found. Rounds alternate which side goes first.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from customers.feed import services
from customers.feed.models import FeedRun
from customers.feed.spec import FEED_SPEC


@dataclass
class FeedBench:
    loans: int = 0
    added: int = 0
    file_bytes: int = 0
    applied: int = 0
    customers_changed: int = 0
    signals_raised: int = 0
    job_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)


def _add_loans(missing: int) -> None:
    """Loans for the bench alone, spread over the existing customers, without history rows (as
    generate_portfolio loads them): the history triggers are off for the insert only, in the
    bench's own transaction, which is rolled back."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE customers_loan DISABLE TRIGGER USER")
        cursor.execute("""
            INSERT INTO customers_loan
                   (customer_id, contract_number, amount, balance, disbursed_on, matures_on,
                    purpose, repayment_method, repayment_source, guarantee_types,
                    days_past_due, classification, version, principal_overdue,
                    interest_overdue, status)
            SELECT c.id, 'BENCH-' || lpad((n + t.top)::text, 8, '0'), 1000000, 800000,
                   DATE '2025-01-15',
                   DATE '2028-01-15', 'bench', 'interest_only', '', '{}', 0, 'pass', 0, 0, 0,
                   'active'
              FROM generate_series(1, %s) n
              CROSS JOIN (SELECT count(*) AS total,
                                 (SELECT coalesce(max(id), 0) FROM customers_loan) AS top
                            FROM customers_customer) t
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k
                      FROM customers_customer) c ON c.k = n %% t.total""", [missing])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys checked now
        cursor.execute("ALTER TABLE customers_loan ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _file(loans: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(last_feed_as_of) FROM customers_loan")
        last = cursor.fetchone()[0]
        cursor.execute("SELECT contract_number, balance FROM customers_loan ORDER BY id LIMIT %s",
                       [loans])
        rows = cursor.fetchall()
    as_of = max(last + timedelta(days=1), timezone.localdate()) if last else timezone.localdate()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.en for c in FEED_SPEC.columns])
    for n, (contract, balance) in enumerate(rows):
        if n % 10 == 0:
            dpd, klass, overdue = 95, "substandard", "1200.00"
        elif n % 10 == 1:
            dpd, klass, overdue = 35, "special_mention", "300.00"
        else:
            dpd, klass, overdue = 0, "", "0"
        writer.writerow([contract, as_of.isoformat(), f"{balance * 99 / 100:.2f}", overdue,
                         overdue, dpd, (as_of + timedelta(days=20)).isoformat(), "", "active",
                         klass])
    return text.getvalue().encode()


def run(*, loans: int = 250_000, rounds: int = 2) -> FeedBench:
    bench = FeedBench(loans=loans)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM customers_loan")
            have = cursor.fetchone()[0]
        if have < loans:
            bench.added = loans - have
            _add_loans(bench.added)
        content = _file(loans)
        bench.file_bytes = len(content)
        rows = services.parse_for_bench(content=content, name="bench.csv")

        def job_round() -> None:
            with transaction.atomic():
                run = services.feed_run_create(name="bench.csv", content=content,
                                               acting_user=None, language="en",
                                               enqueue=False)
                started = time.perf_counter()
                done = services.feed_run_execute(run_id=run.pk)
                bench.job_ms.append((time.perf_counter() - started) * 1000)
                bench.applied, bench.signals_raised = done.rows_applied, done.signals_raised
                bench.customers_changed = done.customers_changed
                transaction.set_rollback(True)

        def floor_round() -> None:
            with transaction.atomic():
                run = FeedRun.objects.create(file_name="bench.csv", checksum="", content=b"")
                started = time.perf_counter()
                services.applied_direct(rows=rows, run=run)
                bench.floor_ms.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)

        for n in range(rounds):
            for side in ((floor_round, job_round) if n % 2 == 0 else (job_round, floor_round)):
                side()
        transaction.set_rollback(True)
    return bench
