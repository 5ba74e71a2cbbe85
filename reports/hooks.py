"""What risk reports contribute to pages and jobs they do not own (see loanwatch/core/hooks.py
and docs/architecture.md)."""

from __future__ import annotations

from django.db.models import CharField, DateTimeField, ExpressionWrapper, F, Subquery
from django.utils.translation import gettext_lazy as _

from customers.ledger import LedgerColumn
from customers.sheet import Section
from loanwatch.accounts.roles import Role
from loanwatch.api.routes import ApiRoute, ChangeKind
from loanwatch.core import hooks
from loanwatch.core.charts import Chart
from loanwatch.core.home import HomeCard
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry
from visits.schedule.digest import DigestSection

from . import api, charts, ledger, quality, selectors, services
from .models import RiskReport, WarningLevel
from .sections import reports_section, warning_section

hooks.register("menu_entries", MenuEntry(label=_("Reports to decide"),
                                         url_name="reports:report_queue",
                                         roles=[Role.SUPERVISOR, Role.ADMIN]), order=60)
hooks.register("menu_entries", MenuEntry(label=_("Monitoring quality"),
                                         url_name="reports:quality_list",
                                         roles=[Role.SUPERVISOR, Role.ADMIN]), order=65)
hooks.register("menu_entries", MenuEntry(label=_("Risk measures"), url_name="reports:measure_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=70)

hooks.register("menu_entries", MenuEntry(label=_("Warnings needing two approvals"),
                                         url_name="reports:warning_approvals",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=71)

hooks.register("home_cards", HomeCard(key="approvals", template="reports/_queue_card.html",
                                      roles=[Role.SUPERVISOR, Role.ADMIN],
                                      context=selectors.approval_card), order=20)
hooks.register("home_cards", HomeCard(key="follow-ups", template="reports/_follow_ups.html",
                                      roles=[Role.OFFICER], context=selectors.follow_ups_card),
               order=40)
hooks.register("home_cards", HomeCard(key="returned", template="reports/_home_returned.html",
                                      roles=[Role.OFFICER], context=selectors.returned_card),
               order=70)
hooks.register("home_cards", HomeCard(key="overdue-measures",
                                      template="reports/_home_overdue_measures.html",
                                      roles=[Role.SUPERVISOR],
                                      context=selectors.overdue_measures_card), order=50)
hooks.register("home_cards", HomeCard(key="warnings", template="reports/_home_warnings.html",
                                      roles=[Role.SUPERVISOR], context=selectors.warnings_card),
               order=60)

# A link without figures: the home page's query count stays as it was.
hooks.register("home_cards", HomeCard(key="quality", template="reports/_home_quality.html",
                                      roles=[Role.SUPERVISOR], context=quality.home_card),
               order=75)

hooks.register("home_cards", HomeCard(key="my-warnings", template="reports/_home_my_warnings.html",
                                      roles=[Role.OFFICER], context=selectors.my_warnings_card),
               order=45)

hooks.register("customer_sheet_sections", Section(
    key="standing-warning", template="reports/_warning_section.html", context=warning_section),
    order=59)
hooks.register("customer_sheet_sections", Section(
    key="risk-reports", template="reports/_sheet_section.html", context=reports_section),
    order=60)

hooks.register("ledger_columns", LedgerColumn(
    key="ledger_warning", header=_("latest warning"),
    expression=Subquery(ledger.latest.values("warning_level")[:1]),
    show=ledger.label_of(WarningLevel), width=10))
hooks.register("ledger_columns", LedgerColumn(
    key="ledger_warning_status", header=_("warning status"),
    expression=Subquery(ledger.latest.values("status")[:1]),
    show=ledger.label_of(RiskReport.Status), width=12))
hooks.register("ledger_columns", LedgerColumn(
    key="ledger_standing_warning", header=_("standing warning"),
    expression=ExpressionWrapper(F("customer__warning_level"), output_field=CharField()),
    show=ledger.label_of(WarningLevel), width=10))
hooks.register("ledger_columns", LedgerColumn(
    key="ledger_warning_since", header=_("warning since"),
    expression=ExpressionWrapper(F("customer__warning_since"), output_field=DateTimeField()),
    show=ledger.local_date, width=12))
hooks.register("customer_workbook_tables", ledger.sheet_tables)

hooks.register("charts", Chart(key="warnings",
                               title=_("Approved warnings by level, month by month"),
                               kind="bar", build=charts.warnings_by_month), order=30)

hooks.register("notification_kinds", ("reports.awaiting", _(
    "Risk report %(pk)s on %(customer)s by %(author)s awaits your decision.")))
hooks.register("notification_kinds", ("reports.approved", _(
    "%(decider)s approved your risk report %(pk)s on %(customer)s.")))
hooks.register("notification_kinds", ("reports.second_approval", _(
    "%(first)s gave the first of two approvals of risk report %(pk)s on %(customer)s; it "
    "awaits a second approval.")))
hooks.register("notification_kinds", ("reports.rejected", _(
    "%(decider)s rejected your risk report %(pk)s on %(customer)s.")))
hooks.register("notification_kinds", ("reports.returned", _(
    "%(decider)s returned your risk report %(pk)s on %(customer)s for revision.")))
hooks.register("notification_kinds", ("reports.follow_up_sign_off", _(
    "%(who)s recorded the outcome of “%(measure)s” on %(customer)s; it awaits your sign-off.")))
hooks.register("notification_kinds", ("reports.follow_up_returned", _(
    "%(who)s sent back the outcome of “%(measure)s” on %(customer)s.")))
hooks.register("notification_kinds", ("reports.overdue_measures", _(
    "Overdue measures in your team: %(n)s.")))
hooks.register("notification_kinds", ("reports.draft_customer_reassigned", _(
    "%(customer)s, the customer of your draft risk report %(pk)s, is now %(officer)s's.")))

hooks.register("digest_sections", DigestSection(
    kind="reports.overdue_measures", url_name="core:home",
    counts=selectors.overdue_follow_ups_by_team))

hooks.register("customer_reassigned", services.customer_reassigned)
hooks.register("customer_reassigned", services.drafts_told_of_reassignment)

hooks.register("task_note_kinds", (services.RED_WARNING_NOTE, services.red_warning_note))
hooks.register("visit_briefing_items", selectors.briefing_items, order=20)

# The REST API (loanwatch/api): reports and warnings, and the reports' events in the changes feed.
hooks.register("api_routes", ApiRoute("reports", api.ReportViewSet, "report"))
hooks.register("api_routes", ApiRoute("warnings", api.WarningViewSet, "warning"))
hooks.register("api_changes", ChangeKind("report", RiskReport,
                                         api.reports_for_api, api.ReportSerializer,
                                         api.SENT_EVENTS))
