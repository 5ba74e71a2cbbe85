"""The customer sheet's "Record checks" section (contributed in hooks.py): the latest check of
each subject with its findings, in three queries whatever the customer holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .selectors import latest_checks

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


def record_checks_section(*, customer, user: User) -> dict:
    checks = latest_checks(customer=customer)
    return {"record_checks": checks,
            "record_findings": sum(len(c.findings.all()) for c in checks)}
