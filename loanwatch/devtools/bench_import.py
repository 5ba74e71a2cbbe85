"""The benchmark's customer-import item: a bank's ledger of 100,000 customers with 250,000 loans
imported by the job, against its floor, the staging and set-based statements run directly on
rows checked beforehand.

The file is made up for the occasion (identifiers that exist nowhere else, two or three loans a
customer, the officers spread over the portfolio's), imported by an administrator. Everything
happens in one transaction that is rolled back, each round in a savepoint of its own, so the
database is left as it was found. Rounds alternate which side goes first.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field

from django.db import transaction

from customers import imports
from customers.models import ImportRun
from customers.validators import uscc_check_character
from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role

# The characters of a USCC's body after its first eight, as the bench makes them.
_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _uscc(n: int) -> str:
    digits = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        digits = _BODY[r] + digits
    first17 = "91990000" + digits
    return first17 + uscc_check_character(first17)


@dataclass
class ImportBench:
    customers: int = 0
    loans: int = 0
    file_bytes: int = 0
    created_customers: int = 0
    created_loans: int = 0
    job_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)


def _file(customers: int, officers: list[str]) -> tuple[bytes, int]:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.en for c in imports.COLUMNS])
    loans = 0
    for n in range(customers):
        officer = officers[n % len(officers)]
        for k in range(3 if n % 2 else 2):  # 2.5 loans a customer
            loans += 1
            writer.writerow([
                "corporate", f"基准导入企业{n}", _uscc(n), "", f"基准路{n}号", "010-12345678",
                officer, "", f"BENCH-IMP-{n:06d}-{k}", "1000000", "800000", "2025-01-15",
                "2028-01-15", "流动资金", "interest_only", "经营收入", "保证", "0", "pass"])
    return text.getvalue().encode(), loans


def run(*, customers: int = 100_000, rounds: int = 1) -> ImportBench:
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    officers = list(User.objects.filter(role=Role.OFFICER, is_active=True)
                    .exclude(team=None).values_list("username", flat=True)[:50])
    if admin is None or not officers:
        raise RuntimeError("the import bench needs an administrator and officers in teams")
    bench = ImportBench(customers=customers)
    content, bench.loans = _file(customers, officers)
    bench.file_bytes = len(content)
    with transaction.atomic():
        plan = imports.plan_for_bench(content=content, name="bench.csv", acting_user=admin)

        def job_round() -> None:
            with transaction.atomic():
                run = imports.import_run_create(name="bench.csv", content=content,
                                                acting_user=admin, language="en",
                                                enqueue=False)
                started = time.perf_counter()
                done = imports.import_run_execute(run_id=run.pk)
                bench.job_ms.append((time.perf_counter() - started) * 1000)
                if done.status != "applied":
                    raise RuntimeError(f"the bench's import was {done.status}: "
                                       f"{done.errors[:3]}")
                bench.created_customers = done.customers_created
                bench.created_loans = done.loans_created
                transaction.set_rollback(True)

        def floor_round() -> None:
            with transaction.atomic():
                run = ImportRun.objects.create(file_name="bench.csv", checksum="", content=b"",
                                               uploaded_by=admin)
                started = time.perf_counter()
                imports.applied_direct(plan=plan, run=run, acting_user=admin)
                bench.floor_ms.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)

        for n in range(rounds):
            for side in ((floor_round, job_round) if n % 2 == 0 else (job_round, floor_round)):
                side()
        transaction.set_rollback(True)
    return bench
