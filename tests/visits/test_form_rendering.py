"""The visit form's fields come out as crispy-bootstrap5 writes them — the page's script, styles
and browser tests rely on that markup — for every field of the form's parts, blank and with
errors, and for each kind of field the renderer writes itself; other kinds are left to crispy."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms

from loanwatch.core.templatetags.bootstrap_fields import as_bootstrap_field, as_bootstrap_form
from tests.customers.factories import CustomerFactory, IndividualFactory
from tests.factories import UserFactory
from visits.forms import (
    CollateralCheckForm,
    InterviewFormSet,
    ProposalForm,
    VisitForm,
)
from visits.models import Visit
from visits.schedule.models import RevisitTask
from visits.schedule.services import task_raise

from .factories import VisitFactory


def _normal(html: str) -> str:
    return re.sub(r"\s+", " ", str(html)).strip()


def _assert_same(make_form, name: str | None = None) -> None:
    """Each renderer gets a form of its own: crispy adds its classes to the widget it renders."""
    if name is None:
        crispy, ours = as_crispy_form(make_form()), as_bootstrap_form(make_form())
    else:
        crispy, ours = as_crispy_field(make_form()[name]), as_bootstrap_field(make_form()[name])
    assert _normal(ours) == _normal(crispy), name


# --- the visit form's own forms ----------------------------------------------------------------

BAD_ANSWERS = {"visited_on": "not a date", "method": "by pigeon", "employees_total": "many",
               "liquid_funds": "-x", "gross_margin_pct": "1e999", "address_changed": "true",
               "loan_use": "elsewhere", "place": 'yard <b>"7"</b> & gate',
               "summary": "line one\nline <two>", "evidence_kind": "nonsense"}


def _visit_forms(kind: str):
    officer = UserFactory(role="officer")
    UserFactory(team=officer.team, role="officer", first_name="<i>同事</i>")
    factory = IndividualFactory if kind == "individual" else CustomerFactory
    customer = factory(officer=officer)
    task_raise(customer=customer, reason=RevisitTask.Reason.RISK_EVENT, due_on=date(2026, 7, 1))
    visit = VisitFactory(customer=customer, officer=officer, status=Visit.Status.DRAFT,
                         address_changed=True, new_address="新址 <路> 9号",
                         gross_margin_pct=Decimal("18.75"), loan_use=Visit.LoanUse.PARTLY)

    def blank() -> VisitForm:
        return VisitForm(instance=visit, customer=customer, officer=officer)

    def refused() -> VisitForm:
        form = VisitForm(BAD_ANSWERS, instance=visit, customer=customer, officer=officer)
        form.is_valid()
        # As the service's refusal puts them: on radios, a select, a text box, a file input.
        for name in ("business_changed", "repayment_pressure", "task", "summary",
                     "evidence_files"):
            form.add_error(name, "Needed to submit <now>.")
        form.add_error("summary", "And a second reason.")
        return form

    return blank, refused


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["corporate", "individual"])
def test_every_visit_field_as_crispy_writes_it(kind):
    blank, refused = _visit_forms(kind)
    names = list(blank().fields)
    assert len(names) > 30
    for name in names:
        _assert_same(blank, name)
        _assert_same(refused, name)


@pytest.mark.django_db
def test_people_collateral_and_proposal_as_crispy_writes_them():
    def people() -> InterviewFormSet:
        formset = InterviewFormSet({"iv-TOTAL_FORMS": "2", "iv-INITIAL_FORMS": "0",
                                    "iv-0-role": "finance_head", "iv-0-name": "",
                                    "iv-0-topics": ["2", "11"], "iv-0-DELETE": "on",
                                    "iv-1-role": "nobody", "iv-1-name": "王 <会计>"},
                                   prefix="iv")
        formset.is_valid()
        return formset

    for index in (0, 1):
        for name in ("role", "name", "statement", "topics", "DELETE"):
            _assert_same(lambda index=index: people().forms[index], name)
    for name in ("role", "name", "statement", "topics"):
        _assert_same(lambda: InterviewFormSet(prefix="iv").empty_form, name)

    def collateral() -> CollateralCheckForm:
        form = CollateralCheckForm({"col-3-condition": "good", "col-3-current_value": "12,3"},
                                   prefix="col-3")
        form.is_valid()
        return form

    _assert_same(collateral)
    _assert_same(lambda: CollateralCheckForm(prefix="col-3"))
    _assert_same(ProposalForm)


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
         "choice": "z", "many": ["z"], "radio": "z", "boxes": ["z"]}


@pytest.mark.parametrize("data", [None, FILLED, WRONG], ids=["unbound", "filled", "wrong"])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
def test_each_kind_of_field_as_crispy_writes_it(data, auto_id):
    def make() -> EveryKind:
        form = EveryKind(data, auto_id=auto_id, initial={"note": "kept <as is>",
                                                         "amount": Decimal("1234.50")})
        if data is not None:
            form.is_valid()
        return form

    for name in EveryKind.base_fields:
        _assert_same(make, name)
    _assert_same(make)


class WithHelper(EveryKind):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_show_labels = False


class Unusual(forms.Form):
    when = forms.SplitDateTimeField()
    current = forms.FileField(widget=forms.ClearableFileInput, required=False)


class _StoredFile:
    url = "/media/evidence/a.pdf"
    name = "a.pdf"

    def __str__(self) -> str:
        return self.name


def test_what_it_does_not_write_itself_is_left_to_crispy():
    _assert_same(WithHelper, "text")
    _assert_same(WithHelper, "radio")
    _assert_same(WithHelper)
    _assert_same(Unusual, "when")
    _assert_same(lambda: Unusual(initial={"current": _StoredFile()}), "current")
