"""The pages every role walks through: the README's screenshots and the browser test that checks
each of them at phone and desktop width in both languages (tests/browser/test_page_walk.py).

A path may name demo records: {customer}, {visit} and {report} (see `demo_ids`).
"""

from __future__ import annotations

# (username or None for the signed-out page, path, screenshot name). A feature adds its main
# pages here: the walk test then checks them and `make screenshots` shows them.
PAGES = [
    (None, "/accounts/login/", "login"),
    ("officer1", "/", "officer-home"),
    ("supervisor1", "/", "supervisor-home"),
    ("admin", "/", "admin-home"),
    ("admin", "/accounts/users/", "admin-users"),
    ("officer1", "/customers/", "officer-customers"),
    ("officer1", "/customers/{customer}/", "officer-customer-sheet"),
    ("officer1", "/customers/signals/", "officer-signals"),
    ("officer1", "/records/due/", "officer-record-checks-due"),
    ("officer1", "/visits/{visit}/", "officer-visit"),
    ("officer1", "/visits/drafts/", "officer-visit-drafts"),
    ("officer1", "/schedule/", "officer-plan"),
    ("supervisor1", "/customers/", "supervisor-customers"),
    ("supervisor1", "/reports/", "supervisor-approval-queue"),
    ("supervisor1", "/reports/{report}/", "supervisor-report"),
    ("supervisor1", "/dashboard/", "supervisor-charts"),
    ("supervisor1", "/reports/quality/", "supervisor-monitoring-quality"),
    ("admin", "/customers/corrections/", "admin-corrections"),
    ("admin", "/reports/measures/", "admin-measures"),
    ("admin", "/feed/", "admin-loan-feed"),
    ("admin", "/schedule/policy/", "admin-revisit-policy"),
    ("admin", "/schedule/risk-groups/", "admin-risk-groups"),
]


def demo_ids() -> dict[str, int]:
    """The demo records the walk shows: a submitted visit of officer1, its customer, a report
    of officer1's team that is no longer a draft."""
    # Imported here: scripts/screenshots.py reads PAGES before Django is set up.
    from customers.models import Customer  # noqa: PLC0415
    from reports.models import RiskReport  # noqa: PLC0415
    from visits.models import Visit  # noqa: PLC0415

    visit = Visit.objects.filter(officer__username="officer1", status="submitted").first()
    customer = (visit.customer_id if visit else
                Customer.objects.filter(officer__username="officer1").values_list(
                    "pk", flat=True).first())
    report = (RiskReport.objects.filter(customer__team__code="BJ-HD").exclude(status="draft")
              .values_list("pk", flat=True).first())
    return {"customer": customer or 0, "visit": visit.pk if visit else 0, "report": report or 0}
