"""The record-checks part of a generated portfolio (see generate/__init__.py): six
monthly checks of each customer itself, the latest dated within the last seven weeks so that
some customers are due; one customer in thirty has a new record in its latest check — an
enforcement case, a lawsuit judged against it, an equity freeze, an administrative penalty or
tax arrears — with the finding and the risk signal that check raised."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from customers.models import Customer, RiskSignal
from customers.records import subjects
from customers.records.diff import Thresholds, compare
from customers.records.models import Finding, RecordCheck, RecordEntry
from customers.records.providers import CheckData, EntryData
from loanwatch.devtools.generate import Context, copy_dicts, next_id, reset_sequence

CHECKS_PER_CUSTOMER = 6
# (entry kind, the entry's further fields); the finding and whether it is serious are what
# diff.py finds with the policy's default thresholds.
NEW_RECORDS: list[tuple[str, dict[str, Any]]] = [
    ("enforcement", {}),
    ("lawsuit", {"cause": "借款合同纠纷", "stage": "judged"}),
    ("equity_freeze", {"cause": "所持股权"}),
    ("penalty", {"cause": "环保违法"}),
    ("tax_arrears", {"cause": "增值税"}),
]
THRESHOLDS = Thresholds()
CHUNK = 5_000  # customers per COPY batch: bounded memory at any scale


def generate(ctx: Context) -> None:
    customers = ctx.shared["customers"]
    ids = {m: next_id(m) for m in (RecordCheck, RecordEntry, Finding)}
    report_year = ctx.today.year - 1 if ctx.today.month > 6 else ctx.today.year - 2
    totals = dict.fromkeys(("checks", "entries", "findings"), 0)
    for start in range(0, len(customers), CHUNK):
        checks, entries, findings, signals = [], [], [], []
        for customer, _team, officer, kind in customers[start:start + CHUNK]:
            day = ctx.today - datetime.timedelta(days=ctx.rng.randint(1, 50))
            new_case = ctx.rng.random() < 1 / 30
            for n in range(CHECKS_PER_CUSTOMER):
                check_id = ids[RecordCheck]
                ids[RecordCheck] += 1
                on = day - datetime.timedelta(days=30 * n)
                at = datetime.datetime.combine(on, datetime.time(10), tzinfo=datetime.UTC)
                checks.append({
                    "id": check_id, "customer_id": customer, "person_id": None,
                    "checked_on": on, "checked_by_id": officer, "source": "feed",
                    "licence_status": "in_business" if kind == "corporate" else "",
                    "annual_report_year": report_year if kind == "corporate" else None,
                    "abnormal_listed": False, "created_at": at})
                if n == 0 and new_case:
                    entry_kind, more = ctx.rng.choice(NEW_RECORDS)
                    case = f"（{on.year}）执{check_id}号"
                    amount = Decimal(ctx.rng.randint(20, 900) * 1000)
                    entry = EntryData(kind=entry_kind, case_number=case, court="基层人民法院",
                                      amount=amount, **more)
                    # The finding exactly as a check would have found it.
                    found = compare(previous=None, is_company=False, thresholds=THRESHOLDS,
                                    current=CheckData(checked_on=on, entries=(entry,)))[0]
                    entries.append({"id": ids[RecordEntry], "record_check_id": check_id,
                                    "kind": entry_kind, "case_number": case,
                                    "court": "基层人民法院", "amount": f"{amount:.2f}",
                                    "filed_on": on - datetime.timedelta(days=20),
                                    "closed": False, **more})
                    ids[RecordEntry] += 1
                    findings.append({"id": ids[Finding], "record_check_id": check_id,
                                     "kind": found.kind, "serious": found.serious,
                                     "params": json.dumps(found.params, ensure_ascii=False)})
                    ids[Finding] += 1
                    signals.append({
                        "customer_id": customer, "source": "record_check",
                        "source_id": check_id, "rule": f"record_{found.kind}",
                        "severity": "serious" if found.serious else "warning",
                        "raised_at": at, "raised_by_id": officer,
                        "params": {"count": 1, "cases": case, "year": "", "new": ""}})
        # The signal names its subject, here the customer itself.
        names = dict(Customer.objects.filter(pk__in=[s["customer_id"] for s in signals])
                     .values_list("pk", "name"))
        for signal in signals:
            signal["params"] = json.dumps({**signal["params"],
                                           "subject": names[signal["customer_id"]]},
                                          ensure_ascii=False)
        totals["checks"] += copy_dicts(RecordCheck, checks)
        totals["entries"] += copy_dicts(RecordEntry, entries)
        totals["findings"] += copy_dicts(Finding, findings)
        copy_dicts(RiskSignal, signals)
    for model in (RecordCheck, RecordEntry, Finding, RiskSignal):
        reset_sequence(model)
    # COPY passes the model signals by: each subject's last check is kept in one pass.
    subjects.sync()
    ctx.say("record checks {checks}, court records {entries}, findings {findings}"
            .format(**totals))
