"""The customer sheet's "Record checks" section (contributed in hooks.py): the latest check of
each subject with its findings, in three queries whatever the customer holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from customers.models import CustomerRelation

from .models import RelatedFinding
from .selectors import latest_checks

RELATED_SHOWN = 50

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


def record_checks_section(*, customer, user: User) -> dict:
    checks = latest_checks(customer=customer)
    return {"record_checks": checks,
            "record_findings": sum(len(c.findings.all()) for c in checks)}


def related_findings_section(*, customer, user: User) -> dict:
    """Serious findings about the customer's related parties (and guarantors) that reached it,
    whichever customer they were checked through; nothing of that customer is shown (one
    query)."""
    rows = list(RelatedFinding.objects.filter(customer=customer, direct=False)
                .select_related("finding__record_check")
                .only("party_name", "roles", "loans", "raised_at", "finding__kind",
                      "finding__params", "finding__serious",
                      "finding__record_check__checked_on")
                .order_by("-raised_at", "-pk")[:RELATED_SHOWN])
    roles = dict(CustomerRelation.Role.choices)
    for row in rows:
        row.role_labels = [str(roles.get(r, r)) for r in row.roles]
    return {"related_findings": rows, "related_shown": RELATED_SHOWN}
