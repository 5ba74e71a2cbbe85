"""Derived figures of a visit and the risk-signal rules that score a submitted visit.

Everything here reads; `services.visit_submit` stores what `score` finds. A rule compares one
figure with an admin-edited threshold (SignalThreshold; defaults below, from SPEC.md). Rules
without a figure (an address changed, funds diverted) fire on the answer itself.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from customers.models import LoanStatus

from .models import EvidenceFile, SignalThreshold, Visit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HUNDRED = Decimal("100")
ONE_DP = Decimal("0.1")


@dataclass(frozen=True)
class RuleSpec:
    code: str
    default: Decimal
    severity: str
    label: StrOrPromise
    text: StrOrPromise
    # How the threshold is read: "min" fires at or above it, "max" at or below it, "over" only
    # above it, "flag" fires on the answer alone (the threshold is kept for uniformity but not
    # used).
    compare: str
    unit: StrOrPromise = ""
    # Other sentences of the rule, chosen by the finding's "variant" param (which baseline a
    # figure was compared with, which weak repayment source): the signal names it in the
    # reader's language.
    variants: dict[str, StrOrPromise] = field(default_factory=dict)


# The baselines the year-to-date revenue is compared with (RevenueBaseline.basis).
SAME_PERIOD = "same_period"
YEAR_AGO_VISIT = "year_ago_visit"
SEASONAL_NO_BASELINE = "seasonal_no_baseline"
LINEAR = "linear"

RULES: list[RuleSpec] = [
    RuleSpec("address_changed", Decimal("0"), "warning", _("Operating address changed"),
             _("The operating address changed: %(new)s."), "flag"),
    RuleSpec("business_changed", Decimal("0"), "warning", _("Main business changed"),
             _("The main business changed: %(new)s."), "flag"),
    RuleSpec("headcount_down", Decimal("30"), "warning", _("Headcount down"),
             _("Headcount fell %(change)s %% since the last visit (%(before)s → %(now)s)."),
             "min", "%"),
    RuleSpec("few_on_site", Decimal("50"), "warning",
             _("Far fewer staff on site than on the books"),
             _("Only %(on_site)s of the %(total)s employees on the books were on site "
               "(%(share)s %%)."), "max", "%"),
    RuleSpec("wages_late", Decimal("0"), "warning", _("Wages paid late"),
             _("Wages are not paid on time."), "flag"),
    RuleSpec("income_down", Decimal("30"), "warning", _("Income down"),
             _("Monthly income fell %(change)s %% since the last visit."), "min", "%"),
    RuleSpec("revenue_down", Decimal("30"), "warning", _("Revenue down on last year"),
             _("Revenue to date, annualised linearly, is %(change)s %% below last year's."),
             "min", "%", variants={
                 SAME_PERIOD: _("Revenue to date is %(change)s %% below the same period last "
                                "year (%(baseline)s CNY)."),
                 YEAR_AGO_VISIT: _("Revenue to date is %(change)s %% below the figure recorded "
                                   "at the visit of %(date)s, a year earlier (%(baseline)s CNY "
                                   "scaled to the same number of days)."),
             }),
    RuleSpec("margin_down", Decimal("10"), "warning", _("Gross margin down"),
             _("Gross margin fell %(change)s points since the last visit."), "min",
             _("points")),
    RuleSpec("large_receivables", Decimal("50"), "warning", _("Large receivables"),
             _("Receivables are %(share)s %% of annualised revenue."), "over", "%", variants={
                 "last_year": _("Receivables are %(share)s %% of last year's revenue (a "
                                "seasonal business: its year-to-date revenue is not scaled)."),
                 "seasonal": _("Receivables are %(share)s %% of this year's revenue estimated "
                               "from last year's and the same period (a seasonal business)."),
             }),
    RuleSpec("funds_diverted", Decimal("0"), "serious", _("Loan funds diverted"),
             _("The loan was not used as declared (diverted)."), "flag"),
    RuleSpec("high_debt_ratio", Decimal("70"), "warning", _("High debt ratio"),
             _("The debt ratio is %(ratio)s %%."), "min", "%"),
    RuleSpec("guarantees_given", Decimal("50"), "warning", _("Guarantees given to others"),
             _("Guarantees given to others (%(amount)s CNY) are %(share)s %% of net assets "
               "(%(net)s CNY)."), "over", "%", variants={
                 "no_net_assets": _("Guarantees given to others: %(amount)s CNY, while net "
                                    "assets are not known or not positive."),
             }),
    RuleSpec("high_risk_investment", Decimal("0"), "warning",
             _("Investment in high-risk industries"),
             _("The customer invests in high-risk industries: %(items)s."), "flag"),
    RuleSpec("collateral_value_down", Decimal("10"), "warning", _("Collateral value down"),
             _("Collateral lost value: %(items)s."), "min", "%"),
    RuleSpec("ltv_over_limit", Decimal("70"), "warning", _("Loan-to-value over the limit"),
             _("Loan-to-value above the limit: %(items)s."), "over", "%"),
    RuleSpec("repayment_pressure_high", Decimal("0"), "warning", _("Repayment pressure high"),
             _("The customer reports high repayment pressure."), "flag"),
    RuleSpec("maturity_weak_source", Decimal("90"), "warning",
             _("Loan maturing with a weak repayment source"),
             _("Loans due within %(days)s days, and the visit did not say where the repayment "
               "will come from: %(items)s."), "max", _("days"), variants={
                 Visit.RepaymentSourceKind.REFINANCING.value: _(
                     "Loans due within %(days)s days are to be repaid by refinancing or a new "
                     "loan: %(items)s."),
                 Visit.RepaymentSourceKind.THIRD_PARTY.value: _(
                     "Loans due within %(days)s days rely on third-party support for "
                     "repayment: %(items)s."),
                 Visit.RepaymentSourceKind.UNCLEAR.value: _(
                     "Loans due within %(days)s days have no clear repayment source: "
                     "%(items)s."),
             }),
    RuleSpec("overdue", Decimal("0"), "serious", _("Loan overdue"),
             _("Loans overdue at the visit: %(items)s."), "over", _("days")),
    RuleSpec("copied_answers", Decimal("90"), "warning",
             _("Answers copied from the previous visit"),
             _("%(share)s %% of the answers are identical to the previous visit's "
               "(%(same)s of %(compared)s)."), "min", "%"),
    RuleSpec("reused_file", Decimal("0"), "warning", _("File reused from an earlier visit"),
             _("Files identical to ones uploaded with an earlier visit: %(items)s."), "flag"),
]
# The repayment sources that do not come from the business itself (or are not known).
WEAK_SOURCES = {Visit.RepaymentSourceKind.REFINANCING, Visit.RepaymentSourceKind.THIRD_PARTY,
                Visit.RepaymentSourceKind.UNCLEAR, ""}
RULES_BY_CODE = {rule.code: rule for rule in RULES}

# The figures shown beside the previous visit's; amounts change in per cent, rates in points.
COMPARED_AMOUNTS = [
    "employees_total", "employees_on_site", "monthly_wage", "office_area_m2", "monthly_rent",
    "monthly_income", "liquid_funds", "receivables", "receivable_terms_days", "payables",
    "payable_terms_days", "inventory", "inventory_turnover_days", "household_assets",
    "revenue_last_year", "revenue_ytd", "revenue_same_period_last_year", "annualised_revenue",
    "receivable_days", "total_assets", "total_liabilities", "guarantees_given",
]
COMPARED_RATES = ["gross_margin_pct", "debt_ratio"]
MONEY_FIGURES = {"monthly_wage", "monthly_rent", "monthly_income", "liquid_funds", "receivables",
                 "payables", "inventory", "household_assets", "revenue_last_year",
                 "revenue_ytd", "revenue_same_period_last_year", "annualised_revenue",
                 "total_assets", "total_liabilities", "guarantees_given"}

# The typed answers a copied checklist would repeat (prose too: a pasted paragraph is a sign).
COPY_CHECKED = [
    "employees_total", "employees_on_site", "monthly_wage", "office_area_m2", "monthly_rent",
    "other_sites", "monthly_income", "income_source", "liquid_funds", "receivables",
    "receivable_terms_days", "payables", "payable_terms_days", "inventory",
    "inventory_turnover_days", "receivables_makeup", "household_assets", "main_suppliers",
    "main_customers", "revenue_ytd", "revenue_same_period_last_year", "revenue_change_reason",
    "gross_margin_pct",
    "loan_use_note", "total_assets", "total_liabilities", "other_debts", "investments",
    "guarantees_given", "repayment_source", "customer_needs",
]
COPY_MINIMUM = 5  # fewer answers than this say too little to call them copied


def _dp(value: Decimal, places: Decimal = ONE_DP) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


# --- Derived figures ----------------------------------------------------------------------------

def debt_ratio(visit: Visit) -> Decimal | None:
    """Total liabilities over total assets, in per cent."""
    if visit.total_liabilities is None or not visit.total_assets:
        return None
    return _dp(visit.total_liabilities / visit.total_assets * HUNDRED)


def _day_of_year(day: datetime.date) -> int:
    return day.timetuple().tm_yday


def annualised_revenue(visit: Visit) -> Decimal | None:
    """Revenue to the visit date scaled linearly to a full year (by the days elapsed, visit day
    included). Misleading for a seasonal business: see `revenue_baseline`."""
    if visit.revenue_ytd is None or visit.visited_on is None:
        return None
    day = _day_of_year(visit.visited_on)
    days_in_year = 366 if calendar.isleap(visit.visited_on.year) else 365
    return _dp(visit.revenue_ytd * days_in_year / day, Decimal("0.01"))


def is_seasonal(visit: Visit) -> bool:
    return bool(visit.peak_months)


def yearly_revenue(visit: Visit, year_ago: Visit | None = None
                   ) -> tuple[Decimal | None, str]:
    """A year's revenue to set receivables against, and how it was reached. A linear scaling
    of a seasonal business's year to date understates the year off season (receivables look
    large) and overstates it in the peak months, so for such a business last year's revenue
    is scaled by how this year compares with the same period ("seasonal"), or taken as it is
    when no same-period figure exists ("last_year"). Otherwise the linear annualisation."""
    if is_seasonal(visit) and visit.revenue_last_year:
        baseline = revenue_baseline(visit, year_ago)
        if baseline is not None and baseline.before and baseline.now is not None:
            return (_dp(visit.revenue_last_year * baseline.now / baseline.before,
                        Decimal("0.01")), "seasonal")
        return visit.revenue_last_year, "last_year"
    return annualised_revenue(visit), LINEAR


def receivable_days(visit: Visit) -> Decimal | None:
    """Days of revenue the receivables stand for (应收账款周转天数, from a year's revenue)."""
    revenue, _basis = yearly_revenue(visit)
    if visit.receivables is None or not revenue:
        return None
    return _dp(visit.receivables / revenue * Decimal("365"), Decimal("1"))


@dataclass(frozen=True)
class RevenueBaseline:
    """What this year's revenue is compared with: `now` against `before` (both None when there
    is nothing to compare; a seasonal business without a same-season figure)."""

    basis: str
    now: Decimal | None = None
    before: Decimal | None = None
    year_ago: Visit | None = None

    @property
    def drop(self) -> Decimal | None:
        return _pct_drop(self.before, self.now)


def revenue_baseline(visit: Visit, year_ago: Visit | None) -> RevenueBaseline | None:
    """Like with like, in this order: last year's revenue to the same date when answered; the
    customer's own visit about a year earlier (selectors.year_ago_visit), its year-to-date
    revenue scaled by the days elapsed; for a seasonal business nothing (a linear scaling
    would raise false alarms off season); else the linear annualisation against last year's
    revenue. None without this year's revenue."""
    if visit.revenue_ytd is None or visit.visited_on is None:
        return None
    if visit.revenue_same_period_last_year is not None:
        return RevenueBaseline(SAME_PERIOD, visit.revenue_ytd,
                               visit.revenue_same_period_last_year)
    if year_ago is not None and year_ago.revenue_ytd is not None:
        scaled = _dp(year_ago.revenue_ytd * _day_of_year(visit.visited_on)
                     / _day_of_year(year_ago.visited_on), Decimal("0.01"))
        return RevenueBaseline(YEAR_AGO_VISIT, visit.revenue_ytd, scaled, year_ago)
    if is_seasonal(visit):
        return RevenueBaseline(SEASONAL_NO_BASELINE)
    return RevenueBaseline(LINEAR, annualised_revenue(visit), visit.revenue_last_year)


def figure(visit: Visit, name: str):
    derived = {"debt_ratio": debt_ratio, "annualised_revenue": annualised_revenue,
               "receivable_days": receivable_days}
    if name in derived:
        return derived[name](visit)
    return getattr(visit, name)


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    now: Decimal | int | None
    before: Decimal | int | None
    delta: Decimal | None  # per cent for amounts, points for rates
    unit: str

    @property
    def is_money(self) -> bool:
        """Amounts in CNY are shown with two decimals and thousands separators."""
        return self.name in MONEY_FIGURES

    @property
    def direction(self) -> str:
        if self.delta is None or self.delta == 0:
            return "same"
        return "up" if self.delta > 0 else "down"


def _label(name: str) -> str:
    labels = {"debt_ratio": _("debt ratio (%)"), "annualised_revenue":
              _("annualised revenue, linear (CNY)"), "receivable_days": _("receivable days")}
    if name in labels:
        return str(labels[name])
    return str(Visit._meta.get_field(name).verbose_name)


def comparison(visit: Visit, previous: Visit | None, fields: set[str] | None = None
               ) -> list[Change]:
    """Each figure of the visit beside the previous visit's, with the change."""
    changes = []
    for name in COMPARED_AMOUNTS + COMPARED_RATES:
        if fields is not None and name not in fields:
            continue
        now = figure(visit, name)
        before = figure(previous, name) if previous else None
        if now is None and before is None:
            continue
        delta = None
        if now is not None and before is not None:
            if name in COMPARED_RATES:
                delta = _dp(Decimal(now) - Decimal(before))
            elif before:
                delta = _dp((Decimal(now) - Decimal(before)) / Decimal(before) * HUNDRED)
        changes.append(Change(name=name, label=_label(name), now=now, before=before, delta=delta,
                              unit="pt" if name in COMPARED_RATES else "%"))
    return changes


# --- Scoring ------------------------------------------------------------------------------------

@dataclass
class Finding:
    rule: str
    severity: str
    params: dict = field(default_factory=dict)


def thresholds() -> dict[str, tuple[Decimal, bool]]:
    """(threshold, enabled) of every rule: the admin's values over the defaults."""
    values = {rule.code: (rule.default, True) for rule in RULES}
    for row in SignalThreshold.objects.all():
        values[row.rule] = (row.threshold, row.enabled)
    return values


def _fires(rule: RuleSpec, value: Decimal, threshold: Decimal) -> bool:
    if rule.compare == "over":
        return value > threshold
    if rule.compare == "max":
        return value <= threshold
    return value >= threshold


def _pct_drop(before, now) -> Decimal | None:
    if before in (None, 0) or now is None:
        return None
    return _dp((Decimal(before) - Decimal(now)) / Decimal(before) * HUNDRED)


def _fmt(value: Decimal) -> str:
    return f"{value:f}"


def score(*, visit: Visit, previous: Visit | None, collateral_checks: list, loans: list,
          prior_values: dict[int, Decimal], loan_uses: list | None = None,
          year_ago: Visit | None = None) -> list[Finding]:
    """The signals a visit raises. `collateral_checks` are the visit's VisitCollateral rows,
    `loans` the customer's loans with their collateral prefetched, `prior_values` each
    collateral's value before this visit (by collateral id), `loan_uses` the use of funds
    answered loan by loan, `year_ago` the customer's visit about a year earlier (the revenue
    baseline of a business without last year's figure to the same date)."""
    limits = thresholds()
    found: list[Finding] = []

    def check(code: str, value: Decimal | None, **params) -> None:
        rule = RULES_BY_CODE[code]
        threshold, enabled = limits[code]
        if enabled and value is not None and _fires(rule, value, threshold):
            found.append(Finding(code, rule.severity, params))

    def flag(code: str, condition: bool, **params) -> None:
        rule = RULES_BY_CODE[code]
        if limits[code][1] and condition:
            found.append(Finding(code, rule.severity, params))

    flag("address_changed", visit.address_changed is True, new=visit.new_address or "—")
    flag("business_changed", visit.business_changed is True, new=visit.new_business or "—")
    if previous is not None:
        drop = _pct_drop(previous.employees_total, visit.employees_total)
        check("headcount_down", drop, change=_fmt(drop) if drop is not None else "",
              before=previous.employees_total, now=visit.employees_total)
        drop = _pct_drop(previous.monthly_income, visit.monthly_income)
        check("income_down", drop, change=_fmt(drop) if drop is not None else "")
        if previous.gross_margin_pct is not None and visit.gross_margin_pct is not None:
            fall = _dp(previous.gross_margin_pct - visit.gross_margin_pct)
            check("margin_down", fall, change=_fmt(fall))
    if visit.employees_total and visit.employees_on_site is not None:
        share = _dp(Decimal(visit.employees_on_site) / Decimal(visit.employees_total) * HUNDRED)
        check("few_on_site", share, share=_fmt(share), on_site=visit.employees_on_site,
              total=visit.employees_total)
    flag("wages_late", visit.wages_on_time is False)
    baseline = revenue_baseline(visit, year_ago)
    drop = baseline.drop if baseline is not None else None
    if baseline is not None and drop is not None:
        params = {"change": _fmt(drop)}
        if baseline.basis != LINEAR and baseline.before is not None:
            params |= {"variant": baseline.basis, "baseline": _fmt(baseline.before)}
        if baseline.year_ago is not None:
            params["date"] = baseline.year_ago.visited_on.isoformat()
        check("revenue_down", drop, **params)
    revenue, basis = yearly_revenue(visit, year_ago)
    if visit.receivables is not None and revenue:
        share = _dp(visit.receivables / revenue * HUNDRED)
        params = {"share": _fmt(share)} | ({"variant": basis} if basis != LINEAR else {})
        check("large_receivables", share, **params)
    # Diverted on the visit's own answer or on any loan's (VisitLoanUse rows).
    flag("funds_diverted", visit.loan_use == Visit.LoanUse.DIVERTED
         or any(u.use == Visit.LoanUse.DIVERTED for u in loan_uses or ()))
    ratio = debt_ratio(visit)
    check("high_debt_ratio", ratio, ratio=_fmt(ratio) if ratio is not None else "")
    flag("repayment_pressure_high", visit.repayment_pressure == Visit.Pressure.HIGH)
    _guarantees(visit, check, flag)
    flag("high_risk_investment", visit.high_risk_investment is True,
         items=visit.investments.strip() or "—")
    _maturity(visit, loans, limits, found)

    # Collateral: each item's drop against its value before the visit, one signal for all.
    threshold, enabled = limits["collateral_value_down"]
    dropped = []
    estimates = {}
    for check_row in collateral_checks:
        if check_row.current_value is None:
            continue
        estimates[check_row.collateral_id] = check_row.current_value
        drop = _pct_drop(prior_values.get(check_row.collateral_id), check_row.current_value)
        if drop is not None and drop >= threshold:
            dropped.append(f"{check_row.collateral} −{_fmt(drop)} %")
    if enabled and dropped:
        found.append(Finding("collateral_value_down", "warning", {"items": "; ".join(dropped)}))

    # Loan-to-value with this visit's estimates, and overdue loans.
    threshold, enabled = limits["ltv_over_limit"]
    over = []
    overdue_limit, overdue_enabled = limits["overdue"]
    overdue = []
    for loan in loans:
        items = list(loan.collaterals.all())
        value = sum((estimates.get(c.pk, prior_values.get(c.pk, c.appraised_value))
                     for c in items), Decimal("0"))
        if items and value and loan.balance:
            ltv = _dp(loan.balance / value * HUNDRED)
            if ltv > threshold:
                over.append(f"{loan.contract_number} {_fmt(ltv)} %")
        if loan.days_past_due > overdue_limit:
            overdue.append(f"{loan.contract_number} ({loan.days_past_due})")
    if enabled and over:
        found.append(Finding("ltv_over_limit", "warning", {"items": "; ".join(over)}))
    if overdue_enabled and overdue:
        found.append(Finding("overdue", "serious", {"items": "; ".join(overdue)}))

    # Audit red flags.
    if previous is not None:
        compared = same = 0
        for name in COPY_CHECKED:
            before, now = getattr(previous, name), getattr(visit, name)
            if before in (None, "") or now in (None, ""):
                continue
            compared += 1
            same += before == now
        if compared >= COPY_MINIMUM:
            share = _dp(Decimal(same) / Decimal(compared) * HUNDRED)
            check("copied_answers", share, share=_fmt(share), same=same, compared=compared)
    reused = reused_files(visit=visit)
    flag("reused_file", bool(reused), items="; ".join(reused))
    return found


def _guarantees(visit: Visit, check, flag) -> None:
    """Guarantees given to others against net assets; with net assets unknown or not positive
    any guarantee is worth a look."""
    given = visit.guarantees_given
    if not given:
        return
    net = (visit.total_assets - visit.total_liabilities
           if visit.total_assets is not None and visit.total_liabilities is not None else None)
    if net is None or net <= 0:
        flag("guarantees_given", True, variant="no_net_assets", amount=_fmt(given))
        return
    share = _dp(given / net * HUNDRED)
    check("guarantees_given", share, share=_fmt(share), amount=_fmt(given), net=_fmt(net))


def _maturity(visit: Visit, loans: list, limits: dict, found: list[Finding]) -> None:
    """Open loans due within the admin's number of days of the visit (or already past their
    maturity) while the repayment source is a weak one; serious when one is already past
    due."""
    days, enabled = limits["maturity_weak_source"]
    if not enabled or visit.visited_on is None or visit.repayment_source_kind not in WEAK_SOURCES:
        return
    due = [loan for loan in loans
           if loan.balance > 0 and loan.status == LoanStatus.ACTIVE
           and (loan.matures_on - visit.visited_on).days <= days]
    if not due:
        return
    past_due = any(loan.days_past_due > 0 or loan.matures_on < visit.visited_on for loan in due)
    params = {"days": str(int(days)) if days == days.to_integral() else _fmt(days),
              "items": "; ".join(f"{loan.contract_number} ({loan.matures_on.isoformat()})"
                                 for loan in sorted(due, key=lambda loan: loan.matures_on))}
    if visit.repayment_source_kind:
        params["variant"] = visit.repayment_source_kind
    found.append(Finding("maturity_weak_source", "serious" if past_due else "warning", params))


def reused_files(*, visit: Visit) -> list[str]:
    """Names of this visit's files whose content was uploaded with another visit before.

    An amendment's copies of the original's files are the same stored file, not a reuse."""
    mine = list(visit.evidence.all())
    if not mine:
        return []
    others = (EvidenceFile.objects.filter(sha256__in={f.sha256 for f in mine})
              .exclude(visit_id__in=[visit.pk, visit.amends_id or 0])
              .exclude(file__in=[f.file.name for f in mine])
              .values_list("sha256", flat=True))
    seen = set(others)
    return [f.original_name for f in mine if f.sha256 in seen]
