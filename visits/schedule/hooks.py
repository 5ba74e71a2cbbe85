"""What the revisit schedule contributes to pages and jobs it does not own, and what it does
when a visit is submitted (see loanwatch/core/hooks.py and docs/architecture.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from customers.ledger import LedgerColumn
from customers.sheet import Section
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks
from loanwatch.core.charts import Chart
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from . import charts, ledger, selectors, services, tasks
from .sections import tasks_section

hooks.register("menu_entries", MenuEntry(label=_("Revisit plan"), url_name="schedule:plan",
                                         roles=Role.values), order=30)
hooks.register("menu_entries", MenuEntry(label=_("Risk events"), url_name="schedule:event_list",
                                         roles=[Role.SUPERVISOR, Role.ADMIN]), order=70)
hooks.register("menu_entries", MenuEntry(label=_("Risk groups"),
                                         url_name="schedule:risk_group_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=40)
hooks.register("menu_entries", MenuEntry(label=_("Revisit policy"), url_name="schedule:policy",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=50)

hooks.register("home_cards", HomeCard(key="revisits", template="schedule/_home_card.html",
                                      roles=Role.values, context=selectors.revisit_card),
               order=30)
hooks.register("home_cards", HomeCard(key="week", template="schedule/_home_week.html",
                                      roles=[Role.OFFICER], context=selectors.week_card),
               order=50)
hooks.register("home_cards", HomeCard(key="officers", template="schedule/_home_by_officer.html",
                                      roles=[Role.SUPERVISOR], context=selectors.officers_card),
               order=50)
hooks.register("home_cards", HomeCard(key="planner-run",
                                      template="schedule/_home_planner_run.html",
                                      roles=[Role.ADMIN], context=selectors.planner_run_card),
               order=90)

hooks.register("customer_sheet_sections", Section(
    key="revisit-tasks", template="schedule/sheet_tasks.html", context=tasks_section), order=33)

hooks.register("ledger_columns", LedgerColumn(
    key="ledger_next_due", header=_("next visit due"), expression=ledger.next_due, width=12))
hooks.register("ledger_columns", LedgerColumn(
    key="ledger_days_overdue", header=_("days overdue"), source="ledger_next_due",
    show=ledger.days_overdue, width=8))
hooks.register("customer_workbook_tables", ledger.sheet_tables)

hooks.register("charts", Chart(key="on-time-by-month", title=_("On-time visit rate by month"),
                               kind="line", build=charts.on_time_by_month), order=40)
hooks.register("charts", Chart(key="on-time-by-officer",
                               title=_("On-time visit rate by officer"),
                               kind="bar", build=charts.on_time_by_officer), order=50)
hooks.register("charts", Chart(key="overdue-by-week", title=_("Overdue tasks week by week"),
                               kind="line", build=charts.overdue_by_week), order=60)

hooks.register("notification_kinds", ("schedule.due_soon",
                                      _("Revisit tasks due by %(date)s: %(n)s.")))
hooks.register("notification_kinds", ("schedule.overdue", _("Revisit tasks now overdue: %(n)s.")))
hooks.register("notification_kinds", ("schedule.digest",
                                      _("Overdue revisit tasks in your team: %(n)s.")))
hooks.register("notification_kinds", ("schedule.risk_event",
                                      _("Risk event “%(title)s”: %(n)s customers to visit.")))

hooks.register("periodic_catch_up", tasks.send_catch_up)
hooks.register("visit_submitted", services.visit_submitted)
hooks.register("visit_schedule_note", services.visit_schedule_note)
hooks.register("visit_briefing_items", selectors.briefing_items, order=10)
hooks.register("customer_risk_changed", services.customer_risk_changed)
hooks.register("customer_reassigned", services.customer_reassigned)
hooks.register("serious_finding_recorded", services.serious_finding_recorded)
hooks.register("loan_arrears_signalled", services.loan_arrears_signalled)
hooks.register("visit_task_choices", selectors.tasks_to_fulfil)
