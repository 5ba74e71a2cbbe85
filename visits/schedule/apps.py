from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    """回访制度: revisit policy, revisit tasks, the planner and risk events."""

    name = "visits.schedule"
    label = "schedule"
    verbose_name = _("Revisit schedule")

    def ready(self) -> None:
        from customers import sheet
        from loanwatch.core import notifications

        from .sections import tasks_section

        notifications.register("schedule.due_soon",
                               _("Revisit tasks due by %(date)s: %(n)s."))
        notifications.register("schedule.overdue", _("Revisit tasks now overdue: %(n)s."))
        notifications.register("schedule.digest",
                               _("Overdue revisit tasks in your team: %(n)s."))
        notifications.register("schedule.risk_event",
                               _("Risk event “%(title)s”: %(n)s customers to visit."))
        sheet.register(key="revisit-tasks", order=35, template="schedule/sheet_tasks.html",
                       context=tasks_section)
