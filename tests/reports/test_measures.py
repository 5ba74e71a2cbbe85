"""The measures catalogue is the administrators'."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from reports import services
from reports.forms import MeasureForm
from reports.models import Measure

from .factories import draft_report, measure

pytestmark = pytest.mark.django_db

DATA = {"code": "insurance", "name_zh": "要求投保财产险", "name_en": "Require property insurance",
        "order": 75, "active": True}


def test_the_seven_measures_are_seeded():
    assert list(Measure.objects.values_list("code", flat=True)) == [
        "more_visits", "more_security", "reduce_line", "recall", "collection", "restructure",
        "other"]


def test_an_admin_adds_and_retires_a_measure(admin_client_):
    response = admin_client_.post(reverse("reports:measure_list"), DATA)
    assert response.status_code == 302
    measure = Measure.objects.get(code="insurance")
    assert measure in MeasureForm().fields["measure"].queryset
    admin_client_.post(reverse("reports:measure_edit", kwargs={"pk": measure.pk}),
                       {**DATA, "active": ""})
    measure.refresh_from_db()
    assert not measure.active
    assert measure not in MeasureForm().fields["measure"].queryset


def test_codes_are_unique(admin_user):
    with pytest.raises(ValidationError):
        services.measure_save(acting_user=admin_user, data={**DATA, "code": "recall"})


def test_a_supervisor_cannot_change_the_catalogue(supervisor):
    with pytest.raises(PermissionDenied):
        services.measure_save(acting_user=supervisor, data=DATA)


def test_a_draft_keeps_a_measure_retired_after_it_was_chosen(officer, officer_client):
    report = draft_report(officer=officer, measures=[{"measure": measure("restructure")}])
    Measure.objects.filter(code="restructure").update(active=False)
    page = officer_client.get(reverse("reports:report_edit", kwargs={"pk": report.pk}))
    form = page.context["measures"].forms[0]
    assert measure("restructure") in form.fields["measure"].queryset
    assert measure("restructure") not in MeasureForm().fields["measure"].queryset
