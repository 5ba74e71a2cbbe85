"""The menu: each app contributes its entries under "menu_entries" in its hooks.py, each shown
only to the roles that may use it; `group="admin"` puts an entry in the Administration menu."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from . import hooks

ADMIN_GROUP = "admin"


@dataclass(frozen=True)
class MenuEntry:
    label: Promise | str
    url_name: str
    roles: Iterable[str]  # Role values, kept as a frozenset of strings
    group: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(str(role) for role in self.roles))

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def entries_for(role: str | None, *, group: str = "") -> list[MenuEntry]:
    if not role:
        return []
    return [entry for entry in hooks.get_hooks("menu_entries")
            if str(role) in entry.roles and entry.group == group]
