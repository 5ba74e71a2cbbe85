"""Demo risk reports on the demo visits: one awaiting the Haidian supervisor, one approved in
Pudong (its measures on the officer's home page), one returned to its author with a comment.

Idempotent: a visit that already has a report is left alone. Only the demo's own customers'
visits are reported on (`demo_customers()`), whatever other customers are called.
"""

from __future__ import annotations

from datetime import date

from customers.models import RiskGroup
from loanwatch.devtools.demo.customers import demo_customers
from reports import services
from reports.models import Measure, RiskReport
from visits.models import Visit

# (customer, visit date, warning, assessment, proposed risk group code,
#  [(measure code, due date, note)], a point added by hand, decider, decision, comment)
REPORTS = [
    ("北京华信精密机械有限公司", date(2026, 9, 18), "orange",
     "主要客户订单减少，应收账款回收放缓，现金流趋紧；抵押厂房估值下降。建议加强监控并追加担保。",
     "watch",
     [("more_visits", None, "每月回访一次"), ("more_security", date(2027, 1, 31),
                                             "追加实际控制人个人连带责任保证")],
     "实际控制人近期频繁出境", None, "", ""),
    ("上海浦江置业发展有限公司", date(2026, 10, 20), "yellow",
     "项目销售去化慢于预期，但回款仍可覆盖本息，保持关注。",
     "watch",
     [("reduce_line", date(2026, 12, 31), "暂停未使用额度的提款"),
      ("more_visits", date(2026, 12, 15), "")],
     "预售资金监管账户余额下降", "supervisor2", "approve", "同意，按期落实措施。"),
    ("孙志强", date(2026, 6, 2), "blue",
     "门店经营正常，收入略有下降。",
     None, [], "门店客流减少", "supervisor1", "return",
     "请补充近三个月流水情况后再提交。"),
]


def load(users: dict) -> None:
    measures = {m.code: m for m in Measure.objects.all()}
    groups = {g.code: g for g in RiskGroup.objects.all()}
    for (name, visited_on, warning, assessment, group, planned, extra, decider, decision,
         comment) in REPORTS:
        visit = (Visit.objects.filter(customer__in=demo_customers(), customer__name=name,
                                      visited_on=visited_on,
                                      status=Visit.Status.SUBMITTED)
                 .select_related("customer").first())
        if visit is None or RiskReport.objects.filter(visit=visit).exists():
            continue
        customer = visit.customer
        author = customer.officer
        report = services.report_start(customer=customer, acting_user=author, visit=visit)
        points = [{"id": p.pk, "category": p.category, "severity": p.severity, "text": p.text}
                  for p in report.points.all()]
        points.append({"category": "people", "severity": "warning", "text": extra})
        report = services.report_save(
            report=report, acting_user=author,
            data={"assessment": assessment, "warning_level": warning,
                  "proposed_risk_group": groups.get(group) if group else None},
            points=points, classifications={},
            measures=[{"measure": measures[code], "due_on": due, "note": note}
                      for code, due, note in planned if code in measures])
        report = services.report_submit(report=report, acting_user=author)
        if decider and decider in users:
            services.report_decide(report=report, acting_user=users[decider],
                                   decision=decision, comment=comment)
