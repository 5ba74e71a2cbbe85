"""Measure LoanWatch's key pages against a floor measured in the same run.

    make bench            # or: python manage.py bench --requests 200 --concurrency 4

A gunicorn server with the production configuration (DEBUG off) serves the database the
environment names; a small asynchronous client, which leaves the CPU to the server, requests each
page as a demo user of the right role. For each item the table gives queries per request, p50 and
p95 latency and the ratio of its p50 to the floor's: `/ping`, a view that runs no query, served by
the same server. Results also go to a JSON file. Timings are reported, never asserted.

The revisit planner is measured over the whole portfolio against its own floor, the statements it
issues replayed directly (see `bench_planner`), after the server has stopped. `--only planner`
(or pages, writes, exports, feed, weight; repeatable) runs part of the benchmark. The exports part
writes the administrator's bank-wide ledger and customer list as their export jobs do, each in a
process of its own, and reports its time and peak memory. The weight part sums what the visit
form's first load on a phone transfers, compressed (`bench_weight`).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, ExportJob
from customers.records import selectors as record_selectors
from loanwatch.accounts.models import User
from loanwatch.core import keyset
from loanwatch.devtools import (
    bench_exports,
    bench_feed,
    bench_import,
    bench_planner,
    bench_visits,
    bench_weight,
    demo,
)
from visits.models import Visit
from visits.schedule import selectors as schedule_selectors

# (label, role or None, path). A path may name {customer}: one of the officer's customers.
# Features add their key pages here.
ITEMS: list[tuple[str, str | None, str]] = [
    ("floor: bare view", None, "/ping"),
    ("floor: signed in (notifications)", "officer", "/notifications/"),
    ("health check", None, "/healthz"),
    ("officer home", "officer", "/"),
    ("supervisor home", "supervisor", "/"),
    ("admin home", "admin", "/"),
    ("officer: customer list", "officer", "/customers/"),
    ("supervisor: customer list", "supervisor", "/customers/"),
    ("admin: customer list", "admin", "/customers/"),
    ("admin: list searched", "admin", "/customers/?q=%E8%B4%B8%E6%98%93"),
    ("admin: list searched (公司, most match)", "admin", "/customers/?q=%E5%85%AC%E5%8F%B8"),
    ("admin: list filtered", "admin", "/customers/?kind=corporate&overdue=1"),
    ("admin: list, a page 90% deep", "admin", "/customers/?after={deep}"),
    ("admin: list by balance, 90% deep", "admin", "/customers/?sort=-balance&after={deep_balance}"),
    ("officer: customer page", "officer", "/customers/{customer}/"),
    ("officer: customer's visits", "officer", "/visits/customer/{customer}/"),
    ("officer: visit page", "officer", "/visits/{visit}/"),
    ("officer: visit form (draft)", "officer", "/visits/{draft}/edit/"),
    ("officer: ledger export", "officer", "/customers/ledger.xlsx"),
    ("supervisor: ledger export (starts its job)", "supervisor", "/customers/ledger.xlsx"),
    ("supervisor: charts data", "supervisor", "/dashboard/risk-groups.json"),
    ("admin: chart, risk groups", "admin", "/dashboard/risk-groups.json"),
    ("admin: chart, classifications", "admin", "/dashboard/classifications.json"),
    ("admin: chart, classification migration", "admin",
     "/dashboard/classification-migration.json"),
    ("admin: chart, overdue by week", "admin", "/dashboard/overdue-by-week.json"),
    ("supervisor: chart, overdue by week", "supervisor", "/dashboard/overdue-by-week.json"),
    ("officer: plan", "officer", "/schedule/"),
    ("supervisor: plan (team)", "supervisor", "/schedule/"),
    ("admin: plan (bank-wide)", "admin", "/schedule/"),
    ("admin: user list", "admin", "/accounts/users/"),
    ("supervisor: record checks due", "supervisor", "/records/due/"),
    ("admin: record checks due (one team)", "admin", "/records/due/"),
    ("admin: record checks due (all teams)", "admin", "/records/due/?team=all"),
    # Deep pages: the page after the row 90% down each list (keyset tokens, see _deep_lists).
    ("officer: record checks due", "officer", "/records/due/"),
    ("officer: record checks due, 90% deep", "officer", "/records/due/?after={due_officer}"),
    ("supervisor: record checks due, 90% deep", "supervisor",
     "/records/due/?after={due_supervisor}"),
    ("admin: record checks due (one team), 90% deep", "admin",
     "/records/due/?team={due_team}&after={due_admin_team}"),
    ("admin: record checks due (all teams), 90% deep", "admin",
     "/records/due/?team=all&after={due_admin_all}"),
    ("supervisor: plan (team), 90% deep", "supervisor", "/schedule/?after={plan_supervisor}"),
    ("admin: plan (bank-wide), 90% deep", "admin", "/schedule/?after={plan_admin}"),
]
SIGNED_IN_FLOOR = ITEMS[1][0]


def _bench_users() -> dict[str, str]:
    """The user per role: on a generated portfolio a generated officer (fifty customers) and
    supervisor (a team of ten officers) — the demo logins hold too little to measure."""
    users = {"officer": "officer1", "supervisor": "supervisor1", "admin": "admin"}
    for role, prefix in (("officer", "-o"), ("supervisor", "-s")):
        found = (User.objects.filter(username__startswith="gen", username__contains=prefix)
                 .order_by("pk").values_list("username", flat=True).first())
        if found:
            users[role] = found
    return users


PARTS = ("pages", "writes", "planner", "exports", "feed", "import", "weight")
# Pages whose first load on a phone is weighed (bench_weight): the page and every file it loads,
# compressed. The visit form is meant to stay under 300 KB (tests/core/test_page_weight.py).
WEIGHED = [("officer: visit form (draft)", "officer", "/visits/{draft}/edit/"),
           ("officer: home", "officer", "/")]


@dataclass
class Result:
    item: str
    path: str
    queries: int
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    ratio_to_floor: float = 0.0
    # The item this one is compared with; the pages' floor unless named.
    floor: str = ITEMS[0][0]
    # A page's p50 to the cheapest signed-in page's (0 for what is not a page).
    ratio_to_signed_in: float = 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _get(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    writer.write((headers + "\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    rest = await reader.read()  # the whole response, as a browser would
    writer.close()
    status = int(status_line.split()[1])
    # A team's or the bank's export answers with its job's page: that is its success.
    if status == 302 and b"\r\nLocation: /customers/exports/" in b"\r\n" + rest:
        status = 200
    return status, (time.perf_counter() - started) * 1000


async def _load(port: int, path: str, cookie: str, requests: int, concurrency: int):
    latencies: list[float] = []
    errors = 0
    queue = iter(range(requests))

    async def worker() -> None:
        nonlocal errors
        for _ in queue:
            status, ms = await _get(port, path, cookie)
            if status != 200:
                errors += 1
            latencies.append(ms)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Benchmark key pages against a bare-view floor (see module docstring)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requests", type=int, default=300)
        parser.add_argument("--concurrency", type=int, default=4)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--output", default=".data/bench/results.json")
        parser.add_argument("--writers", type=int, default=4,
                            help="officers submitting visits at once (0: no write load)")
        parser.add_argument("--write-seconds", type=float, default=20)
        parser.add_argument("--planner-rounds", type=int, default=3,
                            help="whole-portfolio planner runs (and floor replays) to time")
        parser.add_argument("--feed-loans", type=int, default=250_000,
                            help="loans in the loan-feed file (added for the run if fewer)")
        parser.add_argument("--feed-rounds", type=int, default=2,
                            help="loan-feed job runs (and floor runs) to time")
        parser.add_argument("--import-customers", type=int, default=100_000,
                            help="customers in the import file (2.5 loans each)")
        parser.add_argument("--import-rounds", type=int, default=1,
                            help="customer-import job runs (and floor runs) to time")
        parser.add_argument("--only", action="append", choices=PARTS,
                            help="run only this part (repeatable); default: all")
        parser.add_argument("--compare", default="",
                            help="a results file of a run at another size of the book: print "
                                 "each item's growth from that run to this one")

    def handle(self, *args, requests: int, concurrency: int, workers: int, output: str,
               writers: int, write_seconds: float, planner_rounds: int,
               only: list[str] | None, feed_loans: int = 250_000, feed_rounds: int = 2,
               import_customers: int = 100_000, import_rounds: int = 1,
               compare: str = "", **options) -> None:
        parts = set(only or PARTS)
        demo.load()
        results: list[Result] = []
        writes = None
        if parts & {"pages", "writes"}:
            started = timezone.now()
            results, writes = self._serve(
                requests=requests, concurrency=concurrency, workers=workers,
                writers=writers if "writes" in parts else 0, write_seconds=write_seconds,
                pages="pages" in parts)
            # The export items started jobs; a worker that picks one up finds it gone.
            ExportJob.objects.filter(created_at__gte=started,
                                     status=ExportJob.Status.QUEUED).delete()
        planner = None
        if "planner" in parts and planner_rounds > 0:
            planner = self._planner(planner_rounds)
            results += planner[1]
        exported = self._exports() if "exports" in parts else []
        feed = None
        if "feed" in parts and feed_rounds > 0:
            feed = self._feed(feed_loans, feed_rounds)
            results += feed[1]
        weights = self._weights() if "weight" in parts else []
        imported = None
        if "import" in parts and import_rounds > 0:
            imported = self._import(import_customers, import_rounds)
            results += imported[1]
        by_item = {result.item: result for result in results}
        signed_in = by_item.get(SIGNED_IN_FLOOR)
        for result in results:
            floor = by_item.get(result.floor)
            if floor:
                result.ratio_to_floor = round(result.p50_ms / (floor.p50_ms or 1e-9), 2)
            if signed_in and result.floor == ITEMS[0][0]:
                result.ratio_to_signed_in = round(result.p50_ms / (signed_in.p50_ms or 1e-9), 2)
        self._print(results)
        if planner:
            self._print_planner(planner[0])
        if feed:
            self._print_feed(feed[0])
        if imported:
            self._print_import(imported[0])
        if writes:
            self._print_writes(writes, by_item[ITEMS[0][0]].p50_ms or 1e-9)
        for export in exported:
            self.stdout.write("bank-wide {export} export (as its job writes it): {rows} rows, "
                              "{seconds} s, peak memory {peak_mb} MB (+{growth_mb} MB while "
                              "writing), file {file_mb} MB".format(**export))
        for label, weight in weights:
            self.stdout.write(
                f"first load on a phone, {label}: {weight.compressed / 1024:.1f} KB compressed "
                f"({weight.raw / 1024:.1f} KB as stored) in {len(weight.files)} files")
        book = {"customers": Customer.objects.count(),
                "loans": Customer.objects.aggregate(n=Count("loans"))["n"]}
        self.stdout.write(f"\nbook: {book['customers']:,} customers, {book['loans']:,} loans")
        if compare:
            self._print_growth(Path(compare), results, exported, book)
        target = Path(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "book": book,
            "requests": requests, "concurrency": concurrency, "workers": workers,
            "results": [asdict(r) for r in results],
            "visit_submissions": writes,
            "planner": asdict(planner[0]) if planner else None,
            "exports": exported,
            "feed": asdict(feed[0]) if feed else None,
            "first_load": [{"item": label, "path": weight.path,
                            "compressed_bytes": weight.compressed, "raw_bytes": weight.raw,
                            "files": [{"url": url, "raw": raw, "gzip": gz}
                                      for url, raw, gz in weight.files]}
                           for label, weight in weights],
            "import": asdict(imported[0]) if imported else None,
        }, indent=2, ensure_ascii=False))
        self.stdout.write(f"\nresults written to {target}")

    def _serve(self, *, requests: int, concurrency: int, workers: int, writers: int,
               write_seconds: float, pages: bool) -> tuple[list[Result], dict | None]:
        """The pages (or only the floor, to compare the write load with) and the write load,
        against a gunicorn server started for the purpose."""
        users = _bench_users()
        places = {**self._places(User.objects.get(username=users["officer"])),
                  **self._deep_lists(users)}
        items = [(label, users.get(role), path.format(**places))
                 for label, role, path in (ITEMS if pages else ITEMS[:1])
                 if all(places.get(name) for name in places if "{" + name + "}" in path)]
        self.stdout.write(f"as: {', '.join(f'{r} {u}' for r, u in users.items())}")
        cookies = self._sessions({user for _, user, _ in items if user})
        queries = {path_user: self._count_queries(*path_user)
                   for path_user in {(p, u) for _, u, p in items}}
        port = _free_port()
        env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
               "SECRET_KEY": settings.SECRET_KEY}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       env=env, check=True, cwd=settings.BASE_DIR)
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "loanwatch.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--log-level", "warning"],
            env=env, cwd=settings.BASE_DIR,
        )
        try:
            self._wait_for(port)
            results = []
            for label, user, path in items:
                cookie = cookies.get(user, "")
                asyncio.run(_load(port, path, cookie, min(50, requests), concurrency))  # warm
                latencies, errors = asyncio.run(_load(port, path, cookie, requests, concurrency))
                results.append(Result(
                    item=label, path=path, queries=queries[(path, user)], requests=requests,
                    errors=errors, p50_ms=round(statistics.median(latencies), 2),
                    p95_ms=round(_percentile(latencies, 0.95), 2),
                ))
            writes = self._write_load(port, writers, write_seconds) if writers else None
        finally:
            server.terminate()
            server.wait()
        return results, writes

    def _weights(self) -> list[tuple[str, bench_weight.Weight]]:
        """What each weighed page's first load transfers, compressed (see bench_weight)."""
        users = _bench_users()
        officer = User.objects.get(username=users["officer"])
        weights = []
        with transaction.atomic():
            places = self._places(officer)
            customer = officer.customers.first()
            if not places["draft"] and customer is not None:
                # A draft for the measurement only: rolled back below.
                places["draft"] = Visit.objects.create(
                    customer=customer, officer=officer, visited_on=timezone.localdate()).pk
            for label, role, path in WEIGHED:
                if "{draft}" in path and not places.get("draft"):
                    continue
                client = Client(HTTP_HOST="127.0.0.1")
                client.force_login(User.objects.get(username=users[role]))
                weights.append((label, bench_weight.first_load(client, path.format(**places))))
            transaction.set_rollback(True)
        return weights

    def _exports(self) -> list[dict]:
        """Each bank-wide export in a process of its own, for its peak memory."""
        measured = []
        for kind in bench_exports.EXPORTS:
            self.stdout.write(f"export: bank-wide {kind}…")
            done = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "loanwatch.devtools.bench_exports", kind],
                cwd=settings.BASE_DIR, check=True, capture_output=True, text=True)
            measured.append(json.loads(done.stdout.strip().splitlines()[-1]))
        return measured

    def _planner(self, rounds: int) -> tuple[bench_planner.PlannerBench, list[Result]]:
        """The whole-portfolio planner (a run with work to do, then an idempotent second run),
        each against its floor: the same statements replayed directly."""
        self.stdout.write(f"planner: {rounds} rounds over the whole portfolio…")
        bench = bench_planner.run(rounds=rounds)
        results = []
        for label, floor_label, statements, ms, floor_ms in (
            ("planner: whole portfolio", "planner floor: its SQL", bench.statements,
             bench.planner_ms, bench.floor_ms),
            ("planner: second run", "planner floor: 2nd run's SQL", bench.second_statements,
             bench.second_planner_ms, bench.second_floor_ms),
        ):
            results.append(Result(
                item=floor_label, path="plan_revisits statements, replayed",
                queries=statements, requests=len(floor_ms), errors=0,
                p50_ms=bench_planner.p50(floor_ms), p95_ms=bench_planner.p95(floor_ms),
                floor=floor_label))
            results.append(Result(
                item=label, path="plan_revisits", queries=statements, requests=len(ms),
                errors=0, p50_ms=bench_planner.p50(ms), p95_ms=bench_planner.p95(ms),
                floor=floor_label))
        return bench, results

    def _feed(self, loans: int, rounds: int) -> tuple[bench_feed.FeedBench, list[Result]]:
        """A night's loan-status file through the job (read, check, apply) against its floor:
        the same set-based statements run directly on rows parsed beforehand."""
        self.stdout.write(f"loan feed: {rounds} rounds of {loans:,} loans…")
        bench = bench_feed.run(loans=loans, rounds=rounds)
        floor_label = "loan feed floor: its statements"
        return bench, [
            Result(item=floor_label, path="COPY + set-based statements", queries=0,
                   requests=len(bench.floor_ms), errors=0,
                   p50_ms=bench_planner.p50(bench.floor_ms),
                   p95_ms=bench_planner.p95(bench.floor_ms), floor=floor_label),
            Result(item=f"loan feed: {loans:,} loans through the job", path="loan_feed job",
                   queries=0, requests=len(bench.job_ms), errors=0,
                   p50_ms=bench_planner.p50(bench.job_ms),
                   p95_ms=bench_planner.p95(bench.job_ms), floor=floor_label)]

    def _import(self, customers: int, rounds: int
                ) -> tuple[bench_import.ImportBench, list[Result]]:
        """A bank's ledger through the import job (read, check, apply) against its floor: the
        staging and set-based statements run directly on rows checked beforehand."""
        self.stdout.write(f"customer import: {rounds} rounds of {customers:,} customers…")
        bench = bench_import.run(customers=customers, rounds=rounds)
        floor_label = "customer import floor: its statements"
        return bench, [
            Result(item=floor_label, path="COPY + set-based statements", queries=0,
                   requests=len(bench.floor_ms), errors=0,
                   p50_ms=bench_planner.p50(bench.floor_ms),
                   p95_ms=bench_planner.p95(bench.floor_ms), floor=floor_label),
            Result(item=f"customer import: {customers:,} customers through the job",
                   path="customer import job", queries=0, requests=len(bench.job_ms), errors=0,
                   p50_ms=bench_planner.p50(bench.job_ms),
                   p95_ms=bench_planner.p95(bench.job_ms), floor=floor_label)]

    def _print_import(self, bench: bench_import.ImportBench) -> None:
        self.stdout.write(
            f"\ncustomer import: {bench.customers:,} customers with {bench.loans:,} loans, "
            f"{bench.file_bytes / 1e6:.1f} MB; created {bench.created_customers:,} customers "
            f"and {bench.created_loans:,} loans")

    def _print_feed(self, bench: bench_feed.FeedBench) -> None:
        self.stdout.write(
            f"\nloan feed: {bench.loans:,} loans ({bench.added:,} added for the run), "
            f"{bench.file_bytes / 1e6:.1f} MB; {bench.applied:,} rows applied, "
            f"{bench.customers_changed:,} customers changed, {bench.signals_raised:,} signals")

    def _print_planner(self, bench: bench_planner.PlannerBench) -> None:
        changes = ", ".join(f"{key.replace('_', ' ')} {value}"
                            for key, value in bench.changes.items())
        self.stdout.write(
            f"\nplanner, every interval a day shorter: {changes}; the second run changed "
            f"{bench.second_changes}; slowest run {max(bench.planner_ms) / 1000:.1f} s")
        for ms, statement in bench.slowest:
            self.stdout.write(f"  {ms:9.1f} ms  {statement}")

    def _write_load(self, port: int, writers: int, seconds: float) -> dict:
        """Officers submitting whole visits at once for a fixed time; then the database must
        hold exactly the visits the server acknowledged."""
        candidates = User.objects.filter(role="officer", customers__kind="corporate").distinct()
        generated = candidates.filter(username__startswith="gen")
        officers = list((generated if generated.exists() else candidates)
                        .order_by("username")[:writers])
        cookies = self._sessions({o.username for o in officers})
        plan = [(cookies[o.username],
                 list(Customer.objects.filter(officer=o, kind="corporate")
                      .values_list("pk", flat=True)[:20])) for o in officers]
        started = timezone.now()
        result = bench_visits.run(base=f"http://127.0.0.1:{port}", officers=plan,
                                  seconds=seconds)
        stored = Visit.objects.filter(officer__in=officers, status=Visit.Status.SUBMITTED,
                                      submitted_at__gte=started).count()
        return {"officers": len(officers), "seconds": seconds, "submitted": result.submitted,
                "stored": stored, "errors": result.errors, "error_samples": result.error_samples,
                "p50_ms": round(result.p50, 2), "p95_ms": round(result.p(0.95), 2),
                "per_second": round(result.submitted / seconds, 2)}

    def _print_writes(self, writes: dict, floor: float) -> None:
        self.stdout.write(
            f"\n{writes['officers']} officers submitting visits for {writes['seconds']:.0f} s "
            f"(4 requests each: start, create, form, submit): {writes['submitted']} submitted, "
            f"{writes['stored']} stored, {writes['errors']} errors, "
            f"{writes['per_second']} visits/s, p50 {writes['p50_ms']:.1f} ms, "
            f"p95 {writes['p95_ms']:.1f} ms ({writes['p50_ms'] / 4 / floor:.1f} × floor per "
            f"request)")
        if writes["error_samples"]:
            self.stdout.write(f"errors, for example: {writes['error_samples']}")
        if writes["stored"] != writes["submitted"]:
            self.stdout.write(self.style.ERROR("visits lost or doubled: the counts differ"))

    def _places(self, officer) -> dict:
        """Records of the benchmarked officer that the paths name: a customer with a submitted
        visit, that visit, and one of the officer's drafts."""
        visit = (Visit.objects.filter(officer=officer, status=Visit.Status.SUBMITTED)
                 .order_by("customer_id", "-visited_on").first())
        draft = Visit.objects.filter(officer=officer, status=Visit.Status.DRAFT).first()
        customer = visit.customer_id if visit else officer.customers.values_list(
            "pk", flat=True).first()
        return {"customer": customer, "visit": visit.pk if visit else None,
                "draft": draft.pk if draft else None, **self._deep_tokens()}

    def _deep_tokens(self) -> dict:
        """The bank-wide list's "next" tokens of the row 90% down the list, by name and by
        balance: where the old list's deep pages skipped that many rows."""
        row = int(Customer.objects.count() * 0.9)
        by_name = (Customer.objects.order_by("name", "pk").values_list("name", "pk")
                   [row:row + 1].first())
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.figure, c.id FROM customers_customer c LEFT JOIN (SELECT customer_id, "
                "SUM(balance) AS figure FROM customers_loan GROUP BY 1) s "
                "ON s.customer_id = c.id ORDER BY s.figure DESC NULLS LAST, c.id "
                "OFFSET %s LIMIT 1", [row])
            by_balance = cursor.fetchone()
        return {"deep": quote(keyset.encode("name:False", list(by_name))) if by_name else None,
                "deep_balance": quote(keyset.encode("-balance:False", list(by_balance)))
                if by_balance else None}

    def _deep_lists(self, users: dict[str, str]) -> dict:
        """The "next" tokens of the row 90% down the record checks due (an officer's, a
        team's, the administrator's one team and all teams) and the plan (a team's, the
        bank's)."""
        by_role = {role: User.objects.filter(username=name).first()
                   for role, name in users.items()}
        supervisor, admin = by_role.get("supervisor"), by_role.get("admin")
        team_id = supervisor.team_id if supervisor else None
        places: dict = {"due_team": team_id}

        def deep(rows, order: str) -> str | None:
            found = rows[int(rows.count() * 0.9):][:1]
            return quote(keyset.encode(order, list(found[0]))) if found else None

        for place, user, team in (("due_officer", by_role.get("officer"), None),
                                  ("due_supervisor", supervisor, None),
                                  ("due_admin_team", admin, team_id),
                                  ("due_admin_all", admin, None)):
            places[place] = user and deep(
                record_selectors.due_rows_for_user(user=user, team_id=team)
                .order_by("due_order", "id").values_list("due_order", "id"), "records-due")
        today = timezone.localdate()
        for place, user in (("plan_supervisor", supervisor), ("plan_admin", admin)):
            places[place] = user and deep(
                schedule_selectors.plan_tasks(user=user, today=today)
                .order_by("due_on", "pk").values_list("due_on", "pk"), "plan")
        return places

    def _sessions(self, usernames: set[str]) -> dict[str, str]:
        cookies = {}
        for username in usernames:
            client = Client()
            client.force_login(User.objects.get(username=username))
            cookies[username] = f"{settings.SESSION_COOKIE_NAME}=" \
                f"{client.cookies[settings.SESSION_COOKIE_NAME].value}"
        return cookies

    def _count_queries(self, path: str, username: str | None) -> int:
        client = Client(HTTP_HOST="127.0.0.1")
        if username:
            client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        return len(captured)

    def _wait_for(self, port: int) -> None:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1)  # noqa: S310
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the benchmark server did not start")

    def _print(self, results: list[Result]) -> None:
        header = (f"{'item':44} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'× floor':>8} "
                  f"{'× signed in':>11} {'errors':>6}")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in results:
            signed_in = f"{r.ratio_to_signed_in:>11.2f}" if r.ratio_to_signed_in else " " * 11
            self.stdout.write(f"{r.item:44} {r.queries:>7} {r.p50_ms:>8.2f} {r.p95_ms:>8.2f} "
                              f"{r.ratio_to_floor:>8.2f} {signed_in} {r.errors:>6}")

    def _print_growth(self, earlier_file: Path, results: list[Result], exported: list[dict],
                      book: dict) -> None:
        """Each item's p50 (an export's time and peak memory) here against the earlier run's:
        growth from that book to this one. Also each run's ratio to its own signed-in floor,
        which takes out what the machine's load did to both runs alike."""
        earlier = json.loads(earlier_file.read_text())
        before = {r["item"]: r for r in earlier["results"]}
        sizes = earlier.get("book") or {}
        self.stdout.write(
            f"\ngrowth from {earlier_file} ({sizes.get('customers', '?'):,} customers) to this "
            f"run ({book['customers']:,}):")
        header = (f"{'item':44} {'then ms':>8} {'now ms':>8} {'growth':>7} "
                  f"{'then × si':>9} {'now × si':>9} {'growth × si':>11}")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in results:
            then = before.get(r.item)
            if not then or not then["p50_ms"]:
                continue
            relative = ""
            if r.ratio_to_signed_in and then.get("ratio_to_signed_in"):
                relative = (f"{then['ratio_to_signed_in']:>9.2f} {r.ratio_to_signed_in:>9.2f} "
                            f"{r.ratio_to_signed_in / then['ratio_to_signed_in']:>11.2f}")
            self.stdout.write(f"{r.item:44} {then['p50_ms']:>8.2f} {r.p50_ms:>8.2f} "
                              f"{r.p50_ms / then['p50_ms']:>7.2f} {relative}")
        exports_then = {e["export"]: e for e in earlier.get("exports") or []}
        for export in exported:
            then = exports_then.get(export["export"])
            if then:
                self.stdout.write(
                    f"bank-wide {export['export']} export: {then['rows']:,} → {export['rows']:,} "
                    f"rows, {then['seconds']} → {export['seconds']} s, peak memory "
                    f"{then['peak_mb']} → {export['peak_mb']} MB")
