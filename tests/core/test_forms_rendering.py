"""The form renderer's markup, pinned by snapshots for each kind of field, blank, filled and
wrong; and what the pages rely on: Bootstrap's classes, errors in the user's language, every
field of the visit form's parts.

After a deliberate change of markup, rewrite them with
``UPDATE_SNAPSHOTS=1 pytest tests/core/test_forms_rendering.py`` and read the diff of
``tests/core/snapshots/forms/``.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from loanwatch.core.forms_rendering import render_field, render_form, render_post_form
from tests.customers.factories import CustomerFactory, IndividualFactory
from tests.factories import UserFactory
from visits.forms import CollateralCheckForm, InterviewFormSet, ProposalForm, VisitForm
from visits.models import Visit
from visits.schedule.models import RevisitTask
from visits.schedule.services import task_raise

from ..visits.factories import VisitFactory

SNAPSHOTS = Path(__file__).parent / "snapshots" / "forms"


def _assert_snapshot(name: str, html: str) -> None:
    path = SNAPSHOTS / f"{name}.html"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(f"{html}\n", encoding="utf-8")
    assert f"{html}\n" == path.read_text(encoding="utf-8"), name


# --- each kind of field ---------------------------------------------------------------------------

GROUPED = [("", "---"), ("Fruit", [("a", "Apple & pear"), ("b", "<Banana>")]), ("c", "Cherry")]


class EveryKind(forms.Form):
    text = forms.CharField(label="Name <b>", help_text="<em>trusted</em> help", max_length=20)
    email = forms.EmailField(required=False)
    number = forms.DecimalField(required=False, widget=forms.NumberInput(
        attrs={"class": "wide numberinputish", "inputmode": "decimal"}))
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput(attrs={"class": "masked"}),
                             required=False)
    amount = forms.DecimalField(localize=True, required=False)
    choice = forms.ChoiceField(choices=GROUPED)
    many = forms.MultipleChoiceField(choices=GROUPED[1:], required=False)
    maybe = forms.NullBooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea, required=False, disabled=True)
    agreed = forms.BooleanField(help_text="Tick it.")
    flag = forms.BooleanField(required=False, label="")
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=GROUPED[1:])
    boxes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=GROUPED[1:],
                                      required=False, help_text="Pick some.")
    upload = forms.FileField(required=False, help_text="One file.")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    described = forms.CharField(required=False, help_text="Own description.",
                                widget=forms.TextInput(attrs={"aria-describedby": "elsewhere"}))
    unlabelled = forms.CharField(required=False, label="")

    def clean(self):
        raise forms.ValidationError("Not <all> of it.")


FILLED = {"text": 'a "quoted" <value> & more', "email": "x@example.com", "number": "12.5",
          "day": "2026-05-20", "secret": "s", "choice": "b", "many": ["a", "c"], "maybe": "true",
          "note": "first\nsecond", "agreed": "on", "flag": "on", "radio": "a",
          "boxes": ["a", "c"], "hidden": "<h>", "described": "d", "unlabelled": "u"}
WRONG = {"text": "x" * 30, "email": "not mail", "number": "many", "day": "someday",
         "choice": "z", "many": ["z"], "radio": "z", "boxes": ["z"], "hidden": "x" * 3}


def _every_kind(data, auto_id="id_%s") -> EveryKind:
    form = EveryKind(data, auto_id=auto_id,
                     initial={"note": "kept <as is>", "amount": Decimal("1234.50")})
    if data is not None:
        form.is_valid()
    return form


@pytest.mark.parametrize("data", [None, FILLED, WRONG], ids=["unbound", "filled", "wrong"])
@pytest.mark.parametrize("auto_id", ["id_%s", False], ids=["ids", "no-ids"])
def test_each_kind_of_field_as_its_snapshot(data, auto_id, request):
    with translation.override("en"):
        html = render_form(_every_kind(data, auto_id))
    _assert_snapshot(request.node.callspec.id, html)


class _StoredFile:
    url = "/media/evidence/a.pdf"
    name = "a <b>.pdf"

    def __str__(self) -> str:
        return self.name


class Unusual(forms.Form):
    when = forms.SplitDateTimeField()
    current = forms.FileField(widget=forms.ClearableFileInput, required=False)
    kept = forms.FileField(widget=forms.ClearableFileInput)


def test_multi_part_widgets_and_stored_files_as_their_snapshot():
    form = Unusual({"when_0": "2026-05-20"}, initial={"current": _StoredFile(),
                                                      "kept": _StoredFile()})
    form.is_valid()
    with translation.override("en"):
        _assert_snapshot("unusual", render_form(form))


def test_a_whole_post_form_as_its_snapshot():
    class Upload(forms.Form):
        file = forms.FileField()

    html = render_post_form(Upload(), csrf_input='<input type="hidden" name="x" value="t">',
                            submit_label="Check <it>", submit_class="w-100")
    _assert_snapshot("post_form", html)


# --- what pages rely on -----------------------------------------------------------------------

def test_the_classes_and_blocks_pages_rely_on():
    form = _every_kind(WRONG)
    html = render_form(form)
    assert '<div class="alert alert-block alert-danger">' in html
    assert "Not &lt;all&gt; of it." in html
    text = render_field(form["text"])
    assert 'class="textinput form-control is-invalid"' in text
    assert '<div id="id_text_error" class="invalid-feedback">' in text
    assert '<label for="id_text" class="form-label requiredField">' in text
    assert 'Name &lt;b&gt;<span class="asteriskField">*</span>' in text
    assert '<div id="id_text_helptext" class="form-text"><em>trusted</em> help</div>' in text
    assert 'class="select form-select is-invalid"' in render_field(form["choice"])
    agreed = render_field(_every_kind(None)["agreed"])
    assert 'class="form-check"' in agreed and 'class="checkboxinput form-check-input"' in agreed
    assert render_field(form["hidden"]) == '<input type="hidden" name="hidden" value="xxx" ' \
                                           'id="id_hidden">'


def test_hidden_fields_errors_reach_the_form_errors():
    class Versioned(forms.Form):
        version = forms.IntegerField(widget=forms.HiddenInput)

    with translation.override("en"):
        form = Versioned({"version": "stale"})
        form.is_valid()
        assert "Enter a whole number." in render_form(form)


def test_errors_and_required_marks_in_the_users_language():
    with translation.override("zh-hans"):
        html = render_form(_every_kind({}))
    assert "这个字段是必填项。" in html
    assert "This field is required." not in html


def test_the_template_tag_writes_the_form_with_its_csrf_token_and_label():
    class Named(forms.Form):
        name = forms.CharField()
        submit_label = "Add it"

    request = RequestFactory().get("/")
    html = Template("{% load bootstrap_fields %}{% post_form form %}").render(
        Context({"form": Named(), "request": request}))
    assert html.startswith('<form method="post"><input type="hidden" '
                           'name="csrfmiddlewaretoken" value="')
    assert '<button type="submit" class="btn btn-primary">Add it</button>' in html
    assert 'name="name"' in html


# --- the visit form's parts ----------------------------------------------------------------

BAD_ANSWERS = {"visited_on": "not a date", "method": "by pigeon", "employees_total": "many",
               "liquid_funds": "-x", "gross_margin_pct": "1e999", "address_changed": "true",
               "loan_use": "elsewhere", "place": 'yard <b>"7"</b> & gate',
               "summary": "line one\nline <two>", "evidence_kind": "nonsense"}


def _wrapper_of(field) -> str:
    if isinstance(field.field.widget, forms.CheckboxInput):
        return f'<div id="div_{field.auto_id}" class="form-check'
    return f'<div id="div_{field.auto_id}" class="mb-3'


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["corporate", "individual"])
def test_every_visit_field_in_its_wrapper_with_its_errors(kind):
    officer = UserFactory(role="officer")
    factory = IndividualFactory if kind == "individual" else CustomerFactory
    customer = factory(officer=officer)
    task_raise(customer=customer, reason=RevisitTask.Reason.RISK_EVENT, due_on=date(2026, 7, 1))
    visit = VisitFactory(customer=customer, officer=officer, status=Visit.Status.DRAFT,
                         gross_margin_pct=Decimal("18.75"), loan_use=Visit.LoanUse.PARTLY)
    form = VisitForm(BAD_ANSWERS, instance=visit, customer=customer, officer=officer)
    form.is_valid()
    for name in ("business_changed", "repayment_pressure", "task", "summary", "evidence_files"):
        form.add_error(name, "Needed to submit <now>.")
    assert len(form.fields) > 30
    for field in form:
        html = render_field(field)
        if field.is_hidden:
            continue
        assert _wrapper_of(field) in html, field.name
        if field.errors:
            assert "is-invalid" in html and 'class="invalid-feedback"' in html, field.name
            assert "Needed to submit &lt;now&gt;." in html or str(field.errors[0]) != \
                "Needed to submit <now>.", field.name
    assert 'value="yard &lt;b&gt;&quot;7&quot;&lt;/b&gt; &amp; gate"' in render_field(
        form["place"])


def test_people_collateral_and_proposal_render():
    formset = InterviewFormSet({"iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0",
                                "iv-0-role": "nobody", "iv-0-name": "王 <会计>"}, prefix="iv")
    formset.is_valid()
    html = render_form(formset.forms[0])
    assert 'name="iv-0-name" value="王 &lt;会计&gt;"' in html
    assert 'class="invalid-feedback"' in html
    assert 'name="col-3-condition"' in render_form(CollateralCheckForm(prefix="col-3"))
    assert re.search(r'<div id="div_id_\w+" class="mb-3', render_form(ProposalForm()))
