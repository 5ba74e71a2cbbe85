"""Lines other apps add to the supervisors' daily overdue digest.

The digest is the schedule's (services.overdue_digest_send), but overdue work lives in apps above
it too (the measures approved reports call for). Such an app registers a DigestSection under
"digest_sections" in its hooks.py; the schedule sends each section's line in the same once-a-day
digest, so it never imports the app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from loanwatch.core import hooks


@dataclass(frozen=True)
class DigestSection:
    kind: str  # a notification kind whose wording takes %(n)s
    url_name: str  # where the supervisor sees the items
    # (today=) -> {team id: how many items are overdue}, in one query for every team
    counts: Callable[..., dict[int, int]]


def sections() -> list[DigestSection]:
    return hooks.get_hooks("digest_sections")


def counts_by_section(*, today: datetime.date) -> list[tuple[DigestSection, dict[int, int]]]:
    return [(section, section.counts(today=today)) for section in sections()]
