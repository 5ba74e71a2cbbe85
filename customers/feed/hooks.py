"""What the loan feed contributes to pages it does not own (docs/architecture.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from customers.risk_signals import Rule
from loanwatch.accounts.roles import Role
from loanwatch.api.routes import ApiRoute
from loanwatch.core import hooks
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from . import api, selectors
from .services import SIGNAL_RULE
from .tasks import send_queued

hooks.register("menu_entries", MenuEntry(label=_("Loan feed"), url_name="feed:upload",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=62)

hooks.register("menu_entries", MenuEntry(label=_("Classification review"),
                                         url_name="feed:classification_review",
                                         roles=[Role.SUPERVISOR, Role.ADMIN]), order=60)

hooks.register("home_cards", HomeCard(key="classification-review",
                                      template="feed/_home_classification_review.html",
                                      roles=[Role.SUPERVISOR, Role.ADMIN],
                                      context=selectors.classification_review_card), order=27)

hooks.register("risk_signal_rules", Rule(
    SIGNAL_RULE, label=_("Days past due over a threshold"),
    text=_("Loan %(contract)s is %(days)s days past due (over %(threshold)s) as of %(as_of)s.")))

hooks.register("periodic_catch_up", send_queued)

hooks.register("risk_signal_rules", Rule(
    "feed_first_past_due", label=_("Loan past due"),
    text=_("Loan %(contract)s fell past due (%(days)s days) as of %(as_of)s.")))
hooks.register("risk_signal_rules", Rule(
    "feed_interest_arrears", label=_("Interest arrears"),
    text=_("Loan %(contract)s has interest overdue (%(interest)s CNY) as of %(as_of)s.")))
hooks.register("risk_signal_rules", Rule(
    "feed_matured_unpaid", label=_("Matured and unpaid"),
    text=_("Loan %(contract)s matured on %(matures_on)s and still owes %(after)s CNY as of "
           "%(as_of)s.")))
hooks.register("risk_signal_rules", Rule(
    "feed_balance_rising", label=_("Balance of an amortising loan rising"),
    text=_("The balance of amortising loan %(contract)s rose from %(before)s to %(after)s CNY "
           "as of %(as_of)s.")))

# The REST API (loanwatch/api): loan-status batches, and their runs.
hooks.register("api_routes", ApiRoute("loan-status", api.LoanStatusViewSet, "loan-status"))
