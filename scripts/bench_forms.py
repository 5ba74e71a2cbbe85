"""Time the form renderer on the largest forms, against a floor measured in the same run.

    DEBUG=1 .venv/bin/python scripts/bench_forms.py [--rounds 200]

The database the environment names must be migrated (``make run`` or ``manage.py migrate``);
the rows the forms need are created in a transaction that is rolled back. Each form is rendered
``--rounds`` times by:

- the floor: what every renderer must do and nothing more — read each field's value, label and
  errors and list its choices (a model choice field's query runs there);
- ``django``: Django's own ``form.as_div()`` through its stock templates, for reference;
- ``python``: ``loanwatch.core.forms_rendering.render_form``, the project's renderer;
- ``crispy``: crispy-bootstrap5's ``|crispy`` filter, when django-crispy-forms and
  crispy-bootstrap5 are installed (``pip install django-crispy-forms crispy-bootstrap5``).

Each line gives the median milliseconds per render and the ratio to the floor's median. Timings
are reported, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanwatch.settings")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

try:
    import crispy_bootstrap5  # noqa: F401
    import crispy_forms  # noqa: F401
except ImportError:
    HAVE_CRISPY = False
else:
    HAVE_CRISPY = True
    if "crispy_forms" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "crispy_forms", "crispy_bootstrap5"]
        settings.CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
        settings.CRISPY_TEMPLATE_PACK = "bootstrap5"
django.setup()

from django import forms  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import translation  # noqa: E402

from customers.forms import CustomerForm  # noqa: E402
from loanwatch.core.forms_rendering import render_form  # noqa: E402
from reports.forms import ReportForm  # noqa: E402
from tests.customers.factories import CustomerFactory, LoanFactory  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.visits.factories import VisitFactory  # noqa: E402
from visits.forms import VisitForm  # noqa: E402
from visits.models import Visit  # noqa: E402


class _Rollback(Exception):
    pass


def _forms() -> dict[str, Callable[[], forms.BaseForm]]:
    """Factories for the forms to time, over rows created for the purpose."""
    officer = UserFactory(role="officer")
    colleagues = [UserFactory(team=officer.team, role="officer") for _ in range(5)]
    customer = CustomerFactory(officer=officer)
    loans = [LoanFactory(customer=customer) for _ in range(3)]
    visit = VisitFactory(customer=customer, officer=officer, status=Visit.Status.DRAFT,
                         gross_margin_pct=Decimal("18.75"), visited_on=date(2026, 6, 30))
    refused = {"visited_on": "not a date", "method": "by pigeon", "employees_total": "many",
               "summary": "line one\nline <two>"}

    def visit_blank() -> forms.BaseForm:
        return VisitForm(instance=visit, customer=customer, officer=officer)

    def visit_refused() -> forms.BaseForm:
        form = VisitForm(refused, instance=visit, customer=customer, officer=officer)
        form.is_valid()
        return form

    def customer_form() -> forms.BaseForm:
        return CustomerForm(instance=customer, officers=[officer, *colleagues],
                            choose_officer=True)

    def report_form() -> forms.BaseForm:
        return ReportForm(initial={"version": 1}, loans=loans)

    return {"visit form (blank)": visit_blank, "visit form (errors)": visit_refused,
            "customer form": customer_form, "report form": report_form}


def _time(render: Callable[[forms.BaseForm], str], make: Callable[[], forms.BaseForm],
          rounds: int) -> float:
    """The median milliseconds of one render; each round renders a fresh form."""
    samples = []
    for _ in range(rounds):
        form = make()
        # Built once before timing, as a view's bound form is: only the rendering is timed.
        list(form)
        started = time.perf_counter()
        render(form)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _floor(form: forms.BaseForm) -> str:
    parts = []
    for field in form:
        parts.append(f"{field.label}{field.value()}{field.errors}{field.help_text}")
        parts.extend(str(label) for _value, label in getattr(field.field, "choices", ()))
    return "".join(parts)


def _crispy(form: forms.BaseForm) -> str:
    from crispy_forms.templatetags import crispy_forms_filters  # noqa: PLC0415  (optional package)

    return crispy_forms_filters.as_crispy_form(form)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    renderers: list[tuple[str, Callable[[forms.BaseForm], str]]] = [
        ("floor", _floor), ("django as_div", lambda form: form.as_div()),
        ("python", render_form)]
    if HAVE_CRISPY:
        renderers.append(("crispy", _crispy))
    translation.activate("zh-hans")
    print(f"{'form':<22}{'renderer':<16}{'ms':>8}{'× floor':>10}")
    try:
        with transaction.atomic():
            for label, make in _forms().items():
                for _renderer, render in renderers:
                    _time(render, make, 5)  # warm the template and translation caches
                floor = None
                for renderer, render in renderers:
                    ms = _time(render, make, rounds)
                    floor = floor or ms
                    print(f"{label:<22}{renderer:<16}{ms:>8.2f}{ms / floor:>10.2f}")
            raise _Rollback
    except _Rollback:
        pass
    if not HAVE_CRISPY:
        print("(crispy not installed: its line is left out)")


if __name__ == "__main__":
    main()
