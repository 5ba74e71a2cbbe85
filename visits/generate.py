"""The visits part of a generated portfolio (see loanwatch/core/generate.py).

Per customer ten submitted visits, a quarter of a year apart and ending within the last four
months, mostly on site; each with the checklist's main figures (drifting from visit to visit),
two people interviewed, and the high-debt-ratio signal where the figures call for it. About one
customer in twenty also has a draft. Rows are written with COPY, as the rest of the generator
does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from customers.models import RiskSignal
from loanwatch.core.generate import Context, copy_dicts, next_id, reset_sequence

from .models import Interview, Visit

VISITS_PER_CUSTOMER = 10
METHODS = ["on_site"] * 8 + ["phone", "video"]
PRESSURE = ["low"] * 6 + ["medium"] * 3 + ["high"]
PEOPLE = [("finance_head", "财务负责人"), ("actual_controller", "实际控制人"),
          ("employee", "员工"), ("borrower", "借款人")]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(Decimal("0.01"))


def generate(ctx: Context) -> None:
    rng = ctx.rng
    customers = ctx.shared.get("customers", [])
    visit_id, interview_id = next_id(Visit), next_id(Interview)
    visits: list[dict] = []
    interviews: list[dict] = []
    signals: list[dict] = []
    for customer, _team, officer, kind in customers:
        count = VISITS_PER_CUSTOMER
        day = ctx.today - datetime.timedelta(days=rng.randint(5, 120))
        dates = sorted(day - datetime.timedelta(days=91 * n + rng.randint(0, 20))
                       for n in range(count))
        assets = rng.uniform(2e6, 8e7) if kind == "corporate" else rng.uniform(5e5, 8e6)
        ratio = rng.uniform(0.2, 0.85)
        staff = rng.randint(8, 400)
        drafts = [ctx.today] if rng.random() < 0.05 else []
        for visited_on in dates + drafts:
            submitted = visited_on not in drafts
            ratio = min(0.98, max(0.05, ratio + rng.uniform(-0.06, 0.06)))
            staff = max(1, int(staff * rng.uniform(0.85, 1.1)))
            at = datetime.datetime.combine(visited_on, datetime.time(17, 0),
                                           tzinfo=datetime.UTC)
            row = {"id": visit_id, "customer_id": customer, "officer_id": officer,
                   "visited_on": visited_on, "method": rng.choice(METHODS),
                   "status": "submitted" if submitted else "draft", "created_at": at,
                   "submitted_at": at if submitted else None,
                   "submitted_by_id": officer if submitted else None,
                   "address_changed": rng.random() < 0.03, "business_changed": False,
                   "liquid_funds": _money(assets * rng.uniform(0.02, 0.1)),
                   "revenue_last_year": _money(assets * 0.6),
                   "revenue_ytd": _money(assets * 0.6 * visited_on.timetuple().tm_yday / 365
                                         * rng.uniform(0.7, 1.2)),
                   "loan_use": "as_declared" if rng.random() < 0.95 else "partly",
                   "total_assets": _money(assets), "total_liabilities": _money(assets * ratio),
                   "repayment_source": "经营收入", "repayment_pressure": rng.choice(PRESSURE)}
            if kind == "corporate":
                row.update({"employees_total": staff,
                            "employees_on_site": max(1, int(staff * 0.85)),
                            "wages_on_time": rng.random() < 0.93,
                            "receivables": _money(assets * rng.uniform(0.05, 0.3)),
                            "payables": _money(assets * rng.uniform(0.05, 0.25)),
                            "inventory": _money(assets * rng.uniform(0.05, 0.3)),
                            "gross_margin_pct": _money(rng.uniform(5, 35))})
            else:
                row.update({"monthly_income": _money(rng.uniform(6000, 60000)),
                            "income_stable": rng.random() < 0.85,
                            "household_assets": _money(assets)})
            visits.append(row)
            for role, label in rng.sample(PEOPLE, 2):
                interviews.append({"id": interview_id, "visit_id": visit_id, "role": role,
                                   "name": ctx.person_name(), "statement": f"{label}：经营正常",
                                   "topics": [3, 5]})
                interview_id += 1
            if submitted and ratio >= 0.7:
                signals.append({"customer_id": customer, "source": "visit",
                                "source_id": visit_id, "rule": "high_debt_ratio",
                                "severity": "warning", "raised_at": at,
                                "raised_by_id": officer,
                                "params": f'{{"ratio": "{ratio * 100:.1f}"}}'})
            visit_id += 1
    copy_dicts(Visit, visits)
    reset_sequence(Visit)
    copy_dicts(Interview, interviews)
    reset_sequence(Interview)
    copy_dicts(RiskSignal, signals)
    reset_sequence(RiskSignal)
    ctx.say(f"visits {len(visits)}, visit signals {len(signals)}")
