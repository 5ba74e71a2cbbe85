"""The benchmark's planner item: the revisit planner over the whole portfolio against its floor,
the very statements the planner issues, replayed straight through the driver's cursor.

Both sides start from the same state. Each round opens a transaction that shortens every revisit
interval by one day (as an administrator's change would, so that every periodic task has to move
and its overdue mark be recomputed), runs the planner twice — a run with work to do, then a
second run that must change nothing — and rolls everything back, leaving the database as it was
found. The floor's rounds do the same with the statements captured from a planner run. Rounds
alternate which side goes first, so that neither always meets the colder cache.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from visits.schedule.planner import PlanResult, plan

# The state the measured runs start from: every interval a day shorter than the policy's.
SHIFT_SQL = (
    "UPDATE customers_riskgroup SET default_interval_days = default_interval_days - 1 "
    "WHERE default_interval_days > 1",
    "UPDATE schedule_revisitpolicy SET interval_days = interval_days - 1 WHERE interval_days > 1",
)

Statement = tuple[str, Any]


@dataclass
class PlannerBench:
    """Milliseconds per round for each side; `changes` is what the first run changed."""

    statements: int = 0
    second_statements: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    second_changes: int = 0
    planner_ms: list[float] = field(default_factory=list)
    floor_ms: list[float] = field(default_factory=list)
    second_planner_ms: list[float] = field(default_factory=list)
    second_floor_ms: list[float] = field(default_factory=list)
    # The floor's slowest statements in its last round: (milliseconds, the statement's start).
    slowest: list[tuple[float, str]] = field(default_factory=list)


@contextmanager
def _shifted_state() -> Iterator[None]:
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in SHIFT_SQL:
                cursor.execute(statement)
        yield
        transaction.set_rollback(True)


@contextmanager
def _capturing(into: list[Statement]) -> Iterator[None]:
    def record(execute: Callable, sql: str, params: Any, many: bool, context: dict):
        if many:  # the planner issues none; kept whole so that a replay would match
            into.extend((sql, p) for p in params)
        else:
            into.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield


def _replay(statements: list[Statement], timings: list[tuple[float, str]]) -> float:
    """Run the statements on the driver's own cursor; the result rows are read, as the ORM
    reads them. Returns milliseconds."""
    connection.ensure_connection()
    raw = connection.connection.cursor()
    started = time.perf_counter()
    try:
        for sql, params in statements:
            before = time.perf_counter()
            raw.execute(sql, params)
            if raw.description is not None:
                raw.fetchall()
            timings.append(((time.perf_counter() - before) * 1000, " ".join(sql.split())[:70]))
    finally:
        raw.close()
    return (time.perf_counter() - started) * 1000


def _timed_plan() -> tuple[float, PlanResult]:
    started = time.perf_counter()
    result = plan(trigger="bench")
    return (time.perf_counter() - started) * 1000, result


def run(*, rounds: int = 3) -> PlannerBench:
    bench = PlannerBench()
    first: list[Statement] = []
    second: list[Statement] = []
    # A first round, untimed, captures the statements and warms the cache for both sides.
    with _shifted_state():
        with _capturing(first):
            result = plan(trigger="bench")
        with _capturing(second):
            again = plan(trigger="bench")
    bench.statements, bench.second_statements = len(first), len(second)
    bench.changes, bench.second_changes = result.as_dict(), again.changed

    def planner_round() -> None:
        with _shifted_state():
            ms, _result = _timed_plan()
            bench.planner_ms.append(ms)
            ms, _result = _timed_plan()
            bench.second_planner_ms.append(ms)

    def floor_round() -> None:
        timings: list[tuple[float, str]] = []
        with _shifted_state():
            bench.floor_ms.append(_replay(first, timings))
            bench.second_floor_ms.append(_replay(second, []))
        bench.slowest = sorted(timings, reverse=True)[:3]

    for n in range(rounds):
        for side in ((floor_round, planner_round) if n % 2 == 0
                     else (planner_round, floor_round)):
            side()
    return bench


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def p95(values: list[float]) -> float:
    ordered = sorted(values) or [0.0]
    return round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 2)
