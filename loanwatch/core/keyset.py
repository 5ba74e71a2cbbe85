"""Keyset pagination: a long list's next page starts after the last row's sort key instead of
skipping rows with OFFSET, so page 2,000 costs what page 1 costs.

A list declares its order as `Column`s (the row's id is always the last, as the tiebreak), reads
the `after` / `before` parameters through `KeysetForm` (signed tokens; a forged or stale one is
ignored and the list starts at its first page), and asks `keyset_page` for one page. The page
carries the tokens of its neighbours; `templates/includes/keyset_pagination.html` writes the
first / previous / next links with the list's other parameters kept.

The same order is available as a condition on a queryset (`after_q`) and as SQL (`after_sql`) for
a list whose page query is written by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import signing
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict

SALT = "loanwatch.keyset"


@dataclass(frozen=True)
class Column:
    """One sort column: an ORM path (or, for `after_sql`, an SQL expression), its direction,
    and where NULLs go (last in both directions, as the lists show them)."""

    name: str
    descending: bool = False
    nulls_last: bool = True
    kind: str = "text"  # how a token's value is read back: text, int, decimal, date, datetime
    nullable: bool = False

    def reversed(self) -> Column:
        return Column(self.name, not self.descending, not self.nulls_last, self.kind,
                      self.nullable)

    def order(self) -> OrderBy:
        column = F(self.name)
        nulls = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return column.desc(**nulls) if self.descending else column.asc(**nulls)


def _read(kind: str, value: Any) -> Any:
    """A token's value back in its type; ValueError when it cannot be."""
    if value is None:
        return None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(value)
        return value
    if kind == "decimal":
        try:
            return Decimal(str(value))
        except InvalidOperation as error:
            raise ValueError(value) from error
    if kind == "date":
        return datetime.date.fromisoformat(str(value))
    if kind == "datetime":
        read = datetime.datetime.fromisoformat(str(value))
        if read.tzinfo is None:
            raise ValueError(value)
        return read
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def _write(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _conditions(columns: Sequence[Column], key: Sequence[Any], *, gt, lt, ge, le, eq, isnull,
                notnull, any_of, all_of, never):
    """"Comes after `key` in this order", built from the given constructors: the first column
    after, or equal and the rest after, and so on.

    A first column that holds no NULLs is also bounded on its own (`name >= 'X' AND (…)`): the
    OR alone would make PostgreSQL walk the index from its start and filter, where the bound
    starts the walk at the key."""
    branches = []
    equal_so_far: list = []
    for column, value in zip(columns, key, strict=True):
        if value is None:
            # NULLs last: nothing but NULLs ties, nothing comes after; NULLs first: every value.
            after = never() if column.nulls_last else notnull(column)
            equal = isnull(column)
        else:
            after = (lt if column.descending else gt)(column, value)
            if column.nullable and column.nulls_last:
                after = any_of([after, isnull(column)])
            equal = eq(column, value)
        branches.append(all_of([*equal_so_far, after]))
        equal_so_far.append(equal)
    first, value = columns[0], key[0]
    if first.nullable or value is None:
        return any_of(branches)
    return all_of([(le if first.descending else ge)(first, value), any_of(branches)])


def after_q(columns: Sequence[Column], key: Sequence[Any]) -> Q:
    """The rows after `key` in the order of `columns`, as a filter."""
    def any_of(parts):
        result = Q(pk__in=[])
        for part in parts:
            result |= part
        return result

    def all_of(parts):
        result = Q()
        for part in parts:
            result &= part
        return result

    return _conditions(
        columns, key,
        gt=lambda c, v: Q(**{f"{c.name}__gt": v}), lt=lambda c, v: Q(**{f"{c.name}__lt": v}),
        ge=lambda c, v: Q(**{f"{c.name}__gte": v}), le=lambda c, v: Q(**{f"{c.name}__lte": v}),
        eq=lambda c, v: Q(**{c.name: v}), isnull=lambda c: Q(**{f"{c.name}__isnull": True}),
        notnull=lambda c: Q(**{f"{c.name}__isnull": False}), any_of=any_of, all_of=all_of,
        never=lambda: Q(pk__in=[]))


def after_sql(columns: Sequence[Column], key: Sequence[Any]) -> tuple[str, list[Any]]:
    """The same condition as SQL over the columns' expressions, with its parameters."""
    def join(word):
        def combine(parts):
            parts = [p for p in parts if p != ("TRUE", [])] if word == "AND" else parts
            if not parts:
                return ("TRUE", []) if word == "AND" else ("FALSE", [])
            return (f"({f' {word} '.join(sql for sql, _ in parts)})",
                    [param for _, params in parts for param in params])
        return combine

    return _conditions(
        columns, key,
        gt=lambda c, v: (f"{c.name} > %s", [v]), lt=lambda c, v: (f"{c.name} < %s", [v]),
        ge=lambda c, v: (f"{c.name} >= %s", [v]), le=lambda c, v: (f"{c.name} <= %s", [v]),
        eq=lambda c, v: (f"{c.name} = %s", [v]), isnull=lambda c: (f"{c.name} IS NULL", []),
        notnull=lambda c: (f"{c.name} IS NOT NULL", []), any_of=join("OR"),
        all_of=join("AND"), never=lambda: ("FALSE", []))


def encode(order: str, key: Sequence[Any]) -> str:
    return signing.dumps([order, [_write(v) for v in key]], salt=SALT, compress=True)


def decode(token: str, *, order: str, columns: Sequence[Column]) -> list[Any] | None:
    """The key a token carries, if it was signed here for this order; else None."""
    try:
        signed_order, values = signing.loads(token, salt=SALT)
        if signed_order != order or len(values) != len(columns):
            return None
        return [_read(column.kind, value) for column, value in zip(columns, values, strict=True)]
    except (signing.BadSignature, ValueError, TypeError):
        return None


class KeysetForm(forms.Form):
    """The `after` / `before` parameters of a keyset list; a bad one reads as absent."""

    after = forms.CharField(required=False, max_length=500)
    before = forms.CharField(required=False, max_length=500)

    def token(self) -> tuple[str, str]:
        """("after" or "before", the token), or ("", "") for the first page."""
        self.is_valid()
        for direction in ("after", "before"):
            value = self.cleaned_data.get(direction)
            if value:
                return direction, value
        return "", ""


@dataclass
class KeysetPage:
    """One page of a keyset list, as the templates read it."""

    object_list: list
    count: int
    count_is_estimate: bool
    next_token: str = ""
    previous_token: str = ""
    query: QueryDict = field(default_factory=QueryDict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def _link(self, **changes: str) -> str:
        query = self.query.copy()
        for name in ("after", "before", "page"):
            query.pop(name, None)
        for name, value in changes.items():
            query[name] = value
        return "?" + query.urlencode()

    @property
    def has_next(self) -> bool:
        return bool(self.next_token)

    @property
    def has_previous(self) -> bool:
        return bool(self.previous_token)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def first_link(self) -> str:
        return self._link()

    @property
    def next_link(self) -> str:
        return self._link(after=self.next_token)

    @property
    def previous_link(self) -> str:
        return self._link(before=self.previous_token)


# fetch(columns, key, limit): up to `limit` rows in the columns' order after `key` (None: from
# the start).
Fetch = Callable[[Sequence["Column"], list[Any] | None, int], list]


def keyset_page(*, fetch: Fetch,
                key_of: Callable[[Any], list[Any]], columns: Sequence[Column], order: str,
                query: QueryDict, size: int, count: Callable[[], tuple[int, bool]]
                ) -> KeysetPage:
    """One page of a list in the order of `columns` (the id last), from the request's query.

    `fetch(columns, key, limit)` returns up to `limit` rows in the order of `columns` coming
    after `key` (all rows when None); the previous page is fetched in the reversed order and
    turned round. `key_of(row)` gives a row's values of the columns. `count()` gives the list's
    size and whether it is an estimate.
    """
    direction, token = KeysetForm(query).token()
    key = decode(token, order=order, columns=columns) if token else None
    if key is None:
        direction = ""
    if direction == "before":
        rows = fetch([c.reversed() for c in columns], key, size + 1)
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        has_previous, has_next = more_before, True
    else:
        rows = fetch(columns, key, size + 1)
        has_next = len(rows) > size
        rows = rows[:size]
        has_previous = direction == "after"
    total, estimate = count()
    return KeysetPage(
        object_list=rows, count=total, count_is_estimate=estimate, query=query,
        next_token=encode(order, key_of(rows[-1])) if rows and has_next else "",
        previous_token=encode(order, key_of(rows[0])) if rows and has_previous else "")


def queryset_fetch(queryset: QuerySet) -> Fetch:
    """`fetch` for a queryset whose rows have the columns as fields or annotations."""
    def fetch(columns: Sequence[Column], key: list[Any] | None, limit: int) -> list:
        rows = queryset
        if key is not None:
            rows = rows.filter(after_q(columns, key))
        return list(rows.order_by(*(c.order() for c in columns))[:limit])
    return fetch


def table_estimate(table: str) -> int | None:
    """PostgreSQL's estimate of a table's rows (kept by ANALYZE and autovacuum); None when the
    table was never analysed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                       [table])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None
