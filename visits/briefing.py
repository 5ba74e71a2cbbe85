"""The pre-visit briefing: what the officer should raise at this visit, and how its answers are
checked.

Items come from here (record-check findings since the last visit, the last visit's signals and
concerns, loans past due) and from the apps that keep the rest, through the
"visit_briefing_items" hook: the revisit schedule adds the open tasks of serious findings and
risk events, reports add the open measures. Every item names its record (`source`,
`source_id`); a visit stores one `BriefingAnswer` per item, and the schedule closes a finding's
or an event's task only once the visit answered its item.

In the seed's spirit (话术) an item is a topic to bring up in conversation, not a question to
read out: `topic` says what to listen for.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from customers import risk_signals
from customers.models import Customer, Loan, RiskSignal
from customers.records.models import Finding
from loanwatch.core import hooks

from .models import FIRST_CHECK_LOOKBACK_DAYS, BriefingAnswer, Visit, VisitLoanUse

Source = BriefingAnswer.Source


@dataclass
class BriefingItem:
    source: str
    source_id: int
    title: str  # what it is about, as the officer reads it
    topic: str  # what to listen for, in a sentence

    @property
    def key(self) -> str:
        return f"{self.source}-{self.source_id}"

    @property
    def error_key(self) -> str:
        return f"briefing:{self.key}"

    @property
    def source_label(self) -> str:
        return str(Source(self.source).label)


def briefing_since(*, previous: Visit | None, today: datetime.date | None = None
                   ) -> datetime.datetime:
    """Findings count as new from the last visit's submission; without one, from as far back as
    a first check looks."""
    if previous is not None and previous.submitted_at is not None:
        return previous.submitted_at
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=FIRST_CHECK_LOOKBACK_DAYS)
    return datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC)


def briefing_items(*, customer: Customer, previous: Visit | None) -> list[BriefingItem]:
    """Every item of the briefing for a visit to `customer`, `previous` being the customer's last
    submitted visit (or None). A few queries whatever the numbers: one per kind of item."""
    since = briefing_since(previous=previous)
    items: list[BriefingItem] = []
    # Serious findings raise a task each, which the schedule contributes below: they are asked
    # about (and answered) through their task.
    findings = (Finding.objects.filter(record_check__customer_id=customer.pk, serious=False,
                                       record_check__created_at__gt=since)
                .exclude(kind="case_closed")
                .select_related("record_check__person").order_by("record_check__checked_on",
                                                                  "pk"))
    for finding in findings:
        check = finding.record_check
        subject = check.person.name if check.person is not None else customer.name
        items.append(BriefingItem(
            Source.FINDING, finding.pk, f"{subject}: {finding.message}",
            _("Let them tell how it came about and where it stands now.")))
    for contribution in hooks.get_hooks("visit_briefing_items"):
        items.extend(contribution(customer=customer))
    if previous is not None:
        signals = (RiskSignal.objects.filter(source=RiskSignal.Source.VISIT,
                                             source_id=previous.pk)
                   .order_by("severity", "rule", "pk"))
        for signal in signals:
            items.append(BriefingItem(
                Source.SIGNAL, signal.pk, risk_signals.describe(signal),
                _("See whether it still holds, and what has changed since.")))
        concern = previous.summary.strip() or previous.customer_needs.strip()
        if concern:
            items.append(BriefingItem(
                Source.CONCERN, previous.pk, concern[:300],
                _("Follow up what came up last time, as a matter of course.")))
    loans = Loan.objects.filter(customer_id=customer.pk, balance__gt=0,
                                days_past_due__gt=0).order_by("-days_past_due", "pk")
    for loan in loans:
        items.append(BriefingItem(
            Source.LOAN, loan.pk,
            _("%(contract)s: %(days)d days past due")
            % {"contract": loan.contract_number, "days": loan.days_past_due},
            _("Hear what held the payment up and when it will be made good.")))
    return items


def loans_awaiting_first_check(*, customer: Customer, on: datetime.date,
                               exclude_visit_ids: Iterable[int | None] = ()) -> list[Loan]:
    """The customer's outstanding loans paid out in the first-check window before `on` whose
    use of funds no submitted visit has answered yet: each is answered on its own."""
    answered = (VisitLoanUse.objects.filter(visit__customer_id=customer.pk,
                                            visit__status=Visit.Status.SUBMITTED)
                .exclude(use="").exclude(visit_id__in=[pk for pk in exclude_visit_ids if pk])
                .values("loan_id"))
    start = on - datetime.timedelta(days=FIRST_CHECK_LOOKBACK_DAYS)
    return list(Loan.objects.filter(customer_id=customer.pk, balance__gt=0,
                                    disbursed_on__gte=start, disbursed_on__lte=on)
                .exclude(pk__in=answered).order_by("disbursed_on", "pk"))


def unanswered(*, items: Iterable[BriefingItem], answers: dict[tuple[str, int], BriefingAnswer]
               ) -> dict[str, list[str]]:
    """What the briefing still lacks, keyed by each item's error key."""
    problems: dict[str, list[str]] = {}
    for item in items:
        answer = answers.get((item.source, item.source_id))
        if answer is not None and answer.is_answered:
            continue
        if answer is not None and answer.not_applicable:
            problems[item.error_key] = [_("Say why it does not apply.")]
        else:
            problems[item.error_key] = [_("Say what you found, or mark it not applicable and "
                                          "say why.")]
    return problems
