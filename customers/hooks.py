"""What the customers app contributes to pages and jobs it does not own (see
loanwatch/core/hooks.py and docs/architecture.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.roles import Role
from loanwatch.api.routes import ApiRoute, ChangeKind
from loanwatch.core import hooks
from loanwatch.core.charts import Chart
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from . import api, charts, selectors, signal_selectors
from .models import Customer, Loan, RiskSignal
from .sheet import Section
from .tasks import send_queued_imports

hooks.register("menu_entries", MenuEntry(label=_("Customers"), url_name="customers:customer_list",
                                         roles=Role.values), order=10)
hooks.register("menu_entries", MenuEntry(label=_("Industries"), url_name="customers:industry_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=30)
hooks.register("menu_entries", MenuEntry(label=_("Classification floors"),
                                         url_name="customers:classification_floors",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=60)

hooks.register("menu_entries", MenuEntry(label=_("Risk-state corrections"),
                                         url_name="customers:correction_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=65)

hooks.register("home_cards", HomeCard(key="corrections",
                                      template="customers/_home_corrections.html",
                                      roles=[Role.SUPERVISOR, Role.ADMIN],
                                      context=selectors.corrections_card), order=25)
hooks.register("menu_entries", MenuEntry(label=_("Risk signals"), url_name="customers:signal_list",
                                         roles=Role.values), order=15)
hooks.register("menu_entries", MenuEntry(label=_("Risk signal settings"),
                                         url_name="customers:signal_settings",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=65)

hooks.register("home_cards", HomeCard(key="portfolio", template="customers/_portfolio_card.html",
                                      roles=Role.values, context=selectors.portfolio_card),
               order=10)
hooks.register("home_cards", HomeCard(key="risk-rose", template="customers/_home_risk_rose.html",
                                      roles=[Role.SUPERVISOR],
                                      context=selectors.risk_rose_card), order=70)
hooks.register("home_cards", HomeCard(key="stale-signals",
                                      template="customers/_home_stale_signals.html",
                                      roles=[Role.OFFICER, Role.SUPERVISOR],
                                      context=signal_selectors.stale_signals_card), order=35)
hooks.register("home_cards", HomeCard(key="new-signals",
                                      template="customers/_home_new_signals.html",
                                      roles=[Role.OFFICER],
                                      context=signal_selectors.new_signals_card), order=34)
hooks.register("home_cards", HomeCard(key="signal-dismissals",
                                      template="customers/_home_dismissals.html",
                                      roles=[Role.SUPERVISOR],
                                      context=signal_selectors.dismissals_card), order=75)

# Last of the sections: it sits beside the sheet's own history.
hooks.register("customer_sheet_sections", Section(
    key="assignments", template="customers/_sheet_assignments.html",
    context=selectors.assignments_section), order=900)

hooks.register("charts", Chart(key="risk-groups",
                               title=_("Customers and balance by risk group"),
                               kind="bar", build=charts.by_risk_group), order=10)
hooks.register("charts", Chart(key="classifications",
                               title=_("Loans and balance by classification"),
                               kind="bar", build=charts.by_classification), order=20)
hooks.register("charts", Chart(key="classification-migration",
                               title=_("Classification migration between two dates"),
                               kind="matrix", build=charts.classification_migration,
                               params=(("from", _("from"), "date"), ("to", _("to"), "date"))),
               order=90)

hooks.register("notification_kinds", ("customers.assigned_to_you",
                                      _("%(by)s assigned %(n)s customers to you, with their "
                                        "open revisit tasks and measures.")))
hooks.register("notification_kinds", ("customers.assigned_away",
                                      _("%(by)s moved %(n)s of your customers to another "
                                        "officer, with their open work.")))
hooks.register("notification_kinds", ("customers.reassigned",
                                      _("%(by)s reassigned %(n)s customers in your team.")))
hooks.register("notification_kinds", ("customers.correction_awaiting",
                                      _("%(by)s corrected the risk state of %(customer)s to "
                                        "lower risk; it waits for your approval.")))
hooks.register("notification_kinds", ("customers.correction_applied",
                                      _("%(by)s approved your correction of %(customer)s; it "
                                        "is applied.")))
hooks.register("notification_kinds", ("customers.correction_rejected",
                                      _("%(by)s rejected your correction of %(customer)s.")))

hooks.register("customer_sheet_sections", Section(
    key="risk-history", template="customers/_sheet_risk_history.html",
    context=selectors.risk_history_section), order=55)

hooks.register("notification_kinds", ("customers.export_done",
                                       _("Your export is ready: %(export)s, %(rows)s rows.")))

# Imports whose job the broker lost are sent again when a worker or beat starts.
hooks.register("periodic_catch_up", send_queued_imports)
# The REST API (loanwatch/api): the lists, and their records in the changes feed.
hooks.register("api_routes", ApiRoute("customers", api.CustomerViewSet, "customer"))
hooks.register("api_routes", ApiRoute("loans", api.LoanViewSet, "loan"))
hooks.register("api_routes", ApiRoute("signals", api.SignalViewSet, "signal"))
hooks.register("api_changes", ChangeKind("customer", Customer,
                                         api.customers_for_api, api.CustomerSerializer))
hooks.register("api_changes", ChangeKind("loan", Loan, api.loans_for_api,
                                         api.LoanSerializer))
hooks.register("api_changes", ChangeKind("signal", RiskSignal,
                                         api.signals_for_api, api.SignalSerializer))
