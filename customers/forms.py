from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.models import User
from loanwatch.core.forms import (
    FlagField,
    IdField,
    ListFilterForm,
    bounded_formset_factory,
    model_choice_field,
)

from .models import (
    Classification,
    Collateral,
    CollateralValuation,
    Customer,
    CustomerRelation,
    GuaranteeType,
    Industry,
    Loan,
    Person,
    RiskGroup,
    WarningLevel,
)
from .risk_state import OWNED_LOAN_FIELDS

# The list's warning filter: any standing warning, or one level.
WARNING_FILTERS = [("", ""), ("any", _("any warning")),
                   *[(value, label) for value, label in WarningLevel.choices
                     if value != WarningLevel.NONE]]


class _DataForm(forms.ModelForm):
    """A model form that only parses input: the service validates and saves (so a form, an
    import and a test meet the same rules and the same messages)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submit_label = _("Save")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "version"):
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        pass  # no model validation here: see the class docstring


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.team.code})" if obj.team else str(obj)


class CustomerForm(_DataForm):
    officer = OfficerChoiceField(label=_("officer"), queryset=User.objects.none())

    class Meta:
        model = Customer
        fields = ["kind", "name", "identifier", "industry", "registered_capital", "founded_on",
                  "registered_address", "address", "occupation", "phone", "wechat",
                  "latitude", "longitude", "risk_group", "officer"]
        widgets = {"founded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {"identifier": _("Corporate: unified social credit code (18 characters). "
                                      "Individual: resident ID number.")}

    def __init__(self, *args, officers: list[User], choose_officer: bool,
                 choose_risk_group: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk or not choose_risk_group:
            # Risk groups move through approved reports and administrators' corrections only.
            del self.fields["risk_group"]
        else:
            model_choice_field(self, "risk_group").queryset = RiskGroup.objects.all()
        if choose_officer:
            model_choice_field(self, "officer").queryset = User.objects.filter(
                pk__in=[o.pk for o in officers])
        else:
            del self.fields["officer"]  # an officer's customers are their own
        if self.instance.pk:
            self.fields["kind"].disabled = True
        model_choice_field(self, "industry").queryset = Industry.objects.all()


class RelationForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), choices=CustomerRelation.Role.choices,
                             help_text=_("For an individual borrower: the borrower's role in "
                                         "the company named below."))
    kind = forms.ChoiceField(label=_("party type"), choices=Person.Kind.choices,
                             initial=Person.Kind.PERSON)
    name = forms.CharField(label=_("name"), max_length=200)
    id_number = forms.CharField(label=_("resident ID or USCC"), max_length=20, required=False,
                                help_text=_("With it, the same party behind several customers "
                                            "is recognised and its public records are checked "
                                            "once for all of them."))
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)
    stake_pct = forms.DecimalField(label=_("stake %"), max_digits=5, decimal_places=2,
                                   min_value=0.01, max_value=100, required=False)
    submit_label = _("Add")


class LoanForm(_DataForm):
    guarantee_types = forms.MultipleChoiceField(
        label=_("guarantee types"), choices=GuaranteeType.choices,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Loan
        fields = ["contract_number", "amount", "balance", "disbursed_on", "matures_on",
                  "purpose", "repayment_method", "repayment_source", "guarantee_types",
                  "days_past_due", "classification"]
        widgets = {"disbursed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "matures_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Opening figures only: afterwards the bank's systems own them (risk_state.py).
            for name in OWNED_LOAN_FIELDS:
                del self.fields[name]
        else:
            self.fields["classification"].choices = Classification.choices


class CollateralForm(_DataForm):
    loans = forms.ModelMultipleChoiceField(label=_("secures loans"), queryset=Loan.objects.none(),
                                           widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Collateral
        fields = ["kind", "description", "location", "area_m2", "certificate_number",
                  "appraised_value", "appraised_on", "loans"]
        widgets = {"appraised_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "loans").queryset = Loan.objects.filter(customer=customer)


class CollateralEditForm(CollateralForm):
    """The appraisal stays as recorded; a new value is a new valuation."""

    class Meta(CollateralForm.Meta):
        fields = ["kind", "description", "location", "area_m2", "certificate_number", "loans"]


class ValuationForm(_DataForm):
    class Meta:
        model = CollateralValuation
        fields = ["valued_on", "value", "source", "note"]
        widgets = {"valued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class GuaranteeForm(forms.Form):
    guarantor_customer = forms.ModelChoiceField(label=_("guarantor (our customer)"),
                                                queryset=Customer.objects.none(), required=False)
    guarantor_name = forms.CharField(label=_("guarantor (outside party)"), max_length=200,
                                     required=False)
    guarantor_kind = forms.ChoiceField(label=_("outside guarantor is a"),
                                       choices=Person.Kind.choices, initial=Person.Kind.PERSON)
    guarantor_id_number = forms.CharField(
        label=_("outside guarantor's resident ID or USCC"), max_length=20, required=False,
        help_text=_("With it, the guarantor's public records are checked."))
    amount = forms.DecimalField(label=_("guaranteed amount (CNY)"), max_digits=16,
                                decimal_places=2)
    submit_label = _("Save")

    def __init__(self, *args, guarantors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "guarantor_customer").queryset = guarantors


class ReassignForm(forms.Form):
    customers = forms.ModelMultipleChoiceField(queryset=Customer.objects.none())
    to_officer = OfficerChoiceField(label=_("new officer"), queryset=User.objects.none())
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, customers, officers: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "customers").queryset = customers
        model_choice_field(self, "to_officer").queryset = User.objects.filter(
            pk__in=[o.pk for o in officers])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("file (.xlsx, .csv or .jsonl)"))
    submit_label = _("Upload and import")


class IndustryForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    high_risk = forms.BooleanField(label=_("high-risk industry"), required=False)
    submit_label = _("Save")


class FloorForm(forms.Form):
    days_past_due_over = forms.IntegerField(
        label=_("days past due over"), min_value=0, required=False,
        widget=forms.NumberInput(attrs={"class": "form-control"}))
    minimum = forms.ChoiceField(label=_("minimum classification"),
                                choices=[("", "—"), *Classification.choices], required=False,
                                widget=forms.Select(attrs={"class": "form-select"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("days_past_due_over") is None) != (not data.get("minimum")):
            raise forms.ValidationError(_("Give both the days and the minimum classification."))
        return data


FloorFormSet = bounded_formset_factory(FloorForm, extra=1, can_delete=True)


class CustomerFilterForm(ListFilterForm):
    """The customer list's query parameters (also those of its exports)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("kind"), required=False,
                             choices=[("", ""), *Customer.Kind.choices])
    industry = IdField(label=_("industry"))
    risk_group = IdField(label=_("risk group"))
    officer = IdField(label=_("officer"))
    classification = forms.ChoiceField(label=_("classification"), required=False,
                                       choices=[("", ""), *Classification.choices])
    overdue = FlagField(label=_("Overdue only"))
    warning = forms.ChoiceField(label=_("standing warning"), required=False,
                                choices=WARNING_FILTERS)
    sort = forms.ChoiceField(label=_("sort"), required=False, initial="name")

    def __init__(self, query, *, sorts, **kwargs) -> None:
        super().__init__(query, **kwargs)
        self.fields["sort"].choices = [(key, key) for key in sorts]

    def filters(self) -> dict:
        """The list selector's keyword arguments."""
        values = self.values()
        return {"search": values["q"], "kind": values["kind"],
                "industry_id": values["industry"], "risk_group_id": values["risk_group"],
                "officer_id": values["officer"], "classification": values["classification"],
                "overdue": values["overdue"], "warning": values["warning"],
                "sort": values["sort"]}


class CorrectionForm(forms.Form):
    """An administrator's correction of the risk state: the group, and for each loan the fields
    the bank's systems own. Fields start at today's values; only what differs is corrected."""

    risk_group = forms.ModelChoiceField(label=_("risk group"), queryset=RiskGroup.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), help_text=_("Required. A correction that lowers risk waits for a "
                                        "second person's approval."))

    def __init__(self, *args, customer: Customer, loans: list[Loan], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loans = loans
        groups = model_choice_field(self, "risk_group")
        groups.queryset = RiskGroup.objects.all()
        groups.initial = customer.risk_group_id
        for loan in loans:
            prefix = f"loan_{loan.pk}_"
            self.fields[prefix + "classification"] = forms.ChoiceField(
                label=_("%(contract)s: classification") % {"contract": loan.contract_number},
                choices=Classification.choices, initial=loan.classification)
            self.fields[prefix + "balance"] = forms.DecimalField(
                label=_("%(contract)s: outstanding balance (CNY)") % {
                    "contract": loan.contract_number},
                max_digits=16, decimal_places=2, min_value=0, initial=loan.balance)
            self.fields[prefix + "days_past_due"] = forms.IntegerField(
                label=_("%(contract)s: days past due") % {"contract": loan.contract_number},
                min_value=0, max_value=100_000, initial=loan.days_past_due)

    def loan_changes(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        return {loan.pk: {name: data[f"loan_{loan.pk}_{name}"]
                          for name in ("classification", "balance", "days_past_due")}
                for loan in self.loans}


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("comment"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
