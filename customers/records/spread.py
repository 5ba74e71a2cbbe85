"""Trouble spreads through people: a serious finding about a subject reaches every customer the
subject is linked to — as legal representative, actual controller, shareholder or guarantor, or
as the company an individual borrower runs or owns — whichever team holds that customer.

Each customer reached gets one RelatedFinding row per fact (a unique key on fact and customer),
written in one INSERT … SELECT … ON CONFLICT DO NOTHING; only the rows that statement inserts
raise a risk signal on the customer and notify its officer, so a re-run, a second reading of the
same fact or the same party checked through another customer raises nothing new.

What the officer of a reached customer is told names their own customer and the kind of
finding, never the customer the subject was checked through: "a related party of your customer
B has: a new lawsuit as defendant". The signal on B names the party (B's own related party) and,
for a guarantor, the loans of B it guarantees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, CustomerRelation, RiskSignal
from loanwatch.core.models import Notification
from loanwatch.core.services import notifications_create

from .models import FindingKind

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

    from .diff import FindingData
    from .models import Finding
    from .providers import Subject

# The roles through which a party's trouble reaches a customer.
SPREAD_ROLES = (CustomerRelation.Role.LEGAL_REPRESENTATIVE,
                CustomerRelation.Role.ACTUAL_CONTROLLER, CustomerRelation.Role.SHAREHOLDER,
                CustomerRelation.Role.GUARANTOR)

RELATED_RULE = "record_related_"
GUARANTOR_RULE = "record_guarantor_"
NOTIFICATION_PREFIX = "records.related."
# A sentence of a lead-in and a finding's label, joined in the reader's language.
SENTENCE = _("{0} {1}.")
# A rule's name: who it is about, and the finding (关联方：新增冻结).
LABEL = _("{0}: {1}")


def identity(subject: Subject) -> str:
    """Who the subject is, whichever customer it was checked through."""
    if subject.person is not None:
        return f"party:{subject.person.id_number or f'pk{subject.person.pk}'}"
    return f"party:{subject.customer.identifier}"


_SPREAD_SQL = """
WITH parties AS (
    SELECT p.id FROM customers_person p
    WHERE p.id = %(person)s OR (%(identifier)s <> '' AND p.id_number = %(identifier)s)
), links (customer_id, role, loan) AS (
    SELECT r.customer_id, r.role, NULL::varchar FROM customers_customerrelation r
    WHERE r.person_id IN (SELECT id FROM parties) AND r.role = ANY(%(roles)s)
    UNION ALL
    SELECT l.customer_id, 'guarantor', l.contract_number
    FROM customers_guarantee g JOIN customers_loan l ON l.id = g.loan_id
    WHERE g.guarantor_party_id IN (SELECT id FROM parties)
       OR g.guarantor_customer_id IN (SELECT c.id FROM customers_customer c
                                      WHERE %(identifier)s <> '' AND c.identifier = %(identifier)s)
), targets AS (
    SELECT customer_id, array_agg(DISTINCT role ORDER BY role) AS roles,
           coalesce(array_agg(DISTINCT loan ORDER BY loan) FILTER (WHERE loan IS NOT NULL),
                    '{}') AS loans
    FROM links WHERE %(only)s::bigint IS NULL OR customer_id = %(only)s::bigint
    GROUP BY customer_id
)
INSERT INTO records_relatedfinding
    (finding_id, customer_id, fact, party_name, roles, loans, direct, raised_at)
SELECT f.finding_id, t.customer_id, f.fact, %(name)s, t.roles, t.loans,
       t.customer_id = %(checked)s, now()
FROM targets t CROSS JOIN unnest(%(findings)s::bigint[], %(facts)s::text[]) AS f (finding_id, fact)
ON CONFLICT (fact, customer_id) DO NOTHING
RETURNING id, finding_id, customer_id, loans, direct
"""


def spread(*, subject: Subject, findings: list[tuple[Finding, FindingData]],
           acting_user: User, only_customer: int | None = None) -> int:
    """Let the serious findings of a check reach the subject's related customers; returns how
    many customers were newly reached (inside check_record's transaction). `only_customer`
    limits the reach to one customer: one the party was linked to after the findings."""
    if not findings:
        return 0
    who = identity(subject)
    by_id = {row.pk: (row, data) for row, data in findings}
    with connection.cursor() as cursor:
        cursor.execute(_SPREAD_SQL, {
            "person": subject.person.pk if subject.person is not None else None,
            "identifier": (subject.person.id_number if subject.person is not None
                           else subject.customer.identifier) or "",
            "roles": [str(r) for r in SPREAD_ROLES], "name": subject.name,
            "checked": subject.customer.pk, "only": only_customer,
            "findings": [row.pk for row, _data in findings],
            "facts": [data.fact_key(who) for _row, data in findings]})
        reached = [row for row in cursor.fetchall() if not row[4]]
    if not reached:
        return 0
    signals = []
    for pk, finding_id, customer_id, loans, _direct in reached:
        finding, data = by_id[finding_id]
        prefix = GUARANTOR_RULE if loans else RELATED_RULE
        signals.append(RiskSignal(
            customer_id=customer_id, source=RiskSignal.Source.RELATED_PARTY, source_id=pk,
            rule=prefix + finding.kind, severity=RiskSignal.Severity.SERIOUS,
            params={"party": subject.name, "loans": ", ".join(loans),
                    "cases": data.params.get("case", "")},
            raised_by=acting_user))
    RiskSignal.objects.bulk_create(signals, ignore_conflicts=True)
    customers = Customer.objects.filter(pk__in={row[2] for row in reached}).select_related(
        "officer")
    by_customer = {c.pk: c for c in customers}
    # Worded when read: the reader's own customer and the kind of finding, nothing of the
    # customer the party was checked through. One INSERT however many customers are reached.
    notifications_create(notifications=[
        Notification(recipient=by_customer[customer_id].officer,
                     kind=NOTIFICATION_PREFIX + by_id[finding_id][0].kind,
                     params={"customer": by_customer[customer_id].name},
                     url=reverse("customers:customer_detail", args=[customer_id])
                     + "#related-findings")
        for _pk, finding_id, customer_id, _loans, _direct in reached
        if by_customer[customer_id].officer.is_active])
    return len(reached)


def rules() -> list[tuple[str, Promise | str, Promise | str]]:
    """The risk-signal rules of reached customers: (code, label, text) for every kind."""
    found: list[tuple[str, Promise | str, Promise | str]] = []
    for kind, label in FindingKind.choices:
        found.append((RELATED_RULE + kind,
                      format_lazy(LABEL, _("Related party"), label),
                      format_lazy(SENTENCE, _("Related party %(party)s:"), label)))
        found.append((GUARANTOR_RULE + kind,
                      format_lazy(LABEL, _("Guarantor"), label),
                      format_lazy(SENTENCE, _("Guarantor %(party)s of loans %(loans)s:"),
                                  label)))
    return found


def notification_kinds() -> list[tuple[str, Promise | str]]:
    return [(NOTIFICATION_PREFIX + kind,
             format_lazy(SENTENCE, _("A related party of your customer %(customer)s has:"),
                         label))
            for kind, label in FindingKind.choices]
