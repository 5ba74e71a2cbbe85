"""What the visits app contributes to pages and jobs it does not own (see
loanwatch/core/hooks.py and docs/architecture.md)."""

from __future__ import annotations

from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _

from customers.ledger import LedgerColumn
from customers.risk_signals import Rule
from customers.sheet import Section
from loanwatch.accounts.roles import Role
from loanwatch.api.routes import ApiRoute, ChangeKind
from loanwatch.core import hooks
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from . import api, ledger, rules, sections, selectors, services
from .models import Visit

hooks.register("menu_entries", MenuEntry(label=_("My draft visits"), url_name="visits:draft_list",
                                         roles=[Role.OFFICER]), order=50)
hooks.register("menu_entries", MenuEntry(label=_("Signal thresholds"),
                                         url_name="visits:threshold_list", roles=[Role.ADMIN],
                                         group=ADMIN_GROUP), order=80)
hooks.register("menu_entries", MenuEntry(label=_("Interview guidance"),
                                         url_name="visits:guidance_list", roles=[Role.ADMIN],
                                         group=ADMIN_GROUP), order=90)

hooks.register("home_cards", HomeCard(key="drafts", template="visits/_home_drafts.html",
                                      roles=[Role.OFFICER], context=selectors.drafts_card),
               order=60)

hooks.register("home_cards", HomeCard(key="photo-flags", template="visits/_home_photo_flags.html",
                                      roles=[Role.SUPERVISOR],
                                      context=selectors.photo_flags_card), order=62)

hooks.register("customer_sheet_sections", Section(
    key="visits", template="visits/sheet_visits.html", context=sections.visits_section),
    order=30)
hooks.register("customer_sheet_sections", Section(
    key="risk-signals", template="visits/sheet_signals.html", context=sections.signals_section),
    order=35)

hooks.register("ledger_columns", LedgerColumn(
    key="ledger_last_visit", header=_("last visit"),
    expression=Subquery(ledger.last_submitted.values("visited_on")[:1]), width=12))
hooks.register("ledger_columns", LedgerColumn(
    key="ledger_last_visit_method", header=_("last visit method"),
    expression=Subquery(ledger.last_submitted.values("method")[:1]),
    show=lambda value: str(Visit.Method(value).label) if value else "", width=10))
hooks.register("customer_workbook_tables", ledger.sheet_tables)

for spec in rules.RULES:
    hooks.register("risk_signal_rules", Rule(spec.code, label=spec.label, text=spec.text,
                                             variants=spec.variants))

# Signals an officer raises by hand from a quick contact, one rule per subject.
CONTACT_SIGNAL_RULES = {
    "operations": (_("From a contact: operations"), _("From a contact (operations): %(text)s")),
    "finance": (_("From a contact: finances"), _("From a contact (finances): %(text)s")),
    "legal": (_("From a contact: legal"), _("From a contact (legal): %(text)s")),
    "collateral": (_("From a contact: collateral"), _("From a contact (collateral): %(text)s")),
    "people": (_("From a contact: key people"), _("From a contact (key people): %(text)s")),
    "other": (_("From a contact: other"), _("From a contact: %(text)s")),
}
assert list(CONTACT_SIGNAL_RULES) == services.CONTACT_SIGNAL_CATEGORIES
for category, (label, text) in CONTACT_SIGNAL_RULES.items():
    hooks.register("risk_signal_rules", Rule(f"contact_{category}", label=label, text=text))

hooks.register("notification_kinds", ("visits.draft_customer_reassigned", _(
    "%(customer)s, the customer of your draft visit of %(date)s, is now %(officer)s's.")))
hooks.register("customer_reassigned", services.drafts_told_of_reassignment)

# The REST API (loanwatch/api): submitted visits, and their events in the changes feed.
hooks.register("api_routes", ApiRoute("visits", api.VisitViewSet, "visit"))
hooks.register("api_changes", ChangeKind("visit", Visit, api.visits_for_api,
                                         api.VisitSerializer, api.SUBMITTED_EVENTS))
