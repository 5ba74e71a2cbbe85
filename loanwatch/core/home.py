"""The home pages' cards: each app contributes its own under "home_cards" in its hooks.py.

A card is a template and a function that builds its context for the signed-in user; it names
the roles whose home page shows it, and the hooks' order places it. Every card keeps to a fixed
number of queries whatever the book holds (the home pages' query counts are pinned in tests):
an aggregate, or a short list counted in the same query (`first_rows_and_count`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from loanwatch.accounts.access import AuthenticatedHttpRequest

from . import hooks

SHORT = 5  # items listed under each count


@dataclass(frozen=True)
class HomeCard:
    key: str
    template: str
    roles: Iterable[str]  # Role values, kept as a frozenset of strings
    context: Callable[..., dict]  # context(user=) -> dict

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(str(role) for role in self.roles))


def cards_for(role: str) -> list[HomeCard]:
    return [card for card in hooks.get_hooks("home_cards") if str(role) in card.roles]


def render_cards(*, request: AuthenticatedHttpRequest) -> list[SafeString]:
    """The HTML of every card the user's role is shown, in order."""
    user = request.user
    return [render_to_string(card.template, card.context(user=user), request=request)
            for card in cards_for(user.role)]


def first_rows_and_count(queryset: QuerySet) -> tuple[list, int]:
    """The first SHORT rows and how many rows there are, in one query: the count is a window
    over the whole filtered set, which the database computes before it applies the LIMIT."""
    rows = list(queryset.annotate(row_total=Window(Count("pk")))[:SHORT])
    return rows, rows[0].row_total if rows else 0
