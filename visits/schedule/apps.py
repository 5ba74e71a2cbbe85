from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    """回访制度: revisit policy, revisit tasks, the planner and risk events."""

    name = "visits.schedule"
    label = "schedule"
    verbose_name = _("Revisit schedule")

