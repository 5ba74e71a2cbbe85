"""The visit form's first load on a phone — the page and every file it loads, the service worker
included — transfers at most 300 KB compressed (measured by loanwatch/devtools/bench_weight.py,
also reported by `manage.py bench --only weight`). A size is not a clock: it is held here."""

from __future__ import annotations

import pytest
from django.test import Client

from loanwatch.devtools import bench_weight
from tests.customers.factories import CollateralFactory, CustomerFactory
from tests.visits.factories import ready_visit

pytestmark = pytest.mark.django_db
LIMIT = 300 * 1024


def test_the_visit_forms_first_load_stays_under_300_kb_compressed(officer):
    customer = CustomerFactory(officer=officer)
    CollateralFactory(customer=customer)
    visit = ready_visit(customer=customer)
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(officer)
    weight = bench_weight.first_load(client, f"/visits/{visit.pk}/edit/")
    names = [url for url, _raw, _gz in weight.files]
    # Everything the form needs is counted: its scripts, the icons' font, the service worker.
    assert any(name.endswith("autosave.js") for name in names)
    assert any(name.endswith("queue.js") for name in names)
    assert any(".woff2" in name for name in names)
    assert any(name.endswith("/sw.js") for name in names)
    assert any("workbox-strategies" in name for name in names)
    assert any("/jsi18n/" in name for name in names)
    # And nothing it does not: the charts library stays on the charts page.
    assert not any("chart" in name for name in names)
    assert weight.compressed <= LIMIT, sorted(weight.files, key=lambda f: -f[2])[:8]
