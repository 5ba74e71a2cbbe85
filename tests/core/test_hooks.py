"""The contribution registry: one order (the hook's, then INSTALLED_APPS), found by
autodiscovery, and a hooks module that fails stops the start-up instead of going missing."""

from __future__ import annotations

import sys
from collections import defaultdict

import pytest
from django.apps import AppConfig, apps
from django.urls import reverse

from loanwatch.accounts.roles import Role
from loanwatch.core import hooks, menu


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(hooks, "_HOOKS", defaultdict(list))
    return hooks


def test_contributions_sort_by_order_then_installed_apps_then_registration(registry):
    registry.register("things", "reports-early", order=5, app="reports")
    registry.register("things", "reports", app="reports")
    registry.register("things", "customers", app="customers")
    registry.register("things", "customers-second", app="customers")
    registry.register("things", "schedule", app="visits.schedule")
    assert registry.get_hooks("things") == [
        "reports-early", "customers", "customers-second", "schedule", "reports"]
    assert registry.get_hooks("nothing registered") == []


def test_the_decorator_registers_the_function_and_returns_it(registry):
    @registry.register("greetings", order=2)
    def second(*, name):
        return f"hello {name}"

    @registry.register("greetings", order=1)
    def first(*, name):
        return f"hi {name}"

    assert second(name="x") == "hello x"
    assert registry.call("greetings", name="李明") == ["hi 李明", "hello 李明"]


def test_the_calling_module_decides_the_app(registry):
    registry.register("things", "from core")  # this module belongs to no app: sorted last
    registry.register("things", "from customers", app="customers")
    assert registry.get_hooks("things") == ["from customers", "from core"]


def test_every_app_contributes_through_its_hooks_module():
    keys = [chart.key for chart in hooks.get_hooks("charts")]
    assert keys[:2] == ["risk-groups", "classifications"]
    assert "warnings" in keys and "on-time-by-month" in keys
    columns = [column.key for column in hooks.get_hooks("ledger_columns")]
    # No order given: INSTALLED_APPS decides (records, visits, schedule, reports).
    assert columns == ["ledger_last_record_check", "ledger_last_visit",
                       "ledger_last_visit_method", "ledger_next_due", "ledger_days_overdue",
                       "ledger_warning", "ledger_warning_status", "ledger_standing_warning",
                       "ledger_warning_since"]


def test_a_hooks_module_that_fails_to_import_stops_the_start_up(tmp_path, monkeypatch):
    package = tmp_path / "broken_hooks_app"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text("import a_module_that_does_not_exist  # noqa\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        broken = AppConfig.create("broken_hooks_app")
        monkeypatch.setattr(apps, "get_app_configs", lambda: [broken])
        monkeypatch.setattr(hooks, "_discovered", False)
        with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist"):
            hooks.autodiscover()
    finally:
        for name in [m for m in sys.modules if m.startswith("broken_hooks_app")]:
            del sys.modules[name]



def test_each_role_is_offered_the_menu_entries_the_apps_contribute_for_it():
    def urls(role, **group) -> list[str]:
        return [entry.url for entry in menu.entries_for(role, **group)]

    everyone = [reverse("customers:customer_list"), reverse("customers:signal_list"),
                reverse("core:dashboard"),
                reverse("schedule:plan"), reverse("records:due_list")]
    assert urls(Role.OFFICER) == [*everyone, reverse("visits:draft_list")]
    deciders = [*everyone, reverse("feed:classification_review"),
                reverse("reports:report_queue"), reverse("reports:quality_list"),
                reverse("schedule:event_list")]
    assert urls(Role.SUPERVISOR) == urls(Role.ADMIN) == deciders
    assert urls(Role.OFFICER, group=menu.ADMIN_GROUP) == []
    assert urls(Role.SUPERVISOR, group=menu.ADMIN_GROUP) == []
    assert urls(Role.ADMIN, group=menu.ADMIN_GROUP) == [reverse(name) for name in (
        "accounts:user_list", "accounts:team_list", "customers:industry_list",
        "schedule:risk_group_list", "schedule:policy", "customers:classification_floors",
        "feed:upload", "customers:correction_list", "customers:signal_settings",
        "reports:measure_list", "reports:warning_approvals", "visits:threshold_list",
        "api_tokens:list", "visits:guidance_list", "records:policy_edit")]
    assert menu.entries_for(None) == []


@pytest.mark.django_db
def test_the_menu_shows_the_administration_entries_to_administrators_only(officer_client,
                                                                          admin_client_):
    def page(client) -> str:
        return client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    officer_page, admin_page = page(officer_client), page(admin_client_)
    assert reverse("visits:draft_list") in officer_page
    assert "Administration" not in officer_page
    assert "Administration" in admin_page and reverse("records:policy_edit") in admin_page
