"""The one seam through which an app contributes to pages and jobs that belong to another.

Each app declares its contributions in its own `hooks.py`, found once at start-up the way the
Django admin finds `admin.py` (core's AppConfig.ready() calls `autodiscover`). A contribution is
any value — a chart, a ledger column, a home card, a function — registered under a name:

    from loanwatch.core import hooks

    hooks.register("charts", Chart(key="visits-by-month", ...), order=20)

    @hooks.register("visit_submitted")
    def close_fulfilled_tasks(*, visit): ...

`get_hooks(name)` returns every contribution of that name sorted by `order`, then by the
position of the contributing app in INSTALLED_APPS, then in the order they were registered: the
settings' list of apps is the one order, and no other module names the apps.

Names in use are listed in docs/architecture.md. A hooks module that fails to import stops the
start-up with its error; a contribution that silently went missing would be worse.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import autodiscover_modules

DEFAULT_ORDER = 100


@dataclass(frozen=True)
class _Entry:
    value: Any
    order: int
    app_position: int
    sequence: int


_HOOKS: dict[str, list[_Entry]] = defaultdict(list)


def _app_position(module: str) -> int:
    """Where the app that owns `module` stands in INSTALLED_APPS (last when none owns it)."""
    config = apps.get_containing_app_config(module)
    if config is None:
        return sys.maxsize
    return list(apps.get_app_configs()).index(config)


def register(name: str, value: Any = None, *, order: int = DEFAULT_ORDER,
             app: str | None = None) -> Any:
    """Contribute `value` under `name`; without a value, a decorator that contributes the
    function it decorates (and returns it unchanged).

    `app` names the module whose app the contribution is sorted with, when one app contributes
    on behalf of another (the development tools load each app's demo data in its place);
    otherwise the module that calls `register` decides.
    """
    module = app or sys._getframe(1).f_globals.get("__name__", "")
    position = _app_position(module)

    def add(item: Any) -> Any:
        entries = _HOOKS[name]
        entries.append(_Entry(value=item, order=order, app_position=position,
                              sequence=len(entries)))
        return item

    if value is None:
        return add
    return add(value)


def get_hooks(name: str) -> list[Any]:
    """Every contribution under `name`, in (order, INSTALLED_APPS position, registration)."""
    entries = sorted(_HOOKS.get(name, ()), key=lambda e: (e.order, e.app_position, e.sequence))
    return [entry.value for entry in entries]


def call(name: str, /, **kwargs: Any) -> list[Any]:
    """Call every function registered under `name` with `kwargs`; their results, in order."""
    return [function(**kwargs) for function in get_hooks(name)]


_discovered = False


def autodiscover() -> None:
    """Import every installed app's `hooks` module once (core's AppConfig.ready() calls this)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    autodiscover_modules("hooks")


