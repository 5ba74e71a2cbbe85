"""Demo data of the revisit schedule: the demo portfolio planned, and one risk event declared.

Loaded after the visits' demo data (the plan follows from their visits), as INSTALLED_APPS
orders the "demo_loaders". Loading twice changes nothing: the planner is idempotent
and the event is declared once. Both reach the demo's own customers only (`demo_customers()`);
the bank's customers are planned by beat's planner run, as every morning.
"""

from __future__ import annotations

from loanwatch.devtools.demo.customers import demo_customers
from visits.schedule import services
from visits.schedule.models import RiskEvent
from visits.schedule.planner import plan

EVENT_TITLE = "钢材价格大幅下跌"


def load(users: dict) -> None:
    ours = demo_customers()
    plan(customer_ids=list(ours.values_list("pk", flat=True)))
    steel = list(ours.filter(industry__code="C31").values_list("pk", flat=True))
    supervisor = users.get("supervisor1")
    if steel and supervisor and not RiskEvent.objects.filter(title=EVENT_TITLE).exists():
        # Chosen by hand among the demo's steel customers: an industry-wide event would reach
        # every steel customer in the team, the bank's own included.
        services.risk_event_declare(acting_user=supervisor, customer_ids=steel, data={
            "kind": RiskEvent.Kind.SYSTEMIC, "title": EVENT_TITLE,
            "description": "钢材现货价格一个月内下跌逾两成，回访钢材贸易及加工客户，"
                           "核实库存跌价与回款情况。",
            "target": RiskEvent.Target.HAND, "due_within_days": 3})
