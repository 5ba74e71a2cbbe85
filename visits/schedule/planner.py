"""The revisit planner: a few set-based statements over the whole portfolio (or some customers).

For every active customer with an outstanding loan it keeps one open periodic task due at the
last qualifying visit + the policy's interval (or, before any visit, the earliest outstanding
disbursement + the first-check days); raises a first check for each recent loan that no visit
has followed yet; cancels the periodic and first-check tasks of customers with nothing
outstanding; and marks the open tasks that fell overdue.

Why it is safe to run twice, or twice at once: every statement changes only rows that differ from
their target (so a second run changes nothing), new tasks go in with INSERT … ON CONFLICT against
the partial unique indexes (so a racing run cannot double them), and a whole-portfolio run holds
a transaction-level advisory lock, so a second one waits and then finds the work done. A run is
one transaction: a worker that dies halfway leaves nothing half-done, and the next run does all.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

import pgtrigger
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from visits.models import FIRST_CHECK_LOOKBACK_DAYS, ON_SITE_METHODS, REMOTE_METHODS, Visit

from .models import PlannerRun, RevisitTask, ScheduleSettings

# pg_advisory_xact_lock key of whole-portfolio runs ("revisit" in ASCII, as a bigint).
PLANNER_LOCK = 0x7265766973697400
# Which methods count is the visits app's to say (visits.models); they come in as parameters.
QUALIFYING = """
    v.status = %(submitted)s
    AND (v.method = ANY(%(on_site_methods)s)
         OR (v.method = ANY(%(remote_methods)s) AND {remote}))
"""


@dataclass
class PlanResult:
    created: int = 0
    moved: int = 0
    cancelled: int = 0
    first_checks: int = 0
    overdue: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.moved + self.cancelled + self.first_checks + self.overdue

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


TARGET_SQL = """
CREATE TEMP TABLE schedule_plan_target ON COMMIT DROP AS
SELECT c.id AS customer_id, c.officer_id, iv.remote_counts,
       CASE WHEN lv.last_on IS NOT NULL THEN lv.last_on + iv.days
            ELSE fl.first_on + %(first_check_days)s END AS due_on
FROM customers_customer c
JOIN customers_riskgroup rg ON rg.id = c.risk_group_id
LEFT JOIN customers_industry ind ON ind.id = c.industry_id
LEFT JOIN schedule_revisitpolicy p
       ON p.risk_group_id = c.risk_group_id AND p.customer_kind = c.kind
CROSS JOIN LATERAL (
    SELECT CASE WHEN COALESCE(ind.high_risk, FALSE) AND %(cap)s::int IS NOT NULL
                THEN LEAST(COALESCE(p.interval_days, rg.default_interval_days), %(cap)s::int)
                ELSE COALESCE(p.interval_days, rg.default_interval_days) END AS days,
           COALESCE(p.remote_counts, FALSE) AS remote_counts
) iv
CROSS JOIN LATERAL (
    SELECT max(v.visited_on) AS last_on FROM visits_visit v
    WHERE v.customer_id = c.id AND {qualifying}
) lv
CROSS JOIN LATERAL (
    SELECT min(l.disbursed_on) AS first_on FROM customers_loan l
    WHERE l.customer_id = c.id AND l.balance > 0
) fl
WHERE c.status = 'active' AND fl.first_on IS NOT NULL {scope_c}
""".format(qualifying=QUALIFYING.format(remote="iv.remote_counts"),  # noqa: S608 (constants)
           scope_c="{scope_c}")

MOVE_SQL = """
UPDATE schedule_revisittask t
SET due_on = pt.due_on, officer_id = pt.officer_id,
    overdue_since = CASE WHEN t.due_on = pt.due_on THEN t.overdue_since END,
    reminded_at = CASE WHEN t.due_on = pt.due_on THEN t.reminded_at END,
    overdue_notified_at = CASE WHEN t.due_on = pt.due_on THEN t.overdue_notified_at END
FROM schedule_plan_target pt
WHERE t.customer_id = pt.customer_id AND t.status = 'open' AND t.reason = 'periodic'
  AND (t.due_on, t.officer_id) IS DISTINCT FROM (pt.due_on, pt.officer_id)
RETURNING t.*
"""

CREATE_SQL = """
INSERT INTO schedule_revisittask
    (customer_id, officer_id, reason, note, source_key, due_on, status, created_at)
SELECT pt.customer_id, pt.officer_id, 'periodic', '', '', pt.due_on, 'open', now()
FROM schedule_plan_target pt
-- No NOT EXISTS here: the partial unique index decides. An anti join against the index this
-- statement writes made PostgreSQL merge-scan it while inserting (a minute at 100,000 rows);
-- a customer who has the task costs one index probe (and a sequence number).
ON CONFLICT (customer_id) WHERE status = 'open' AND reason = 'periodic' DO NOTHING
RETURNING *
"""

FIRST_CHECK_SQL = """
INSERT INTO schedule_revisittask
    (customer_id, officer_id, reason, note, source_key, due_on, status, created_at)
SELECT pt.customer_id, pt.officer_id, 'first_check', l.contract_number,
       'first_check:loan:' || l.id, l.disbursed_on + %(first_check_days)s, 'open', now()
FROM schedule_plan_target pt
JOIN customers_loan l ON l.customer_id = pt.customer_id
WHERE l.balance > 0 AND l.disbursed_on >= %(lookback)s
  -- A loan's first check is done once a submitted visit answered its use of funds.
  AND NOT EXISTS (SELECT 1 FROM visits_visitloanuse u
                  JOIN visits_visit v ON v.id = u.visit_id
                  WHERE u.loan_id = l.id AND u.use <> '' AND v.status = %(submitted)s)
ON CONFLICT (customer_id, source_key) WHERE NOT (source_key = '') DO NOTHING
RETURNING *
"""

CANCEL_SQL = """
UPDATE schedule_revisittask t SET status = 'cancelled', closed_at = now()
WHERE t.status = 'open' AND t.reason IN ('periodic', 'first_check') {scope_t}
  AND NOT EXISTS (SELECT 1 FROM schedule_plan_target pt WHERE pt.customer_id = t.customer_id)
RETURNING t.*
"""

# Tasks follow their customer to a new officer (the periodic one is moved above).
REASSIGN_SQL = """
UPDATE schedule_revisittask t SET officer_id = c.officer_id
FROM customers_customer c
WHERE c.id = t.customer_id AND t.status = 'open' AND t.officer_id <> c.officer_id {scope_t}
RETURNING t.*
"""

OVERDUE_SQL = """
UPDATE schedule_revisittask t SET overdue_since = %(today)s
WHERE t.status = 'open' AND t.due_on < %(today)s AND t.overdue_since IS NULL {scope_t}
RETURNING t.*
"""


def plan(customer_ids: list[int] | None = None, today: datetime.date | None = None,
         trigger: str = "") -> PlanResult:
    """Bring the open tasks of `customer_ids` (all customers when None) in line with the policy.

    Call it inside the transaction of a change that moves a customer's schedule (a visit
    submitted, a risk group changed): the tasks follow in the same commit. A whole-portfolio run
    records itself as a PlannerRun.
    """
    today = today or timezone.localdate()
    if customer_ids is not None:
        customer_ids = sorted({int(pk) for pk in customer_ids})
        if not customer_ids:
            return PlanResult()
        with transaction.atomic():
            return _plan(customer_ids=customer_ids, today=today)

    run = PlannerRun.objects.create(started_at=timezone.now(), planned_for=today,
                                    trigger=trigger[:40])
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PLANNER_LOCK])
        result = _plan(customer_ids=None, today=today)
        PlannerRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(),
                                                    **result.as_dict())
    return result


def plan_if_missed(*, now: datetime.datetime | None = None,
                   trigger: str = "catch-up") -> PlanResult | None:
    """Run today's whole-portfolio plan if the planner time has passed and no run of today has
    finished; None when there is nothing to catch up."""
    now = timezone.localtime(now)
    hour, minute = (int(part) for part in settings.REVISIT_PLANNER_TIME.split(":"))
    if now.time() < datetime.time(hour, minute):
        return None
    today = now.date()
    if PlannerRun.objects.filter(planned_for=today, finished_at__isnull=False).exists():
        return None
    return plan(today=today, trigger=trigger)


def _plan(*, customer_ids: list[int] | None, today: datetime.date) -> PlanResult:
    rules = ScheduleSettings.load()
    params = {
        "first_check_days": rules.first_check_days,
        "cap": rules.high_risk_industry_cap_days,
        "today": today,
        "lookback": today - datetime.timedelta(days=FIRST_CHECK_LOOKBACK_DAYS),
        "ids": customer_ids,
        "submitted": Visit.Status.SUBMITTED.value,
        "on_site_methods": list(ON_SITE_METHODS),
        "remote_methods": list(REMOTE_METHODS),
    }
    scope_c = "AND c.id = ANY(%(ids)s)" if customer_ids is not None else ""
    scope_t = "AND t.customer_id = ANY(%(ids)s)" if customer_ids is not None else ""
    result = PlanResult()
    # The audit trail's row triggers would call pghistory's context function once per row, and
    # at the scale of a bank that made a first run take minutes; the statements below write the
    # same history rows themselves, one INSERT … SELECT per change, in the same transaction.
    with connection.cursor() as cursor:
        # What pgtrigger.ignore() does, said directly: its wrapper cannot take named parameters.
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)",
                       ["{" + ",".join(_task_trigger_ids()) + "}"])
        # A second call in the same transaction (a visit submitted, then a report approved)
        # builds its own target.
        cursor.execute("DROP TABLE IF EXISTS schedule_plan_target")
        cursor.execute(TARGET_SQL.format(scope_c=scope_c), params)
        cursor.execute("CREATE INDEX ON schedule_plan_target (customer_id)")
        cursor.execute("ANALYZE schedule_plan_target")
        result.moved = _audited(cursor, MOVE_SQL, params, "update")
        result.created = _audited(cursor, CREATE_SQL, params, "insert")
        result.first_checks = _audited(cursor, FIRST_CHECK_SQL, params, "insert")
        result.cancelled = _audited(cursor, CANCEL_SQL.format(scope_t=scope_t), params, "update")
        result.moved += _audited(cursor, REASSIGN_SQL.format(scope_t=scope_t), params, "update")
        result.overdue = _audited(cursor, OVERDUE_SQL.format(scope_t=scope_t), params, "update")
        cursor.execute("DROP TABLE schedule_plan_target")
        cursor.execute("SELECT set_config('pgtrigger.ignore', '{}', true)")
    return result


def _task_trigger_ids() -> list[str]:
    found = pgtrigger.registered("schedule.RevisitTask:insert_insert",
                                 "schedule.RevisitTask:update_update")
    return [trigger.get_pgid(model) for model, trigger in found]


def _audited(cursor, statement: str, params: dict, label: str) -> int:
    """Run a write that RETURNs the rows it wrote and record each in the task's history, as the
    row trigger would (label insert/update, no request context: the planner is nobody)."""
    columns = [f.column for f in RevisitTask._meta.concrete_fields]
    listed = ", ".join(f'"{c}"' for c in columns)
    sql = (f"WITH changed AS ({statement}) "  # noqa: S608 (column names from the model)
           f"INSERT INTO schedule_revisittaskevent ({listed}, pgh_context_id, pgh_created_at, "
           f"pgh_label, pgh_obj_id) SELECT {listed}, NULL, now(), '{label}', id FROM changed")
    cursor.execute(sql, params)
    return cursor.rowcount
