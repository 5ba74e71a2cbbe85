"""The visits part of a generated portfolio (see generate/__init__.py): ten submitted
visits per customer, one every two to three months back from today, each with the whole
checklist answered and figures that drift from visit to visit as a real business's do (the
first visit after a loan is paid out answers that loan's use of funds); the
high-debt-ratio signal where those figures call for it; a tenth of the customers also have a
draft in progress; the latest visit names who was interviewed."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from customers.models import RiskSignal
from loanwatch.devtools.generate import Context, copy_dicts, next_id, reset_sequence
from visits.models import FIRST_CHECK_LOOKBACK_DAYS, Interview, Visit, VisitLoanUse

VISITS_PER_CUSTOMER = 10
SUPPLIERS = ["本地钢材批发商", "华东原料供应站", "省农资公司", "电子元件贸易行", "包装材料厂"]
BUYERS = ["连锁超市", "本地建筑公司", "电商平台店铺", "外贸公司", "区县医院"]
CHUNK = 5_000  # customers per COPY batch: bounded memory at any scale


def _money(value: float) -> Decimal:
    return Decimal(str(round(max(value, 0), 2))).quantize(Decimal("0.01"))


def generate(ctx: Context) -> None:
    customers = ctx.shared["customers"]
    loans_of: dict[int, list[tuple[int, datetime.date]]] = {}
    for loan_id, customer, _kind, _amount, disbursed_on in ctx.shared.get("loans", []):
        loans_of.setdefault(customer, []).append((loan_id, disbursed_on))
    ids = {"visit": next_id(Visit), "interview": next_id(Interview)}
    totals = {"visits": 0, "interviews": 0, "signals": 0, "loan_uses": 0}
    for start in range(0, len(customers), CHUNK):
        visits, interviews, signals, uses = [], [], [], []
        for customer, _team, officer, kind in customers[start:start + CHUNK]:
            first = len(visits)
            _customer_visits(ctx, ids, customer, officer, kind, visits, interviews, signals)
            _first_checks(visits[first:], loans_of.get(customer, []), uses)
        totals["visits"] += copy_dicts(Visit, visits)
        totals["interviews"] += copy_dicts(Interview, interviews)
        totals["signals"] += copy_dicts(RiskSignal, signals)
        totals["loan_uses"] += copy_dicts(VisitLoanUse, uses)
    for model in (Visit, Interview, RiskSignal, VisitLoanUse):
        reset_sequence(model)
    ctx.say("visits {visits}, interviews {interviews}, visit signals {signals}".format(**totals))


def _first_checks(visits: list, loans: list, uses: list) -> None:
    """The customer's first submitted visit (of `visits`, the customer's) after each loan's
    payout, within the first-check window, answers that loan's use of funds as the visit
    itself did."""
    own = sorted((v for v in visits if v["status"] == "submitted"),
                 key=lambda v: v["visited_on"])
    window = datetime.timedelta(days=FIRST_CHECK_LOOKBACK_DAYS)
    for loan_id, disbursed_on in loans:
        first = next((v for v in own if disbursed_on <= v["visited_on"] <= disbursed_on + window),
                     None)
        if first is not None:
            uses.append({"visit_id": first["id"], "loan_id": loan_id, "use": first["loan_use"],
                         "note": ""})


def _customer_visits(ctx: Context, ids: dict, customer: int, officer: int, kind: str,
                     visits: list, interviews: list, signals: list) -> None:
    rng = ctx.rng
    corporate = kind == "corporate"
    revenue = rng.uniform(2e6, 8e7) if corporate else rng.uniform(8e4, 6e5)
    ratio = rng.uniform(0.2, 0.8)
    staff = rng.randint(8, 300)
    day = ctx.today - datetime.timedelta(days=rng.randint(5, 60))
    dates = []
    for _ in range(VISITS_PER_CUSTOMER):
        dates.append(day)
        day -= datetime.timedelta(days=rng.randint(60, 90))
    for n, visited_on in enumerate(reversed(dates)):
        visit_id = ids["visit"]
        revenue *= rng.uniform(0.85, 1.12)
        ratio = min(0.95, max(0.05, ratio + rng.uniform(-0.05, 0.05)))
        staff = max(3, int(staff * rng.uniform(0.9, 1.08)))
        submitted = datetime.datetime.combine(visited_on, datetime.time(17, 0),
                                              tzinfo=datetime.UTC)
        assets = revenue * 3
        row = {
            "id": visit_id, "customer_id": customer, "officer_id": officer,
            "visited_on": visited_on, "method": "on_site" if rng.random() < 0.85 else "phone",
            "status": "submitted", "submitted_at": submitted, "submitted_by_id": officer,
            "created_at": submitted, "version": 1,
            "address_changed": rng.random() < 0.03, "business_changed": rng.random() < 0.02,
            "revenue_last_year": _money(revenue * 4),
            "revenue_ytd": _money(revenue * visited_on.timetuple().tm_yday / 91),
            "revenue_change_reason": "订单季节性波动", "peak_season": "9-12月",
            "off_season": "1-2月", "gross_margin_pct": _money(rng.uniform(5, 35)),
            "loan_use": "as_declared" if rng.random() < 0.95 else "partly",
            "repayment_source": "经营收入",
            "repayment_pressure": rng.choice(["low", "low", "medium", "high"]),
            "customer_needs": "希望续贷", "summary": "经营正常，按时付息。",
            "main_suppliers": rng.choice(SUPPLIERS), "main_customers": rng.choice(BUYERS),
            "liquid_funds": _money(revenue * rng.uniform(0.05, 0.3)),
            "total_assets": _money(assets), "total_liabilities": _money(assets * ratio),
            "high_risk_investment": False,
        }
        if corporate:
            row.update({
                "employees_total": staff, "employees_on_site": int(staff * 0.8),
                "monthly_wage": _money(rng.uniform(4500, 9000)),
                "wages_on_time": rng.random() < 0.93,
                "office_area_m2": Decimal(rng.randint(80, 5000)),
                "monthly_rent": _money(rng.uniform(5e3, 2e5)),
                "receivables": _money(revenue * rng.uniform(0.1, 0.6)),
                "receivable_terms_days": rng.choice([30, 60, 90]),
                "payables": _money(revenue * rng.uniform(0.1, 0.4)),
                "payable_terms_days": rng.choice([30, 60]),
                "inventory": _money(revenue * rng.uniform(0.05, 0.3)),
                "inventory_turnover_days": rng.randint(20, 120),
            })
        else:
            row.update({"monthly_income": _money(revenue / 12),
                        "income_stable": rng.random() < 0.85, "income_source": "经营收入",
                        "household_assets": _money(revenue * rng.uniform(2, 8))})
        visits.append(row)
        if ratio >= 0.7:  # the rule's default threshold (visits/rules.py)
            signals.append({"customer_id": customer, "source": "visit", "source_id": visit_id,
                            "rule": "high_debt_ratio", "severity": "warning",
                            "raised_at": submitted, "raised_by_id": officer,
                            "params": json.dumps({"ratio": f"{ratio * 100:.1f}"})})
        if n == VISITS_PER_CUSTOMER - 1:
            for role, statement in (("actual_controller", "订单稳定，计划扩产。"),
                                    ("finance_head", "回款正常，无新增负债。")):
                interviews.append({"id": ids["interview"], "visit_id": visit_id, "role": role,
                                   "name": ctx.person_name(), "statement": statement,
                                   "topics": [5, 7]})
                ids["interview"] += 1
        ids["visit"] += 1
    if rng.random() < 0.1:  # a draft in progress
        visits.append({"id": ids["visit"], "customer_id": customer, "officer_id": officer,
                       "visited_on": ctx.today, "method": "on_site", "status": "draft",
                       "created_at": datetime.datetime.now(tz=datetime.UTC), "version": 0})
        ids["visit"] += 1
