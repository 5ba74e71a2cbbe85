from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from customers import sheet
        from loanwatch.core import notifications

        from .sections import reports_section

        sheet.register(key="risk-reports", order=60, template="reports/_sheet_section.html",
                       context=reports_section)
        notifications.register("reports.awaiting", _(
            "Risk report %(pk)s on %(customer)s by %(author)s awaits your decision."))
        notifications.register("reports.approved", _(
            "%(decider)s approved your risk report %(pk)s on %(customer)s."))
        notifications.register("reports.rejected", _(
            "%(decider)s rejected your risk report %(pk)s on %(customer)s."))
        notifications.register("reports.returned", _(
            "%(decider)s returned your risk report %(pk)s on %(customer)s for revision."))
