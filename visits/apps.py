from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from customers import risk_signals, sheet

        from . import rules, sections

        for rule in rules.RULES:
            risk_signals.register(rule.code, label=rule.label, text=rule.text)
        sheet.register(key="visits", order=30, template="visits/sheet_visits.html",
                       context=sections.visits_section)
        sheet.register(key="risk-signals", order=35, template="visits/sheet_signals.html",
                       context=sections.signals_section)
