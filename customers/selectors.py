"""Reads. Every lookup of a customer, loan or collateral goes through the user's scope here:
officer → their own customers, supervisor → their team's, admin → all; 404 outside it."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.fields.tuple_lookups import (  # type: ignore[import-untyped]
    Tuple,
    TupleGreaterThan,
    TupleLessThan,
)
from django.db.models.functions import RowNumber, StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.keyset import (
    Column,
    Fetch,
    KeysetPage,
    after_q,
    keyset_page,
    queryset_fetch,
    table_estimate,
)
from loanwatch.core.rows import instance, instances, json_rows, set_prefetched

from .models import (
    Classification,
    ClassificationFloor,
    Collateral,
    CollateralValuation,
    Customer,
    CustomerAssignment,
    CustomerRelation,
    ExportJob,
    Guarantee,
    Loan,
    LoanStatus,
    RiskCorrection,
    RiskGroup,
    RiskStateChange,
    WarningLevel,
)

if TYPE_CHECKING:
    from django.db.models import Model
    from django_stubs_ext import StrOrPromise, WithAnnotations


SORTS = {
    "name": "name", "-name": "-name",
    "balance": "total_balance", "-balance": "-total_balance",
    "overdue": "max_days_past_due", "-overdue": "-max_days_past_due",
    "classification": "worst_rank", "-classification": "-worst_rank",
    "officer": "officer__full_name", "-officer": "-officer__full_name",
}

# The figures the list shows and sorts by, kept per customer by the database (CustomerFigures),
# with the type a page token carries them back in.
FIGURES = {"loan_count": "int", "total_balance": "decimal", "max_days_past_due": "int",
           "worst_rank": "int"}


def _bigrams(column: str) -> Func:
    return Func(Upper(column), function="customers_bigrams",
                output_field=ArrayField(TextField()))


def _two_character_term(term: str) -> bool:
    """A term the two-character-piece indexes answer: two characters without case."""
    return len(term) == 2 and term.upper() == term.lower()


def _search_lookups(term: str) -> tuple[QuerySet[Customer], QuerySet[Customer], QuerySet[Loan]]:
    """The customers whose name, those whose identifier, and the loans whose contract number
    contain `term`, ignoring case, each as its own index answers it.

    Terms of three characters or more go to the trigram indexes through LIKE; two-character
    terms without case (贸易, 12) to the two-character-piece indexes of migration 0005, where
    pg_trgm finds no trigram to look up."""
    # Either branch's querysets; the plugin types the aliased ones apart.
    names: QuerySet[Customer]
    codes: QuerySet[Customer]
    loans: QuerySet[Loan]
    if _two_character_term(term):
        names = Customer.objects.alias(pieces=_bigrams("name")).filter(pieces__contains=[term])
        codes = Customer.objects.alias(pieces=_bigrams("identifier")).filter(
            pieces__contains=[term])
        loans = Loan.objects.alias(pieces=_bigrams("contract_number")).filter(
            pieces__contains=[term])
    else:
        names = Customer.objects.filter(name__icontains=term)
        codes = Customer.objects.filter(identifier__icontains=term)
        loans = Loan.objects.filter(contract_number__icontains=term)
    return names, codes, loans


def _search_matches(term: str) -> QuerySet[Customer, Any]:
    """The ids of the customers whose name, identifier or a loan's contract number contains
    `term`, ignoring case.

    One UNION of three lookups, each answered by its own index: an OR of the three (one an IN
    over the loans) made PostgreSQL read every customer."""
    names, codes, loans = _search_lookups(term)
    return names.order_by().values("pk").union(codes.order_by().values("pk"),
                                               loans.order_by().values("customer_id"))


def _search_hit(term: str) -> Q:
    """`_search_matches` as a condition on a customer's row, for a walk that tests the rows it
    reads: the name, then the identifier, then the customers of the loans whose contract number
    matches (looked up once through the loans' index, as the search does: tested loan by loan
    in a subquery, PostgreSQL read every loan instead).

    A two-character term is one of the upper-cased text's pieces exactly when it occurs in it,
    so `strpos` stands for the piece indexes' test (computing the pieces cost a quarter of a
    millisecond a row); longer terms use the very LIKE the trigram indexes answer."""
    def has(path: str) -> Q:
        if _two_character_term(term):
            return Q(GreaterThan(StrIndex(Upper(path), Value(term)), 0))
        return Q(**{f"{path}__icontains": term})

    loans = _search_lookups(term)[2]
    return has("name") | has("identifier") | Q(pk__in=loans.order_by().values("customer_id"))


def customer_scope_filter(*, user: User, through: str = "") -> Q:
    """The customers a user may see at all, as a condition on Customer (or, with
    `through="customer__"`, on a model that belongs to a customer).

    A query on visits that joins the customer anyway filters that join, where
    `customer__in=customer_scope(...)` joined the customers a second time: one relation fewer
    for the planner, whose time on the visit page's query fell from several milliseconds to one.
    """
    role = getattr(user, "role", None)
    if role == Role.ADMIN:
        return Q()
    if role == Role.SUPERVISOR and user.team_id:
        return Q(**{f"{through}team_id": user.team_id})
    if role == Role.OFFICER:
        return Q(**{f"{through}officer_id": user.pk})
    return Q(pk__in=[])


def customer_scope(*, user: User) -> QuerySet[Customer]:
    """The customers a user may see at all."""
    return Customer.objects.filter(customer_scope_filter(user=user))


def customer_list_for_user(*, user: User, search: str = "", kind: str = "",
                           industry_id: int | None = None,
                           risk_group_id: int | None = None, officer_id: int | None = None,
                           classification: str = "", overdue: bool = False,
                           warning: str = "", sort: str = "name") -> QuerySet[Customer]:
    """The customers the list shows, filtered and sorted, each with its figures over its loans
    (`loan_count`, `total_balance`, `max_days_past_due`, `worst_rank`) read from its
    CustomerFigures row, which the database keeps on every write of a loan.

    Sorted by a figure, the user's scope and the officer filter are read on the figures' own
    copies of the officer and team: PostgreSQL then walks one index of the figures table
    (`figures_team_balance` …) from the page's key and stops after the page, at any size of
    the book.
    """
    columns = _list_columns(sort=sort, search=search)
    by_figure = columns[0].name in FIGURES
    qs = Customer.objects.filter(customer_scope_filter(user=user,
                                                       through="figures__" if by_figure else ""))
    if search:
        qs = qs.filter(pk__in=_search_matches(search))
    if kind:
        qs = qs.filter(kind=kind)
    if industry_id:
        qs = qs.filter(industry_id=industry_id)
    if risk_group_id:
        qs = qs.filter(risk_group_id=risk_group_id)
    if officer_id:
        qs = qs.filter(**{"figures__officer_id" if by_figure else "officer_id": officer_id})
    if classification:
        qs = qs.filter(Exists(Loan.objects.filter(customer=OuterRef("pk"),
                                                  classification=classification)))
    if overdue:
        qs = qs.filter(figures__max_days_past_due__gt=0)
    # On the customer's copy of its standing warning: no join to the reports app's table.
    if warning == "any":
        qs = qs.exclude(warning_level=WarningLevel.NONE)
    elif warning:
        qs = qs.filter(warning_level=warning)
    if by_figure:
        # An inner join, so that the figures' index may give the order of the customers' ids.
        qs = qs.filter(figures__isnull=False)
    qs = qs.select_related("officer", "team", "risk_group", "industry")
    qs = qs.annotate(**{name: F(f"figures__{name}") for name in FIGURES})
    if columns[0].name == "search_rank":
        # The names equal to the term, then those starting with it, then the rest.
        term = search.upper()
        qs = qs.annotate(search_rank=Case(
            When(Q(name__iexact=term), then=Value(0)),
            When(Q(name__istartswith=term), then=Value(1)),
            default=Value(2), output_field=IntegerField()))
    return qs.order_by(*(column.order() for column in columns))


def _list_columns(*, sort: str, search: str) -> list[Column]:
    """The list's order as keyset columns, the id last: a search sorted by name puts the names
    equal to the term, then those starting with it, before the rest.

    Sorted by a figure, the id follows the figure's direction and NULLs sit where the index
    keeps them (the figures are never NULL), so that one index serves both directions."""
    order = SORTS.get(sort, "name")
    name, descending = order.lstrip("-"), order.startswith("-")
    if name in FIGURES:
        return [Column(name, descending, nulls_last=not descending, kind=FIGURES[name]),
                Column("pk", descending, nulls_last=not descending, kind="int")]
    columns = [Column("search_rank", kind="int")] if search and name == "name" else []
    return [*columns, Column(name, descending, nullable=name != "name"), Column("pk", kind="int")]


def _path_value(row: Any, path: str) -> Any:
    for name in path.split("__"):
        if row is None:
            return None
        row = getattr(row, name)
    return row


def _list_count(*, user: User, customers: QuerySet[Customer],
                filtered: bool) -> tuple[int, bool]:
    """The list's size: counted for an officer's or a team's list; for the bank's, PostgreSQL's
    estimate of the table's rows when nothing is filtered, else a count kept for five minutes
    (shown as "about")."""
    if user.role != Role.ADMIN:
        return customers.count(), False
    if not filtered:
        estimate = table_estimate("customers_customer")
        if estimate is not None:
            return estimate, True
    sql, params = customers.order_by().values("pk").query.sql_with_params()
    key = "customer-list-count:" + hashlib.sha256(
        repr((sql, params)).encode()).hexdigest()
    return cast(int, cache.get_or_set(key, customers.count, LIST_COUNT_SECONDS)), True


LIST_COUNT_SECONDS = 300


# How many customers of the scope a search's "other matches" walk reads along the name order,
# testing each (about 1.2 µs a row), before it leaves the page to the search indexes: a common
# term fills its page long before (公司, six names in ten, after some 80 rows; 贸易, one in
# twenty-five, after some 950), a rare one reads them all for nothing (3.5 ms) and is then
# answered by the indexes at the cost of its few matches. Measured in docs/performance.md.
SEARCH_WALK_ROWS = 3000


def _walked_others(customers: QuerySet[Customer], term: str, columns: Sequence[Column],
                   key: list[Any] | None, limit: int) -> list[dict[str, Any]] | None:
    """The first `limit` other matches (containing the term, not starting with it) after `key`
    in the order of `columns` (name, id), read by walking the scope's customers in that order
    and testing each row; None when SEARCH_WALK_ROWS customers did not fill the page and more
    remain.

    Whatever the book, the walk stops after the page's last match or SEARCH_WALK_ROWS rows: the
    page the search indexes give costs a read of every match (60,000 ids and names for 公司 in
    a book of 100,000) to keep fifty. The rows the walk read are a run of the list's order, so
    its matches are exactly the page the indexes would give. `walked` numbers the rows read:
    the last one comes back even when no match, to tell a walk cut short from one that reached
    the end of the scope (an officer's fifty customers: the walk answers alone)."""
    scope = customers.select_related(None)
    if key is not None:
        scope = scope.filter(after_q(columns, key))
    order = [column.order() for column in columns]
    hit = ExpressionWrapper(_search_hit(term) & ~Q(name__istartswith=term),
                            output_field=BooleanField())
    walk = (scope.annotate(hit=hit, walked=Window(RowNumber(), order_by=order))
            .order_by(*order).values("pk", "name", "hit", "walked")[:SEARCH_WALK_ROWS])
    sql, params = walk.query.sql_with_params()
    outer_order = ", ".join(
        f"walk.{column.name}"
        f" {'DESC' if column.descending else 'ASC'}"
        f" NULLS {'LAST' if column.nulls_last else 'FIRST'}" for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT walk.pk, walk.name, walk.hit, walk.walked FROM ({sql}) walk "  # noqa: S608
                       f"WHERE walk.hit OR walk.walked = %s ORDER BY {outer_order} LIMIT %s",
                       [*params, SEARCH_WALK_ROWS, limit + 1])
        rows = cursor.fetchall()
    hits = [{"pk": pk, "name": name, "search_rank": 2} for pk, name, matched, _ in rows
            if matched][:limit]
    if len(hits) < limit and any(walked == SEARCH_WALK_ROWS for *_, walked in rows):
        return None
    return hits


def _ranked_search_fetch(customers: QuerySet[Customer], term: str) -> Fetch:
    """A search's page in the order the list shows it (the name itself, names starting with it,
    then every other match by name), cut at the page before the rows are read.

    Sorting all matches by rank read and joined every one of them (12,000 of 20,000 customers
    for 公司) to four tables to keep fifty. Here the names starting with the term and the other
    matches are fetched apart, ids and names only, each cut at the page (the second not asked
    when the first fills it); then the page's rows are read by id. The other matches are first
    sought by a bounded walk along the name order (`_walked_others`), and only when it falls
    short from the ids the search indexes give, whose cost grows with the matches.
    """
    rank = Case(When(Q(name__iexact=term), then=Value(0)), default=Value(1),
                output_field=IntegerField())
    prefixed = customers.filter(name__istartswith=term).annotate(search_rank=rank)
    # `id = ANY(ARRAY(the matches))`: the matches' ids are read once and the customers then
    # found by their primary key. With `id IN (the matches)` PostgreSQL hash-joined the ids
    # against a read of every customer whenever it expected more than a handful (27 ms at
    # 100,000 customers for a term matching one name; 0.07 ms by the primary key).
    matched = Func(F("pk"), ArraySubquery(_search_matches(term)), template="%(expressions)s)",
                   arg_joiner=" = ANY(", output_field=BooleanField())
    others = (customers.filter(Q(matched)).exclude(name__istartswith=term)
              .annotate(search_rank=Value(2, output_field=IntegerField())))

    def fetch(columns: Sequence[Column], key: list[Any] | None, limit: int) -> list[Customer]:
        rank_key = key[0] if key is not None else None
        branches = [(prefixed, (0, 1)), (others, (2,))]
        if columns[0].descending:
            branches.reverse()
        light: list[dict[str, Any]] = []
        for branch, ranks in branches:
            # A branch wholly before the key (in the direction read) has nothing to give.
            if len(light) >= limit or rank_key is not None and (
                    max(ranks) < rank_key if not columns[0].descending
                    else min(ranks) > rank_key):
                continue
            wanted = limit - len(light)
            part = None
            if branch is others:
                part = _walked_others(customers, term, columns[1:],
                                      key[1:] if key is not None and rank_key == 2 else None,
                                      wanted)
            if part is None:
                # The page's ids and sort keys first, without the joins the rows come with:
                # the sort then handles two columns of each match instead of four joined
                # tables. (As values, the figures' join goes unread and PostgreSQL leaves it
                # out.)
                part = queryset_fetch(branch.select_related(None)
                                      .values("pk", "name", "search_rank"))(
                    columns, key, wanted)
            light.extend(part)
        found = customers.in_bulk([row["pk"] for row in light])
        for row in light:
            found[row["pk"]].search_rank = row["search_rank"]  # type: ignore[attr-defined]
        return [found[row["pk"]] for row in light]

    return fetch


def _figure_scope(*, user: User, officer_id: int | None = None) -> tuple[str, int] | None:
    """The one officer or team a list sorted by a figure is confined to, if any, as the
    figures' column and its value (None for the whole bank)."""
    if officer_id:
        return "officer_id", officer_id
    if user.role == Role.OFFICER:
        return "officer_id", user.pk
    if user.role == Role.SUPERVISOR and user.team_id:
        return "team_id", user.team_id
    return None


def _figure_fetch(customers: QuerySet[Customer], scope: tuple[str, int] | None) -> Fetch:
    """The page after a key in the order of a kept figure and the id, both one way.

    The key is compared as a row on the figures table's own columns, `(team_id, figure,
    customer_id) < (t, v, k)` for a team (the officer's for an officer, nothing before the
    figure for the bank): PostgreSQL then starts its walk of the scope's index at the key, even
    inside a tie of thousands (most customers are at zero days past due, most pass), where the
    OR of `after_q` bounded the figure alone and filtered the tie's rows one by one, and a key
    without the scope let it walk the bank's index and filter the other teams out."""
    def fetch(columns: Sequence[Column], key: list[Any] | None, limit: int) -> list[Customer]:
        rows = customers
        if key is not None:
            after = TupleLessThan if columns[0].descending else TupleGreaterThan
            fields = [F(f"figures__{columns[0].name}"), F("figures__customer_id")]
            values = list(key)
            if scope is not None:
                fields.insert(0, F(f"figures__{scope[0]}"))
                values.insert(0, scope[1])
            rows = rows.filter(after(Tuple(*fields), tuple(values)))
        return list(rows.order_by(*(column.order() for column in columns))[:limit])
    return fetch


def customer_list_page(*, user: User, query: QueryDict, size: int, sort: str = "name",
                       **filters: Any) -> KeysetPage:
    """One page of the list, filtered and sorted, with its figures: the page starts after the
    previous page's last row (keyset), never skipping rows with OFFSET, so the bank's page 2,000
    costs what its first does, in every order."""
    customers = customer_list_for_user(user=user, sort=sort, **filters)
    search = filters.get("search", "")
    columns = _list_columns(sort=sort, search=search)
    if search and columns[0].name == "search_rank":
        unsearched = customer_list_for_user(user=user, sort=sort, **{**filters, "search": ""})
        fetch = _ranked_search_fetch(unsearched, search)
    elif columns[0].name in FIGURES:
        fetch = _figure_fetch(customers, _figure_scope(user=user,
                                                       officer_id=filters.get("officer_id")))
    else:
        fetch = queryset_fetch(customers)
    paths = [c.name for c in columns]
    filtered = any(value for name, value in filters.items())
    # Counted in one order whatever the list's: every order shares the bank's kept count.
    counted = customer_list_for_user(user=user, **filters)
    return keyset_page(
        fetch=fetch, key_of=lambda row: [_path_value(row, path) for path in paths],
        columns=columns, order=f"{sort}:{bool(search)}", query=query, size=size,
        count=lambda: _list_count(user=user, customers=counted, filtered=filtered))


@dataclass(frozen=True)
class OfficerChoice:
    """An officer as the list's menus name them."""

    pk: int
    name: str
    team_code: str

    def __str__(self) -> str:
        return self.name


def officer_choices_for_user(*, user: User) -> list[OfficerChoice]:
    """The officers `services.officers_assignable_by` allows, as plain rows: an administrator's
    menus hold every officer of the bank, and building two thousand users with their teams as
    model instances cost the list more than its own query."""
    if user.role == Role.OFFICER:
        return [OfficerChoice(pk=user.pk, name=str(user), team_code="")]
    qs = User.objects.filter(role=Role.OFFICER, is_active=True).exclude(team=None)
    if user.role == Role.SUPERVISOR:
        if not user.team_id:
            return []
        qs = qs.filter(team_id=user.team_id)
    return [OfficerChoice(pk=pk, name=full_name or username, team_code=team_code)
            for pk, full_name, username, team_code
            in qs.values_list("pk", "full_name", "username", "team__code")]


def worst_classification_label(rank: int | None) -> StrOrPromise:
    if rank is None or rank < 0:
        return ""
    return Classification.choices[rank][1]


USER_NAME = ["id", "username", "full_name"]  # what a user's name on the sheet reads


def _all_fields(model: type[Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields]


def customer_get_for_user(*, user: User, pk: int, for_sheet: bool = False) -> Customer:
    """One customer in the user's scope, or 404. `for_sheet` preloads the information sheet.

    Short child lists (reassignments, valuations, each person's other companies) ride in their
    parent's row as JSON (loanwatch.core.rows) rather than costing a prefetch query each."""
    qs = customer_scope(user=user).select_related("officer", "team", "risk_group", "industry")
    if for_sheet:
        officers = dict.fromkeys(("from_officer", "to_officer", "by"), USER_NAME)
        qs = qs.annotate(assignment_rows=json_rows(
            CustomerAssignment.objects.filter(customer=OuterRef("pk")).order_by("-at", "-pk"),
            ["id", "customer", "from_officer", "to_officer", "by", "at", "note"], officers))
        qs = qs.prefetch_related(
            # Each person's other roles among the customers the user may see: the same
            # controller behind two companies is worth seeing.
            Prefetch("relations", queryset=CustomerRelation.objects.select_related("person")
                     .annotate(other_rows=json_rows(
                         CustomerRelation.objects.filter(
                             customer_scope_filter(user=user, through="customer__"),
                             person=OuterRef("person_id")).exclude(customer_id=pk)
                         .order_by("role", "pk"),
                         ["id", "customer", "person", "role", "stake_pct"],
                         {"customer": ["id", "name"]}))),
        )
        # The loans and the collateral (each item with the loans it secures and its valuations,
        # newest first) ride in the customer's row too. Collateral secures only its own
        # customer's loans (services.collateral_create), so these are every loan's collateral,
        # shared out in _share_sheet_rows.
        valuations = json_rows(
            CollateralValuation.objects.filter(collateral=OuterRef("pk"))
            .order_by("-valued_on", "-pk"),
            ["id", "collateral", "valued_on", "value", "source", "note", "recorded_by"],
            {"recorded_by": USER_NAME})
        secured = ArraySubquery(Collateral.loans.through.objects
                                .filter(collateral=OuterRef("pk")).values("loan_id"))
        qs = qs.annotate(
            loan_rows=json_rows(Loan.objects.filter(customer=OuterRef("pk"))
                                .order_by("disbursed_on", "contract_number", "pk"),
                                _all_fields(Loan)),
            collateral_rows=json_rows(Collateral.objects.filter(customer=OuterRef("pk"))
                                      .order_by("description", "pk"), _all_fields(Collateral),
                                      extra={"loan_ids": secured, "valuations": valuations}))
    customer = qs.filter(pk=pk).first()
    if customer is None:
        raise Http404
    if for_sheet:
        # The query was annotated with the sheet's rows above (on a branch the checker
        # cannot follow).
        _share_sheet_rows(cast("WithAnnotations[Customer, _SheetRows]", customer))
    return customer


def assignments_section(*, customer: Customer, user: User) -> dict[str, Any]:
    """The customer's reassignments, newest first: read with the customer for the sheet
    (customer_get_for_user(for_sheet=True)), so no query of its own."""
    return {"assignments": list(customer.assignments.all())}


class _SheetRows(TypedDict):
    """What customer_get_for_user(for_sheet=True) annotates a customer with (JSON rows)."""

    assignment_rows: list[dict[str, Any]] | None
    loan_rows: list[dict[str, Any]] | None
    collateral_rows: list[dict[str, Any]] | None


class _OtherRows(TypedDict):
    other_rows: list[dict[str, Any]] | None


def _share_sheet_rows(customer: WithAnnotations[Customer, _SheetRows]) -> None:
    """Turn the rows the customer's query carried into the related managers' caches, and give
    the loans their collateral and guarantees and the customer the guarantees it gives from
    rows read once (separate prefetches read the collateral twice, the guarantees in two
    queries)."""
    set_prefetched(customer, "assignments", instances(
        CustomerAssignment, customer.assignment_rows, ("from_officer", "to_officer", "by")))
    # The relations' prefetch annotated each with other_rows (customer_get_for_user).
    relations = cast("list[WithAnnotations[CustomerRelation, _OtherRows]]",
                     customer.relations.all())
    for relation in relations:
        relation.person.visible_relations = instances(
            CustomerRelation, relation.other_rows, ("customer",))
    loans = instances(Loan, customer.loan_rows)
    set_prefetched(customer, "loans", loans)
    collateral = []
    for row in customer.collateral_rows or ():
        item = instance(Collateral, row)
        item.loan_ids = row["loan_ids"]
        set_prefetched(item, "valuations", instances(
            CollateralValuation, row["valuations"], ("recorded_by",)))
        collateral.append(item)
    set_prefetched(customer, "collaterals", collateral)
    for item in collateral:
        secured = set(item.loan_ids)
        set_prefetched(item, "loans", [loan for loan in loans if loan.pk in secured])
    guarantees = list(
        Guarantee.objects.filter(Q(loan_id__in=[loan.pk for loan in loans])
                                 | Q(guarantor_customer_id=customer.pk))
        .select_related("guarantor_customer", "loan__customer"))
    for loan in loans:
        set_prefetched(loan, "collaterals", [c for c in collateral if loan.pk in c.loan_ids])
        set_prefetched(loan, "guarantees", [g for g in guarantees if g.loan_id == loan.pk])
    set_prefetched(customer, "guarantees_given",
                [g for g in guarantees if g.guarantor_customer_id == customer.pk])


def loan_get_for_user(*, user: User, pk: int) -> Loan:
    loan = (Loan.objects.filter(customer__in=customer_scope(user=user), pk=pk)
            .select_related("customer").first())
    if loan is None:
        raise Http404
    return loan


def collateral_get_for_user(*, user: User, pk: int) -> Collateral:
    collateral = (Collateral.objects.filter(customer__in=customer_scope(user=user), pk=pk)
                  .select_related("customer").first())
    if collateral is None:
        raise Http404
    return collateral


def relation_get_for_user(*, user: User, pk: int) -> CustomerRelation:
    relation = (CustomerRelation.objects.filter(customer__in=customer_scope(user=user), pk=pk)
                .select_related("customer", "person").first())
    if relation is None:
        raise Http404
    return relation


def guarantee_get_for_user(*, user: User, pk: int) -> Guarantee:
    guarantee = (Guarantee.objects.filter(loan__customer__in=customer_scope(user=user), pk=pk)
                 .select_related("loan").first())
    if guarantee is None:
        raise Http404
    return guarantee


def default_risk_group() -> RiskGroup | None:
    """Where a new customer starts: the least-watched group (first in the groups' order)."""
    return RiskGroup.objects.order_by("order", "code").first()


def classification_floor(*, days_past_due: int) -> str:
    """The minimum classification that these days past due allow."""
    floor = (ClassificationFloor.objects.filter(days_past_due_over__lt=days_past_due)
             .order_by("-days_past_due_over").values_list("minimum", flat=True).first())
    return floor or Classification.PASS


def loan_to_value(*, loan: Loan) -> Decimal | None:
    """Outstanding balance over the current value of the collateral securing the loan (prefetched).

    Collateral that secures several loans counts in full for each: a conservative bank would
    split it, but the officer sees each loan's own cover this way, as the ledger does."""
    value = sum((c.current_value() for c in loan.collaterals.all()), Decimal("0"))
    if not value:
        return None
    return (loan.balance / value * 100).quantize(Decimal("0.1"))


# --- Guarantee circles (担保圈) ------------------------------------------------------------------

# The walk starts at one customer and follows guarantees in both directions through the
# indexes on customers_loan.customer_id and customers_guarantee.guarantor_customer_id, one step
# of neighbours at a time (a LATERAL union, since the recursive term may name `member` once).
# It never builds the bank-wide edge list: at 100,000 customers that took half a second.
# Cycles are found by joining the edges to `reach` (a hash join), not by an EXISTS per edge:
# the planner cannot size a recursive CTE, costed the EXISTS at some 300,000 and compiled the
# statement with JIT, 30-50 ms for a query that runs in a fraction of one.
CIRCLE_SQL = """
WITH RECURSIVE member(id) AS (
    SELECT %s::bigint
    UNION
    SELECT n.id FROM member m CROSS JOIN LATERAL (
        SELECT g.guarantor_customer_id AS id
        FROM customers_loan l JOIN customers_guarantee g ON g.loan_id = l.id
        WHERE l.customer_id = m.id AND g.guarantor_customer_id IS NOT NULL
        UNION ALL
        SELECT l.customer_id
        FROM customers_guarantee g JOIN customers_loan l ON l.id = g.loan_id
        WHERE g.guarantor_customer_id = m.id
    ) n
),
circle_edges(src, dst) AS (
    SELECT DISTINCT g.guarantor_customer_id, l.customer_id
    FROM member m
    JOIN customers_guarantee g ON g.guarantor_customer_id = m.id
    JOIN customers_loan l ON l.id = g.loan_id
    WHERE l.customer_id <> g.guarantor_customer_id
),
reach(start, node) AS (
    SELECT src, dst FROM circle_edges
    UNION
    SELECT r.start, e.dst FROM reach r JOIN circle_edges e ON e.src = r.node
)
SELECT m.id, NULL::bigint, FALSE FROM member m
UNION ALL
SELECT e.src, e.dst, r.start IS NOT NULL
FROM circle_edges e LEFT JOIN reach r ON r.start = e.dst AND r.node = e.src
"""


@dataclass
class Circle:
    """The customers linked to one customer through guarantees, in either direction."""

    member_ids: set[int]
    # (guarantor id, borrower id, on a cycle of mutual guarantee)
    edges: list[tuple[int, int, bool]]
    members: list[Customer] = field(default_factory=list)
    visible_ids: set[int] = field(default_factory=set)

    @property
    def cycle_ids(self) -> set[int]:
        return {n for src, dst, cyc in self.edges if cyc for n in (src, dst)}

    @property
    def has_mutual_guarantee(self) -> bool:
        return any(cyc for _, _, cyc in self.edges)


def guarantee_circle_ids(*, customer_id: int) -> Circle:
    """One recursive query in PostgreSQL: the connected members, and which edges lie on a cycle
    (a guarantee u→v is on a cycle when v, following guarantees, reaches u again)."""
    with connection.cursor() as cursor:
        cursor.execute(CIRCLE_SQL, [customer_id])
        rows = cursor.fetchall()
    members = {row[0] for row in rows if row[1] is None}
    edges = sorted((row[0], row[1], row[2]) for row in rows if row[1] is not None)
    return Circle(member_ids=members, edges=edges)


def guarantee_circle_for_user(*, user: User, customer: Customer) -> Circle:
    """The circle of a customer the user may see; members outside the user's scope are named
    (the guarantee already names them on the loan) but not linked."""
    circle = guarantee_circle_ids(customer_id=customer.pk)
    if len(circle.member_ids) > 1:
        # Which members the user may open, in the same query.
        scope = customer_scope_filter(user=user)
        members = list(Customer.objects.filter(pk__in=circle.member_ids)
                       .select_related("risk_group").order_by("name")
                       .annotate(visible=ExpressionWrapper(scope, BooleanField())
                                 if scope else Value(True)))
        circle.visible_ids = {m.pk for m in members if m.visible}
        circle.members = list(members)
    return circle


def portfolio_summary(*, user: User) -> dict[str, Any]:
    """The user's book for the home pages: one aggregate over the loans, one over the customers.

    Two plain aggregates rather than one over loans joined to customers: counting distinct
    customers across the join sorted every loan of the bank for an administrator.
    """
    scope = customer_scope(user=user)
    loans = Loan.objects.all() if user.role == Role.ADMIN else \
        Loan.objects.filter(customer__in=scope)
    figures = loans.aggregate(
        outstanding=Sum("balance"),
        loan_count=Count("pk", filter=Q(balance__gt=0)),
        overdue_loans=Count("pk", filter=Q(days_past_due__gt=0)),
        non_performing=Count("pk", filter=Q(classification__in=[
            Classification.SUBSTANDARD, Classification.DOUBTFUL, Classification.LOSS])),
    )
    figures.update(scope.aggregate(
        customers=Count("pk"),
        high_risk_customers=Count("pk", filter=Q(risk_group__code="high")),
    ))
    figures["outstanding"] = figures["outstanding"] or Decimal("0")
    return figures


# --- Home cards --------------------------------------------------------------------------------

BANK_PORTFOLIO_KEY = "home:bank-portfolio"
BANK_PORTFOLIO_SECONDS = 60


def bank_portfolio(*, user: User) -> dict[str, Any]:
    """The whole bank's book for the administrator's home page, kept for a minute and shown
    with the time it was counted.

    Summing a quarter of a million loans and counting a hundred thousand customers takes the
    database ~90 ms however it is indexed; every administrator sees the same figures, so they
    are counted at most once a minute per process instead of on every request.
    """
    figures: dict[str, Any] | None = cache.get(BANK_PORTFOLIO_KEY)
    if figures is None:
        figures = {**portfolio_summary(user=user), "as_of": timezone.now()}
        cache.set(BANK_PORTFOLIO_KEY, figures, BANK_PORTFOLIO_SECONDS)
    return figures


def portfolio_card(*, user: User) -> dict[str, Any]:
    if user.role == Role.ADMIN:
        return {"portfolio": bank_portfolio(user=user)}
    return {"portfolio": portfolio_summary(user=user)}


RISK_ROSE_SQL = """
SELECT e.pgh_obj_id
FROM (
    SELECT pgh_obj_id, pgh_created_at, risk_group_id,
           LAG(risk_group_id) OVER (PARTITION BY pgh_obj_id ORDER BY pgh_created_at, pgh_id)
             AS previous
    FROM customers_customerevent
    WHERE pgh_obj_id IN ({scope})
) e
JOIN customers_riskgroup now_group ON now_group.id = e.risk_group_id
JOIN customers_riskgroup before_group ON before_group.id = e.previous
WHERE e.pgh_created_at >= %s AND now_group."order" > before_group."order"
GROUP BY e.pgh_obj_id
"""


def customers_risk_rose_since(*, user: User, since: datetime.datetime) -> tuple[list[Any], int]:
    """Customers moved to a closer-watched risk group since `since`, from the audit trail: the
    first few (with their group) and how many, in one query."""
    scope = customer_scope(user=user)
    scope_sql, scope_params = scope.values("pk").query.sql_with_params()
    # The text is fixed SQL around the ORM's own scope query; every value is a parameter.
    rose = RawSQL(RISK_ROSE_SQL.format(scope=scope_sql), [*scope_params, since])  # noqa: S611
    return first_rows_and_count(scope.filter(pk__in=rose).select_related("risk_group")
                                .order_by("name", "pk"))


def risk_rose_card(*, user: User) -> dict[str, Any]:
    today = timezone.localdate()
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1),
                                                                datetime.time.min))
    customers, count = customers_risk_rose_since(user=user, since=month_start)
    return {"risk_rose": customers, "risk_rose_count": count}


# --- Risk state: history and corrections --------------------------------------------------------


RISK_FIELD_LABELS: dict[str, StrOrPromise] = {
    "risk_group": _("risk group"), "classification": _("classification"),
    "balance": _("outstanding balance (CNY)"), "days_past_due": _("days past due"),
    # What the loan feed moves besides those (customers/feed).
    "principal_overdue": _("principal overdue (CNY)"),
    "interest_overdue": _("interest overdue (CNY)"), "next_due_on": _("next instalment due"),
    "matures_on": _("maturity date"), "status": _("loan status")}


def _change_value(field: str, value: str, groups: dict[int, RiskGroup]) -> str:
    if field == "risk_group":
        group = groups.get(int(value)) if value.isdigit() else None
        return str(group) if group else value
    if field == "classification" and value in Classification.values:
        return str(Classification(value).label)
    if field == "status" and value in LoanStatus.values:
        return str(LoanStatus(value).label)
    return value


def risk_changes_readable(*, rows: list[RiskStateChange]) -> list[RiskStateChange]:
    """Each row's `lines`: what moved, in the reader's language ("LN-1 classification: pass →
    substandard"). Group names come from one query, whatever the number of rows."""
    groups = RiskGroup.objects.in_bulk()
    for row in rows:
        lines = []
        for change in row.changes:
            field = change.get("field", "")
            label = str(RISK_FIELD_LABELS.get(field, field))
            if change.get("contract"):
                label = f"{change['contract']} {label}"
            lines.append(f"{label}: {_change_value(field, change.get('before', ''), groups)} → "
                         f"{_change_value(field, change.get('after', ''), groups)}")
        row.lines = lines
    return rows


def risk_history_section(*, customer: Customer, user: User) -> dict[str, Any]:
    """The customer sheet's risk-state history and the corrections still waiting (3 queries)."""
    rows = list(RiskStateChange.objects.filter(customer=customer).select_related("by")[:50])
    waiting = list(RiskCorrection.objects.filter(customer=customer,
                                                 status=RiskCorrection.Status.AWAITING)
                   .select_related("requested_by"))
    return {"risk_changes": risk_changes_readable(rows=rows), "corrections_waiting": waiting,
            "may_correct": user.role == Role.ADMIN}


def corrections_for_user(*, user: User) -> QuerySet[RiskCorrection]:
    """Corrections of customers in the user's scope, waiting ones first."""
    return (RiskCorrection.objects.filter(customer__in=customer_scope(user=user))
            .select_related("customer", "requested_by", "decided_by")
            .order_by(Case(When(status=RiskCorrection.Status.AWAITING, then=0), default=1),
                      "-requested_at", "-pk"))


# Waiting ones first, then the newest; the id breaks ties.
CORRECTION_ORDER = [Column("waiting", kind="int"),
                    Column("requested_at", descending=True, kind="datetime"),
                    Column("pk", descending=True, kind="int")]


def correction_page_for_user(*, user: User, query: QueryDict, size: int) -> KeysetPage:
    """One page of the corrections list, starting after the previous page's last correction
    (keyset: the bank's corrections grow with the book and the years; no OFFSET, no count)."""
    corrections = corrections_for_user(user=user).annotate(waiting=Case(
        When(status=RiskCorrection.Status.AWAITING, then=0), default=1,
        output_field=IntegerField()))
    return keyset_page(fetch=queryset_fetch(corrections),
                       key_of=lambda c: [c.waiting, c.requested_at, c.pk],
                       columns=CORRECTION_ORDER, order="corrections", query=query, size=size,
                       # The list shows no total; the home card counts the waiting ones.
                       count=lambda: (0, False))


def corrections_card(*, user: User) -> dict[str, Any]:
    waiting = (corrections_for_user(user=user).filter(status=RiskCorrection.Status.AWAITING)
               .exclude(requested_by=user))
    rows, count = first_rows_and_count(waiting)
    return {"corrections": rows, "corrections_count": count}


def corrections_readable(*, corrections: list[RiskCorrection]) -> list[RiskCorrection]:
    """Each correction's `lines`: today's value → the corrected one, for every field it names
    (two queries for the page, whatever it holds)."""
    groups = RiskGroup.objects.in_bulk()
    loan_ids = {int(pk) for c in corrections for pk in c.proposed.get("loans", {})}
    loans = Loan.objects.in_bulk(list(loan_ids))
    for correction in corrections:
        lines = []
        group_id = correction.proposed.get("risk_group")
        if group_id:
            lines.append(f"{RISK_FIELD_LABELS['risk_group']}: "
                         f"{groups.get(correction.customer.risk_group_id, '')} → "
                         f"{groups.get(group_id, '')}")
        for pk, values in correction.proposed.get("loans", {}).items():
            loan = loans.get(int(pk))
            for name, after in values.items():
                before = str(getattr(loan, name, "")) if loan else ""
                lines.append(f"{loan.contract_number if loan else pk} "
                             f"{RISK_FIELD_LABELS.get(name, name)}: "
                             f"{_change_value(name, before, groups)} → "
                             f"{_change_value(name, str(after), groups)}")
        correction.lines = lines
    return corrections


def export_job_get_for_user(*, user: User, pk: int) -> ExportJob:
    """One of the user's own exports; anyone else's is not found, whatever their role."""
    job = ExportJob.objects.filter(pk=pk, user=user).first()
    if job is None:
        raise Http404
    return job


def officers_assignable_by(*, user: User) -> list[User]:
    """Whom a user may make a customer's officer: an officer themself; a supervisor the officers of
    their team; an admin any officer."""
    qs = User.objects.filter(role=Role.OFFICER, is_active=True).select_related("team")
    if user.role == Role.OFFICER:
        return [user]
    if user.role == Role.SUPERVISOR:
        return list(qs.filter(team_id=user.team_id)) if user.team_id else []
    return list(qs.exclude(team=None))
