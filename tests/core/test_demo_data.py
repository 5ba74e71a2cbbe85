"""Demo data only where it belongs: loaded into the embedded database or when asked, touching the
demo's own customers only, and a deployment whose demo users keep the published password fails
`check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db.models import Count

from customers.models import Customer, Industry
from customers.records.models import Finding
from loanwatch.accounts.models import User
from loanwatch.accounts.passwords import DEMO_USERNAMES
from loanwatch.accounts.roles import Role
from loanwatch.core.checks import DEMO_LOGIN_CHECK_ID, demo_password_check
from loanwatch.devtools import demo
from loanwatch.devtools.demo.customers import IDENTIFIERS, demo_customers
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

RELATED = ("record_checks", "visits", "revisit_tasks", "risk_reports", "follow_ups", "relations",
           "loans", "collaterals", "guarantees_given", "risk_signals", "assignments")


def _banks_customers() -> list[Customer]:
    """A bank's own customers in a database that also holds the demo: in the demo's teams, with
    the demo's officers, named exactly like demo customers, one in the demo's steel industry and
    one loan under a contract number the demo also uses."""
    people = demo.load_people()
    steel, _ = Industry.objects.get_or_create(code="C31",
                                              defaults={"name": "黑色金属冶炼和压延加工业"})
    officer1, officer3 = people["officer1"], people["officer3"]
    customers = [
        CustomerFactory(officer=officer1, name="北京金盛钢材贸易有限公司", industry=steel),
        CustomerFactory(officer=officer1, name="北京华信精密机械有限公司"),
        CustomerFactory(officer=officer3, name="上海浦江置业发展有限公司"),
        *(CustomerFactory(officer=officer1) for _ in range(3)),
    ]
    for customer in customers:
        LoanFactory(customer=customer)
    LoanFactory(customer=customers[3], contract_number="BJHD-2024-0102",
                amount=Decimal("500000"), balance=Decimal("500000"))
    return customers


def _snapshot(customers: list[Customer]) -> list[dict]:
    """Everything a demo load could have written onto these customers."""
    rows = (Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
            .annotate(**{f"n_{name}": Count(name, distinct=True) for name in RELATED}))
    loans = {c.pk: list(c.loans.order_by("pk").values()) for c in customers}
    guarantees = {c.pk: list(c.loans.order_by("pk", "guarantees", "collaterals")
                             .values_list("guarantees", "collaterals")) for c in customers}
    return [{**row, "loans": loans[row["id"]], "guarantees": guarantees[row["id"]]}
            for row in rows.values()]


def test_demo_data_leaves_the_banks_own_customers_untouched(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    customers = _banks_customers()
    before = _snapshot(customers)

    call_command("demo_data", stdout=StringIO())
    call_command("demo_data", stdout=StringIO())  # as at every start

    assert _snapshot(customers) == before
    # The demo itself is all there: its steel trader's new court case, found on the demo's own.
    finding = Finding.objects.get(kind="new_case")
    assert finding.record_check.customer.identifier == IDENTIFIERS["bj2"]
    assert demo_customers().count() == len(IDENTIFIERS)
    assert demo_customers().filter(visits__isnull=False).exists()


def test_demo_data_refuses_a_database_named_by_database_url(settings):
    settings.EMBEDDED_DATABASE, settings.DEMO_DATA = False, False
    with pytest.raises(CommandError, match="not the embedded database"):
        call_command("demo_data", stdout=StringIO())
    out = StringIO()
    call_command("demo_data", if_enabled=True, stdout=out)  # what `make run` calls
    assert "Demo data not loaded" in out.getvalue()
    assert not User.objects.filter(username__in=[u.username for u in demo.USERS]).exists()

    call_command("demo_data", force=True, stdout=StringIO())
    assert User.objects.filter(username="admin").exists()


def test_demo_data_into_a_named_database_when_demo_data_is_on(settings):
    settings.EMBEDDED_DATABASE, settings.DEMO_DATA = False, True  # DEMO_DATA=true
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert "password LoanWatch-demo-2026" in out.getvalue()
    assert User.objects.filter(username="officer4").exists()


def test_the_environment_decides_before_anything_is_written():
    # A production-like environment: the command stops before it even connects.
    env = {"PATH": os.environ["PATH"], "DEBUG": "false", "SECRET_KEY": "k" * 60,
           "DATABASE_URL": "postgres://loanwatch@db.example.internal/loanwatch"}
    refused = subprocess.run([sys.executable, "manage.py", "demo_data"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "db.example.internal" in refused.stderr and "DEMO_DATA=true" in refused.stderr
    skipped = subprocess.run([sys.executable, "manage.py", "demo_data", "--if-enabled"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert skipped.returncode == 0, skipped.stderr
    assert "Demo data not loaded" in skipped.stdout


# --- the deployment check ----------------------------------------------------------------------


def test_check_deploy_fails_while_a_demo_user_keeps_the_demo_password(settings):
    settings.DEBUG = False
    users = demo.load_people()
    with pytest.raises(SystemCheckError, match=DEMO_LOGIN_CHECK_ID) as failure:
        call_command("check", deploy=True, stdout=StringIO(), stderr=StringIO())
    assert "admin, officer1, officer2" in str(failure.value)

    # Each demo account closed a way an administrator would: the check passes.
    users["admin"].set_password("a-password-of-its-own-2026")
    users["admin"].save()
    User.objects.filter(username__startswith="officer").update(is_active=False)
    User.objects.filter(username__startswith="supervisor").update(password="!")
    assert demo_password_check() == []


def test_the_check_is_for_deployments_only(settings):
    demo.load_people()
    settings.DEBUG = True  # a developer's machine
    assert demo_password_check() == []
    settings.DEBUG = False
    assert [m.id for m in demo_password_check()] == [DEMO_LOGIN_CHECK_ID]
    call_command("check", stdout=StringIO())  # without --deploy it is not run


def test_a_bank_user_named_like_a_demo_user_with_a_password_of_its_own_passes(settings):
    settings.DEBUG = False
    UserFactory(username="admin", team=None, role=Role.ADMIN)
    assert demo_password_check() == []


def test_the_product_knows_every_demo_login_without_the_development_tools():
    assert sorted(spec.username for spec in demo.USERS) == sorted(DEMO_USERNAMES)
