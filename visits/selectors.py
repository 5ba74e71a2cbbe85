"""Reads. Every visit and evidence lookup goes through the customer scope (404 outside it)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from customers.models import Collateral, CollateralValuation, Customer, RiskSignal
from customers.selectors import customer_scope_filter
from loanwatch.core.home import first_rows_and_count

from .models import (
    ContactPreference,
    EvidenceFile,
    GuidanceProposal,
    Interview,
    QuestionGuidance,
    Visit,
    VisitCollateral,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from loanwatch.accounts.models import User


def visit_scope(*, user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(customer_scope_filter(user=user, through="customer__"))


def visit_get_for_user(*, user: User, pk: int, full: bool = False, for_form: bool = False) -> Visit:
    """One visit in the user's scope, or 404.

    `full` preloads what the visit page shows. `for_form` preloads what the visit form needs:
    the customer with its contact preference, the visit it amends, its interviews and collateral
    checks; the people (officer, companion, submitter) and the task are not joined, since the
    form names them through its own choices, and every join adds to the planning time.
    """
    if for_form:
        qs = visit_scope(user=user).select_related(
            "customer__contact_preference", "amends").prefetch_related(
            Prefetch("interviews", queryset=Interview.objects.all()),
            Prefetch("collateral_checks", queryset=VisitCollateral.objects.all()))
    else:
        qs = visit_scope(user=user).select_related("customer", "officer", "companion",
                                                   "submitted_by", "task", "amends")
    if full:
        qs = qs.prefetch_related(
            Prefetch("interviews", queryset=Interview.objects.all()),
            Prefetch("collateral_checks",
                     queryset=VisitCollateral.objects.select_related("collateral")),
            Prefetch("evidence", queryset=EvidenceFile.objects.select_related("uploaded_by")),
            Prefetch("amendments", queryset=Visit.objects.only("pk", "status", "amends_id")),
        )
    visit = qs.filter(pk=pk).first()
    if visit is None:
        raise Http404
    return visit


def evidence_get_for_user(*, user: User, pk: int) -> EvidenceFile:
    found = (EvidenceFile.objects.filter(visit__in=visit_scope(user=user), pk=pk)
             .select_related("visit").first())
    if found is None:
        raise Http404
    return found


def _superseded() -> Exists:
    """A submitted visit replaced by a submitted amendment no longer counts as the last word."""
    return Exists(Visit.objects.filter(amends=OuterRef("pk"), status=Visit.Status.SUBMITTED))


def previous_visit(*, visit: Visit) -> Visit | None:
    """The customer's last submitted visit before this one (an amendment looks past the visit it
    corrects); quick contacts have no checklist to compare and are passed over."""
    qs = (Visit.objects.filter(customer_id=visit.customer_id, status=Visit.Status.SUBMITTED,
                               kind=Visit.Kind.VISIT)
          .exclude(pk__in=[visit.pk or 0, visit.amends_id or 0]).exclude(_superseded()))
    if visit.visited_on:
        qs = qs.filter(Q(visited_on__lt=visit.visited_on)
                       | Q(visited_on=visit.visited_on, pk__lt=visit.pk or 0))
    return qs.order_by("-visited_on", "-pk").first()


def year_ago_visit(*, visit: Visit) -> Visit | None:
    """The customer's own submitted visit nearest to one year before this one (within 31 days
    either side) that recorded the year-to-date revenue: a seasonal business's same-season
    figure when the visit did not ask for last year's revenue to the date."""
    if visit.visited_on is None:
        return None
    day = visit.visited_on
    # 29 February has no twin: the 28th stands in for it.
    year_before = day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2
                              else day.day)
    window = datetime.timedelta(days=31)
    found = list(Visit.objects.filter(customer_id=visit.customer_id,
                                      status=Visit.Status.SUBMITTED, kind=Visit.Kind.VISIT,
                                      revenue_ytd__isnull=False,
                                      visited_on__range=(year_before - window,
                                                         year_before + window))
                 .exclude(pk__in=[visit.pk or 0, visit.amends_id or 0])
                 .exclude(_superseded()).order_by("visited_on", "pk"))
    return min(found, key=lambda v: abs((v.visited_on - year_before).days), default=None)


def customer_visits_for_user(*, user: User, customer: Customer) -> QuerySet[Visit]:
    """A customer's visits (the customer already checked against the user's scope)."""
    return (Visit.objects.filter(customer=customer).select_related("officer", "companion")
            .order_by("-visited_on", "-pk"))


def visit_signal_counts(*, visit_ids: list[int]) -> dict[int, int]:
    # A quick contact's signals are raised by hand and name the contact.
    rows = (RiskSignal.objects.filter(source__in=[RiskSignal.Source.VISIT,
                                                  RiskSignal.Source.MANUAL],
                                      source_id__in=visit_ids)
            .values("source_id").annotate(n=Count("pk")))
    return {row["source_id"]: row["n"] for row in rows}


def drafts_for_user(*, user: User) -> QuerySet[Visit]:
    return (visit_scope(user=user).filter(status=Visit.Status.DRAFT, officer=user)
            .select_related("customer").order_by("-visited_on", "-pk"))


def visit_signals(*, visit: Visit) -> list[RiskSignal]:
    """The signals a visit raised; a quick contact's are the ones its officer raised by hand."""
    source = RiskSignal.Source.MANUAL if visit.is_contact else RiskSignal.Source.VISIT
    return list(RiskSignal.objects.filter(source=source, source_id=visit.pk)
                .order_by("severity", "rule"))


def customer_collateral(*, customer: Customer) -> list[Collateral]:
    """The customer's collateral for the visit form, each with `last_value`: its latest
    valuation or else its appraisal (what `Collateral.current_value` gives), computed in the
    same query rather than by loading every valuation."""
    latest = (CollateralValuation.objects.filter(collateral=OuterRef("pk"))
              .order_by(*(CollateralValuation._meta.ordering or ())).values("value")[:1])
    return list(Collateral.objects.filter(customer=customer)
                .annotate(last_value=Coalesce(Subquery(latest), F("appraised_value"))))


def guidance_by_question(*, kind: str = "corporate") -> dict[int, QuestionGuidance]:
    """The interview guidance written for customers of `kind`, by checklist point."""
    return {g.question: g for g in QuestionGuidance.objects.filter(customer_kind=kind)}


def contact_preference(*, customer: Customer) -> ContactPreference | None:
    """The customer's preference; no query when it was loaded with the customer
    (select_related("customer__contact_preference"))."""
    cache = type(customer).contact_preference.related
    if cache.is_cached(customer):
        return cast("ContactPreference | None", cache.get_cached_value(customer))
    return ContactPreference.objects.filter(customer=customer).first()


def contact_preferences_by_customer(*, customer_ids: Iterable[int]) -> dict[int, ContactPreference]:
    """For pages that list many customers (the revisit plan): one query for all of them."""
    return {p.customer_id: p for p in ContactPreference.objects.filter(
        customer_id__in=list(customer_ids))}


def pending_proposals() -> QuerySet[GuidanceProposal]:
    return (GuidanceProposal.objects.filter(status=GuidanceProposal.Status.PENDING)
            .select_related("proposed_by"))


# --- Home cards --------------------------------------------------------------------------------


def drafts_card(*, user: User) -> dict[str, Any]:
    """The officer's draft visits: the newest few and how many, loading only what the card
    shows (building whole customer rows was a quarter of the home page's cost)."""
    drafts = (Visit.objects.filter(officer=user, status=Visit.Status.DRAFT)
              .select_related("customer").only("customer__name", "visited_on")
              .order_by("-visited_on", "-pk"))
    rows, count = first_rows_and_count(drafts)
    return {"drafts": rows, "draft_count": count}


def photo_flags_card(*, user: User) -> dict[str, Any]:
    """On-site visits of the last 30 days whose photos were all taken far from the customer or
    on another day, in the supervisor's scope: the newest few and how many, in one query."""
    since = timezone.localdate() - datetime.timedelta(days=30)
    flagged = (visit_scope(user=user).filter(status=Visit.Status.SUBMITTED, visited_on__gte=since)
               .exclude(photo_flag="").select_related("customer", "officer")
               .only("customer__name", "officer__full_name", "officer__username",
                     "visited_on", "photo_flag")
               .order_by("-visited_on", "-pk"))
    rows, count = first_rows_and_count(flagged)
    return {"flagged": rows, "flagged_count": count}


def draft_holds(*, visit_id: int, data: dict[str, Any], interviews: list[dict[str, Any]],
                collateral: list[dict[str, Any]]) -> bool:
    """Whether the saved draft already holds exactly these answers: a save sent twice (a retry
    after a lost answer, a save as the page was left) is then no conflict with itself."""
    current = Visit.objects.get(pk=visit_id)
    for name, value in data.items():
        # A chosen record (the task, the companion) is compared by its key.
        held = getattr(current, f"{name}_id") if hasattr(value, "pk") else getattr(current, name)
        given = value.pk if hasattr(value, "pk") else value
        if held != given:
            return False
    saved_people = [(i.role, i.name, i.statement, sorted(i.topics or []))
                    for i in Interview.objects.filter(visit_id=visit_id).order_by("pk")]
    given_people = [(row["role"], row["name"], row.get("statement", ""),
                     sorted(row.get("topics") or [])) for row in interviews if row.get("name")]
    if saved_people != given_people:
        return False
    checks = {c.collateral_id: (c.condition, c.current_value, c.note)
              for c in VisitCollateral.objects.filter(visit_id=visit_id)}
    return all(
        checks.get(row["collateral_id"], ("", None, "")) == (
            row.get("condition", ""), row.get("current_value"), row.get("note", ""))
        for row in collateral)
