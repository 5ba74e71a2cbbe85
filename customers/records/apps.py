from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """检查基础信息: checks of public records about customers and the people behind them."""

    name = "customers.records"
    label = "records"
    verbose_name = _("Record checks")

    def ready(self) -> None:
        from customers import risk_signals, sheet
        from loanwatch.core import notifications

        from .sections import record_checks_section
        from .services import RULE_PREFIX

        rules = {
            "new_case": (_("New enforcement case"),
                         _("%(subject)s: new enforcement case %(cases)s.")),
            "case_closed": (_("Enforcement case closed"),
                            _("%(subject)s: enforcement case %(cases)s closed.")),
            "licence_changed": (_("Licence status changed"),
                                _("%(subject)s: business licence status changed.")),
            "annual_report_missing": (_("Annual report missing"),
                                      _("%(subject)s: no annual report for %(year)s.")),
            "newly_dishonest": (_("New dishonest-debtor entry"),
                                _("%(subject)s: listed as a dishonest debtor (%(cases)s).")),
            "new_restriction": (_("New consumption restriction"),
                                _("%(subject)s: consumption restricted (%(cases)s).")),
            "abnormal_listed": (_("Abnormal-operation listing"),
                                _("%(subject)s: put on the abnormal-operation list.")),
        }
        for kind, (label, text) in rules.items():
            risk_signals.register(RULE_PREFIX + kind, label=label, text=text)
        notifications.register("records.due", _("%(n)s record checks are due."))
        sheet.register(key="record-checks", order=25, template="records/sheet_checks.html",
                       context=record_checks_section)
