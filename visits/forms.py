"""Forms parse input only; services.py validates what a submitted visit needs and saves."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from customers.models import RiskSignal
from loanwatch.accounts.models import User
from loanwatch.core import hooks
from loanwatch.core.forms import bounded_formset_factory, model_choice_field

from .models import (
    ContactPreference,
    EvidenceFile,
    GuidanceProposal,
    Interview,
    Question,
    QuestionGuidance,
    Visit,
    VisitCollateral,
)
from .services import CHECKLIST_FIELDS, HEADER_FIELDS, checklist_fields

# The checklist's fields under each of the ten points, in the order the form shows them.
QUESTION_FIELDS: dict[int, list[str]] = {
    1: ["address_changed", "new_address", "business_changed", "new_business"],
    2: ["employees_total", "employees_on_site", "monthly_wage", "wages_on_time",
        "office_area_m2", "monthly_rent", "other_sites", "monthly_income", "income_stable",
        "income_source"],
    3: ["liquid_funds", "receivables", "receivable_terms_days", "payables",
        "payable_terms_days", "inventory", "inventory_turnover_days", "receivables_makeup",
        "collection_cost", "household_assets", "household_assets_note"],
    4: ["main_suppliers", "main_customers"],
    5: ["revenue_last_year", "revenue_ytd", "revenue_same_period_last_year",
        "revenue_change_reason", "peak_months", "peak_season", "off_season",
        "gross_margin_pct"],
    6: ["loan_use", "loan_use_note"],
    7: ["total_assets", "total_liabilities", "other_debts", "investments", "guarantees_given",
        "high_risk_investment"],
    8: [],
    9: ["repayment_source_kind", "repayment_source", "repayment_pressure"],
    10: ["customer_needs", "summary"],
}
assert sorted(sum(QUESTION_FIELDS.values(), [])) == sorted(CHECKLIST_FIELDS)

# Follow-up questions, shown only when the answer they follow calls for them.
FOLLOW_UPS: dict[str, tuple[str, str]] = {
    "new_address": ("address_changed", "true"),
    "new_business": ("business_changed", "true"),
    "loan_use_note": ("loan_use", "partly,diverted"),
}

# Individuals answer the ten topics in a person's terms (SPEC.md); every point has its own
# title for them.
INDIVIDUAL_TITLES = {1: _("1. Home, work or business changed"),
                     2: _("2. Income and its stability"),
                     3: _("3. Funds and household assets"),
                     4: _("4. Employer or trading partners"),
                     5: _("5. Income this year and last"),
                     6: _("6. What the loan paid for"),
                     7: _("7. Other borrowing, cards and guarantees for others"),
                     8: _("8. The mortgaged or pledged property"),
                     9: _("9. Repaying: where from, how hard"),
                     10: _("10. What they need from us")}


def section_titles(*, kind: str) -> dict[int, str]:
    """The checklist's section titles for a customer of `kind`."""
    titles = {number: str(label) for number, label in Question.choices}
    if kind == "individual":
        titles.update({number: str(label) for number, label in INDIVIDUAL_TITLES.items()})
    return titles



def tasks_to_fulfil(*, customer, keep_id: int | None = None):
    """The tasks a visit to `customer` may name as fulfilled, from the app that keeps them
    ("visit_task_choices" in its hooks.py): the open ones, and `keep_id` whatever its state."""
    for choices in hooks.get_hooks("visit_task_choices"):
        return choices(customer=customer, keep_id=keep_id)
    return Visit._meta.get_field("task").related_model.objects.none()

class YesNoRadio(forms.RadioSelect):
    """Yes / no / not answered as three large radio buttons (a select is fiddly on a phone)."""

    def format_value(self, value) -> list[str]:
        mapping = {True: "true", False: "false", "True": "true", "False": "false",
                   "true": "true", "false": "false"}
        return [mapping.get(value, "unknown")]


YES_NO_CHOICES = [("unknown", _("not answered")), ("true", _("yes")), ("false", _("no"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _decorate(field: forms.Field, model_field) -> None:
    """Phone keyboards: numbers for counts, decimals for money and rates."""
    if isinstance(field, forms.DecimalField):
        field.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})
    elif isinstance(field, forms.IntegerField):
        field.widget.attrs.update({"inputmode": "numeric"})
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 2


def _choices_once(field: forms.ModelChoiceField, rows: list) -> None:
    """Render a choice field from rows read once, with one plain query.

    Left to itself the widget queries its queryset each time it renders, through a server-side
    cursor (three round trips on PostgreSQL). Validation still looks the chosen row up in the
    field's queryset.
    """
    iterator = field.iterator(field)
    choices = [("", field.empty_label)] if field.empty_label is not None else []
    field.widget.choices = choices + [iterator.choice(row) for row in rows]


class VisitForm(forms.ModelForm):
    """The header and the checklist fields that apply to the customer's kind."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    evidence_kind = forms.ChoiceField(label=_("kind of document"),
                                      choices=EvidenceFile.Kind.choices, required=False)
    evidence_files = MultipleFileField(
        label=_("files"), required=False,
        help_text=_("PDF, JPEG, PNG or Office documents; several at once."))
    # The phone's position when the photos were taken, filled in by the page only when the
    # officer agreed to share it; a photo's own EXIF position comes first.
    photo_latitude = forms.FloatField(widget=forms.HiddenInput, required=False,
                                      min_value=-90, max_value=90)
    photo_longitude = forms.FloatField(widget=forms.HiddenInput, required=False,
                                       min_value=-180, max_value=180)
    photo_position_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    peak_months = forms.TypedMultipleChoiceField(
        label=_("peak months"), choices=sorted(MONTHS.items()), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A seasonal business's revenue is compared with the same season last "
                    "year, not scaled to a full year."))

    class Meta:
        model = Visit
        fields = HEADER_FIELDS + CHECKLIST_FIELDS
        widgets = {"visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "revenue_same_period_last_year": _(
                "Last year's revenue from 1 January to the same day as this visit."),
            "repayment_source_kind": _("Where the money to repay mainly comes from; explain "
                                       "below."),
        }

    def __init__(self, *args, customer, officer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        keep = set(HEADER_FIELDS) | set(checklist_fields(kind=customer.kind))
        for name in list(self.fields):
            if name in CHECKLIST_FIELDS and name not in keep:
                del self.fields[name]
        model_choice_field(self, "companion").queryset = (
            User.objects.filter(team_id=officer.team_id, is_active=True)
            .exclude(pk=officer.pk) if officer.team_id else User.objects.none())
        # The draft's own task stays choosable even if it was closed meanwhile.
        model_choice_field(self, "task").queryset = tasks_to_fulfil(customer=customer,
                                                       keep_id=self.instance.task_id)
        # Naming a task does not close it: each closes on its own terms when the visit is
        # submitted, and the page says which.
        self.fields["task"].label = _("task this visit is for")
        tasks = list(model_choice_field(self, "task").queryset)
        for task in tasks:
            task.customer = customer  # its label names the customer: the one in hand
        companion = model_choice_field(self, "companion")
        _choices_once(companion, list(companion.queryset))
        _choices_once(model_choice_field(self, "task"), tasks)
        for name, field in self.fields.items():
            model_field = Visit._meta.get_field(name) if name in keep else None
            if isinstance(field, forms.NullBooleanField):
                field.widget = YesNoRadio(choices=YES_NO_CHOICES)
            elif model_field is not None:
                _decorate(field, model_field)
            if name in ("loan_use", "repayment_pressure", "repayment_source_kind"):
                field.widget = forms.RadioSelect(choices=field.choices)

    def _post_clean(self) -> None:
        pass  # the service decides what is valid (see the module docstring)

    def photo_position(self) -> tuple[tuple[Decimal, Decimal] | None,
                                      datetime.datetime | None]:
        """The phone's position sent with the photos, and when it was taken (or Nones)."""
        lat = self.cleaned_data.get("photo_latitude")
        lon = self.cleaned_data.get("photo_longitude")
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            return None, None
        six = Decimal("0.000001")
        return ((Decimal(str(lat)).quantize(six), Decimal(str(lon)).quantize(six)),
                self.cleaned_data.get("photo_position_at"))

    def checklist_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items()
                if name in HEADER_FIELDS or name in CHECKLIST_FIELDS}


class InterviewForm(forms.Form):
    # A blank first choice keeps the spare empty row unchanged, so it is skipped, not refused.
    role = forms.ChoiceField(label=_("role"),
                             choices=[("", "---------"), *Interview.Role.choices])
    name = forms.CharField(label=_("name"), max_length=100)
    statement = forms.CharField(label=_("what they said"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    topics = forms.TypedMultipleChoiceField(
        label=_("confirmed checklist points"), choices=Question.choices, coerce=int,
        required=False, widget=forms.CheckboxSelectMultiple)


InterviewFormSet = bounded_formset_factory(InterviewForm, extra=1, can_delete=True)


class BriefingAnswerForm(forms.Form):
    """One item of the briefing: what was found, or not applicable and why."""

    answer = forms.CharField(label=_("What you found"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    not_applicable = forms.BooleanField(label=_("Not applicable"), required=False)
    reason = forms.CharField(label=_("Why not applicable"), max_length=300, required=False)


class LoanUseForm(forms.Form):
    """The use of funds of one loan awaiting its first check."""

    use = forms.ChoiceField(label=_("actual use of the loan"), required=False,
                            choices=Visit.LoanUse.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("use of the loan: details"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class QuickContactForm(forms.Form):
    """A call, a WeChat conversation, a 朋友圈 post or a third party's tip, on one phone screen."""

    method = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect, choices=[
        (Visit.Method.PHONE, _("phone call")),
        (Visit.Method.SOCIAL_MEDIA, _("WeChat or 朋友圈")),
        (Visit.Method.VIDEO, _("video call")),
        (Visit.Method.THIRD_PARTY, _("a third party's tip"))])
    person = forms.CharField(label=_("Who"), max_length=100,
                             help_text=_("Whom you spoke to, or whose post or tip it was."))
    learned = forms.CharField(label=_("What you learned"),
                              widget=forms.Textarea(attrs={"rows": 3}))
    contacted_on = forms.DateField(label=_("When"), widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    photo = forms.FileField(label=_("Photo or screenshot"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}))
    signal_severity = forms.ChoiceField(
        label=_("Raise a risk signal"), required=False,
        choices=[("", _("no signal")), *RiskSignal.Severity.choices])
    signal_category = forms.ChoiceField(label=_("About"), required=False, choices=[
        ("", "---------"), ("operations", _("operations")), ("finance", _("finances")),
        ("legal", _("legal")), ("collateral", _("collateral")), ("people", _("key people")),
        ("other", _("other"))])
    signal_text = forms.CharField(label=_("The signal"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


class CollateralCheckForm(forms.ModelForm):
    class Meta:
        model = VisitCollateral
        fields = ["condition", "current_value", "note"]
        widgets = {"current_value": forms.NumberInput(attrs={"inputmode": "decimal",
                                                             "step": "0.01"})}

    def _post_clean(self) -> None:
        pass


class VisitStartForm(forms.Form):
    visited_on = forms.DateField(label=_("visit date"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("method"), choices=Visit.Method.choices,
                               widget=forms.RadioSelect)
    task = forms.ModelChoiceField(label=_("task this visit is for"), queryset=None,
                                  required=False)

    def __init__(self, *args, customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "task").queryset = tasks_to_fulfil(customer=customer)


class ThresholdForm(forms.Form):
    threshold = forms.DecimalField(label=_("threshold"), max_digits=8, decimal_places=2,
                                   min_value=0)
    enabled = forms.BooleanField(label=_("enabled"), required=False)


class GuidanceForm(forms.ModelForm):
    class Meta:
        model = QuestionGuidance
        fields = ["how_zh", "how_en", "whom_zh", "whom_en"]
        widgets = {"how_zh": forms.Textarea(attrs={"rows": 3}),
                   "how_en": forms.Textarea(attrs={"rows": 3})}


class ProposalForm(forms.ModelForm):
    class Meta:
        model = GuidanceProposal
        fields = ["customer_kind", "language", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}),
                   "customer_kind": forms.HiddenInput}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_kind"].required = False  # companies' guidance unless named


class ContactPreferenceForm(forms.ModelForm):
    class Meta:
        model = ContactPreference
        fields = ["preferred_method", "avoid_frequent_on_site", "best_time", "wechat", "note"]
