"""What record checks contribute to pages and jobs they do not own (see loanwatch/core/hooks.py
and docs/architecture.md)."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customers.ledger import LedgerColumn
from customers.risk_signals import Rule
from customers.sheet import Section
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from . import ledger, selectors, spread, subjects  # noqa: F401  (subjects follows customers)
from .models import FindingKind
from .sections import record_checks_section, related_findings_section
from .services import FINDING_NOTE, RULE_PREFIX, finding_note, spread_standing

# A party linked after its trouble was found brings what still stands to the new customer.
hooks.register("party_linked", spread_standing)

hooks.register("menu_entries", MenuEntry(label=_("Record checks due"),
                                         url_name="records:due_list", roles=Role.values),
               order=40)
hooks.register("menu_entries", MenuEntry(label=_("Record-check policy"),
                                         url_name="records:policy_edit", roles=[Role.ADMIN],
                                         group=ADMIN_GROUP), order=100)

hooks.register("home_cards", HomeCard(key="findings", template="records/_home_findings.html",
                                      roles=[Role.OFFICER], context=selectors.findings_card),
               order=80)

hooks.register("customer_sheet_sections", Section(
    key="record-checks", template="records/sheet_checks.html", context=record_checks_section),
    order=25)
hooks.register("customer_sheet_sections", Section(
    key="related-findings", template="records/sheet_related.html",
    context=related_findings_section), order=26)

hooks.register("ledger_columns", LedgerColumn(
    key="ledger_last_record_check", header=_("last record check"),
    expression=ledger.last_check, width=12))
hooks.register("customer_workbook_tables", ledger.sheet_tables)

hooks.register("notification_kinds", ("records.due", _("%(n)s record checks are due.")))

for kind, label, text in [
    ("new_case", _("New enforcement case"), _("%(subject)s: new enforcement case %(cases)s.")),
    ("case_closed", _("Enforcement case closed"),
     _("%(subject)s: enforcement case %(cases)s closed.")),
    ("licence_changed", _("Licence status changed"),
     _("%(subject)s: business licence status changed.")),
    ("annual_report_missing", _("Annual report missing"),
     _("%(subject)s: no annual report for %(year)s.")),
    ("newly_dishonest", _("New dishonest-debtor entry"),
     _("%(subject)s: listed as a dishonest debtor (%(cases)s).")),
    ("new_restriction", _("New consumption restriction"),
     _("%(subject)s: consumption restricted (%(cases)s).")),
    ("abnormal_listed", _("Abnormal-operation listing"),
     _("%(subject)s: put on the abnormal-operation list.")),
    *[(kind, label, format_lazy(spread.SENTENCE, _("%(subject)s:"), label))
      for kind, label in FindingKind.choices
      if kind not in {"new_case", "case_closed", "licence_changed", "annual_report_missing",
                      "newly_dishonest", "new_restriction", "abnormal_listed"}],
]:
    hooks.register("risk_signal_rules", Rule(RULE_PREFIX + kind, label=label, text=text))

for code, rule_label, rule_text in spread.rules():
    hooks.register("risk_signal_rules", Rule(code, label=rule_label, text=rule_text))
for pair in spread.notification_kinds():
    hooks.register("notification_kinds", pair)

hooks.register("task_note_kinds", (FINDING_NOTE, finding_note))
