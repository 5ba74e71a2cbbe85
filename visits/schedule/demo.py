"""Demo data of the revisit schedule: the demo portfolio planned, and one risk event declared.

Not called by loanwatch/core/demo.py on its own: call `load(users)` after the visits' demo data
(the plan follows from their visits). Loading twice changes nothing: the planner is idempotent
and the event is declared once.
"""

from __future__ import annotations

from customers.models import Industry

from . import services
from .models import RiskEvent
from .planner import plan

EVENT_TITLE = "钢材价格大幅下跌"


def load(users: dict) -> None:
    plan(trigger="demo")
    steel = Industry.objects.filter(code="C31").first()
    supervisor = users.get("supervisor1")
    if steel and supervisor and not RiskEvent.objects.filter(title=EVENT_TITLE).exists():
        services.risk_event_declare(acting_user=supervisor, data={
            "kind": RiskEvent.Kind.SYSTEMIC, "title": EVENT_TITLE,
            "description": "钢材现货价格一个月内下跌逾两成，走访钢材贸易及加工客户，"
                           "核实库存跌价与回款情况。",
            "target": RiskEvent.Target.INDUSTRY, "industry": steel, "due_within_days": 3})
