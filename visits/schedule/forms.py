from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Industry, RiskGroup
from loanwatch.core.forms import FlagField, IdField, ListFilterForm, model_choice_field

from .models import CustomerKind, RiskEvent, ScheduleSettings


class RiskGroupForm(forms.ModelForm):
    submit_label = _("Save")

    class Meta:
        model = RiskGroup
        fields = ["code", "name_zh", "name_en", "order", "colour", "default_interval_days"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_interval_days"].min_value = 7
        self.fields["default_interval_days"].max_value = 365

    def clean_default_interval_days(self) -> int:
        days = self.cleaned_data["default_interval_days"]
        if not 7 <= days <= 365:
            raise forms.ValidationError(_("Between 7 and 365 days."))
        return days


class PolicyForm(forms.Form):
    """The whole grid in one form: a field pair per risk group and customer kind."""

    high_risk_industry_cap_days = forms.IntegerField(
        label=_("longest interval in a high-risk industry (days)"), min_value=7,
        max_value=365, required=False, help_text=_("Empty: no cap."))
    first_check_days = forms.IntegerField(
        label=_("first check of the use of funds within (days after disbursement)"),
        min_value=1, max_value=365)
    reminder_days_before = forms.IntegerField(label=_("remind officers (days before due)"),
                                              min_value=0, max_value=60)
    risk_event_due_days = forms.IntegerField(
        label=_("a risk event's visits are due within (days)"), min_value=0, max_value=60)

    def __init__(self, *args, groups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        self.rows = []
        for group in self.groups:
            cells = []
            for kind, label in CustomerKind.choices:
                days = f"days_{group.pk}_{kind}"
                remote = f"remote_{group.pk}_{kind}"
                self.fields[days] = forms.IntegerField(
                    label=_("%(group)s, %(kind)s: revisit every (days)")
                    % {"group": group, "kind": label}, min_value=7, max_value=365)
                self.fields[remote] = forms.BooleanField(
                    label=_("phone or video visit counts"), required=False)
                cells.append((label, days, remote))
            self.rows.append((group, cells))

    def grid(self):
        """(group, [(kind label, days field, remote field)]) for the template."""
        return [(group, [(label, self[days], self[remote]) for label, days, remote in cells])
                for group, cells in self.rows]

    def cells(self) -> dict:
        return {(group.pk, kind): (self.cleaned_data[f"days_{group.pk}_{kind}"],
                                   self.cleaned_data[f"remote_{group.pk}_{kind}"])
                for group in self.groups for kind in CustomerKind.values}

    @staticmethod
    def initial_for(groups, policies, rules: ScheduleSettings) -> dict:
        initial = {"high_risk_industry_cap_days": rules.high_risk_industry_cap_days,
                   "first_check_days": rules.first_check_days,
                   "reminder_days_before": rules.reminder_days_before,
                   "risk_event_due_days": rules.risk_event_due_days}
        found = {(p.risk_group_id, p.customer_kind): p for p in policies}
        for group in groups:
            for kind in CustomerKind.values:
                policy = found.get((group.pk, kind))
                initial[f"days_{group.pk}_{kind}"] = (policy.interval_days if policy
                                                      else group.default_interval_days)
                initial[f"remote_{group.pk}_{kind}"] = bool(policy and policy.remote_counts)
        return initial


class RiskEventForm(forms.ModelForm):
    customers = forms.CharField(
        label=_("customers (by hand)"), required=False,
        help_text=_("Customer numbers or USCC / resident IDs, separated by commas or lines."),
        widget=forms.Textarea(attrs={"rows": 2}))
    circle_customer = forms.CharField(
        label=_("guarantee circle of (customer number or USCC / resident ID)"), required=False)
    submit_label = _("Declare and raise the tasks")

    class Meta:
        model = RiskEvent
        fields = ["kind", "title", "description", "target", "industry", "region",
                  "due_within_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, scope, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        model_choice_field(self, "industry").queryset = Industry.objects.all()

    def _lookup(self, text: str):
        text = text.strip()
        filters = {"identifier": text.upper()} if not text.isdigit() or len(text) > 10 \
            else {"pk": int(text)}
        return self.scope.filter(**filters).first()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        target = data.get("target")
        self.customer_ids: list[int] = []
        self.circle_of = None
        if target == RiskEvent.Target.INDUSTRY and not data.get("industry"):
            self.add_error("industry", _("Choose the industry."))
        if target == RiskEvent.Target.REGION and not (data.get("region") or "").strip():
            self.add_error("region", _("Name the region as addresses write it."))
        if target == RiskEvent.Target.CIRCLE:
            customer = self._lookup(data.get("circle_customer") or "")
            if customer is None:
                self.add_error("circle_customer", _("No such customer of yours."))
            self.circle_of = customer
        if target == RiskEvent.Target.HAND:
            unknown = []
            for part in (data.get("customers") or "").replace("，", ",").replace("\n", ",") \
                    .split(","):
                if not part.strip():
                    continue
                customer = self._lookup(part)
                if customer is None:
                    unknown.append(part.strip()[:20])
                else:
                    self.customer_ids.append(customer.pk)
            if unknown:
                self.add_error("customers", _("Not found among your customers: %(list)s")
                               % {"list": ", ".join(unknown[:10])})
            elif not self.customer_ids:
                self.add_error("customers", _("Name at least one customer."))
        return data


class PlannedDateForm(forms.Form):
    planned_on = forms.DateField(label=_("planned for"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))




class PlanFilterForm(ListFilterForm):
    """The plan's query parameters."""

    weeks = forms.IntegerField(label=_("weeks ahead"), required=False, initial=8)
    officer = IdField(label=_("officer"))
    group = forms.ChoiceField(label=_("group by district"), required=False,
                              choices=[("", ""), ("district", "district")])
    overdue = FlagField(label=_("Overdue"))

    def clean_weeks(self) -> int | None:
        weeks = self.cleaned_data["weeks"]
        return None if weeks is None else min(max(weeks, 1), 26)
