"""The early-warning rules added to the visit: wages late, few staff on site, high-risk
investment, guarantees given to others, revenue against the same season, a loan due with a weak
repayment source — each at its boundary, with the admin's threshold and disabled, through the
real submit; and the form and the visit page that show them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from customers.models import LoanStatus, RiskSignal
from loanwatch.core.audit import history_for
from tests.customers.factories import CustomerFactory, IndividualFactory, LoanFactory
from visits import services
from visits.models import SignalThreshold, Visit

from .factories import ready_visit
from .test_views import _post_data

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2026, 6, 30)


def submit(visit: Visit) -> dict[str, RiskSignal]:
    services.visit_submit(visit=visit, acting_user=visit.officer)
    return {s.rule: s for s in RiskSignal.objects.filter(source="visit", source_id=visit.pk)}


def english(signal: RiskSignal) -> str:
    with translation.override("en"):
        return signal.message


def chinese(signal: RiskSignal) -> str:
    with translation.override("zh-hans"):
        return signal.message


def set_threshold(rule: str, threshold: str | None = None, enabled: bool = True) -> None:
    row = SignalThreshold.objects.get(rule=rule)  # seeded by the data migration
    if threshold is not None:
        row.threshold = Decimal(threshold)
    row.enabled = enabled
    row.save()


@pytest.fixture
def customer(officer):
    return CustomerFactory(officer=officer)


def test_every_new_rule_has_a_default_row_for_the_admin():
    rows = dict(SignalThreshold.objects.values_list("rule", "threshold"))
    assert rows["wages_late"] == Decimal("0")
    assert rows["few_on_site"] == Decimal("50")
    assert rows["high_risk_investment"] == Decimal("0")
    assert rows["guarantees_given"] == Decimal("50")
    assert rows["maturity_weak_source"] == Decimal("90")


# --- Wages paid late ----------------------------------------------------------------------------

def test_wages_late(customer):
    found = submit(ready_visit(customer=customer, wages_on_time=False))
    assert english(found["wages_late"]) == "Wages are not paid on time."
    assert "工资" in chinese(found["wages_late"])
    assert "wages_late" not in submit(ready_visit(customer=CustomerFactory(
        officer=customer.officer), wages_on_time=True))


def test_wages_late_disabled(customer):
    set_threshold("wages_late", enabled=False)
    assert "wages_late" not in submit(ready_visit(customer=customer, wages_on_time=False))


# --- Few staff on site --------------------------------------------------------------------------

@pytest.mark.parametrize(("on_site", "fires"), [(26, False), (25, True), (10, True)],
                         ids=["above", "at", "below"])
def test_few_on_site(customer, on_site, fires):
    found = submit(ready_visit(customer=customer, employees_total=50,
                               employees_on_site=on_site))
    assert ("few_on_site" in found) is fires
    if fires:
        share = (Decimal(on_site) / 50 * 100).quantize(Decimal("0.1"))
        assert english(found["few_on_site"]) == (
            f"Only {on_site} of the 50 employees on the books were on site ({share} %).")


@pytest.mark.parametrize(("on_site", "fires"), [(16, False), (15, True)],
                         ids=["above", "at"])
def test_few_on_site_with_the_admins_threshold(customer, on_site, fires):
    set_threshold("few_on_site", "30")
    found = submit(ready_visit(customer=customer, employees_total=50,
                               employees_on_site=on_site))
    assert ("few_on_site" in found) is fires


def test_few_on_site_disabled(customer):
    set_threshold("few_on_site", enabled=False)
    assert "few_on_site" not in submit(ready_visit(customer=customer, employees_total=50,
                                                   employees_on_site=5))


# --- High-risk investment -----------------------------------------------------------------------

def test_high_risk_investment_names_what_was_said(customer):
    found = submit(ready_visit(customer=customer, high_risk_investment=True,
                               investments="虚拟货币矿场"))
    assert english(found["high_risk_investment"]) == (
        "The customer invests in high-risk industries: 虚拟货币矿场.")
    assert "高风险行业" in chinese(found["high_risk_investment"])
    plain = submit(ready_visit(customer=CustomerFactory(officer=customer.officer),
                               high_risk_investment=True))
    assert english(plain["high_risk_investment"]).endswith(": —.")


@pytest.mark.parametrize("answer", [False, None], ids=["no", "not answered"])
def test_high_risk_investment_silent_without_a_yes(customer, answer):
    assert "high_risk_investment" not in submit(ready_visit(
        customer=customer, high_risk_investment=answer, investments="理财产品"))


def test_high_risk_investment_disabled(customer):
    set_threshold("high_risk_investment", enabled=False)
    assert "high_risk_investment" not in submit(ready_visit(customer=customer,
                                                            high_risk_investment=True))


# --- Guarantees given to others -----------------------------------------------------------------

# Net assets 20,000,000 − 9,000,000 = 11,000,000; half of it is 5,500,000.
@pytest.mark.parametrize(("given", "fires"), [("5500000", False), ("5600000", True),
                                              ("9000000", True)],
                         ids=["at (not over)", "just over", "well over"])
def test_guarantees_given(customer, given, fires):
    found = submit(ready_visit(customer=customer, total_assets=Decimal("20000000"),
                               total_liabilities=Decimal("9000000"),
                               guarantees_given=Decimal(given)))
    assert ("guarantees_given" in found) is fires
    if fires:
        share = (Decimal(given) / Decimal("11000000") * 100).quantize(
            Decimal("0.1"), ROUND_HALF_UP)
        assert english(found["guarantees_given"]) == (
            f"Guarantees given to others ({Decimal(given):.2f} CNY) are {share} % of net "
            f"assets (11000000.00 CNY).")
        assert "对外担保" in chinese(found["guarantees_given"])


def test_guarantees_given_with_the_admins_share(customer):
    set_threshold("guarantees_given", "20")
    found = submit(ready_visit(customer=customer, total_assets=Decimal("20000000"),
                               total_liabilities=Decimal("9000000"),
                               guarantees_given=Decimal("2300000")))  # 20.9 %
    assert "guarantees_given" in found
    set_threshold("guarantees_given", enabled=False)
    assert "guarantees_given" not in submit(ready_visit(
        customer=CustomerFactory(officer=customer.officer), guarantees_given=Decimal("9e6")))


@pytest.mark.parametrize("liabilities", ["20000000", "25000000"], ids=["nil", "negative"])
def test_any_guarantee_fires_without_positive_net_assets(customer, liabilities):
    found = submit(ready_visit(customer=customer, total_assets=Decimal("20000000"),
                               total_liabilities=Decimal(liabilities),
                               guarantees_given=Decimal("1000")))
    assert english(found["guarantees_given"]) == (
        "Guarantees given to others: 1000.00 CNY, while net assets are not known or not "
        "positive.")


@pytest.mark.parametrize("given", [None, Decimal("0")], ids=["not answered", "none"])
def test_no_guarantee_no_signal(customer, given):
    found = submit(ready_visit(customer=customer, total_assets=Decimal("20000000"),
                               total_liabilities=Decimal("25000000"), guarantees_given=given))
    assert "guarantees_given" not in found


def test_an_individual_without_these_answers_raises_none_of_them(officer):
    found = submit(ready_visit(customer=IndividualFactory(officer=officer)))
    assert not set(found) & {"wages_late", "few_on_site", "guarantees_given",
                             "high_risk_investment", "maturity_weak_source"}


# --- Revenue against the same season ------------------------------------------------------------

# An off-season visit on 31 March (day 90 of 2026) of a business busy from September.
OFF_SEASON = date(2026, 3, 31)
OFF_SEASON_ANSWERS = {"revenue_last_year": Decimal("12000000"),
                      "revenue_ytd": Decimal("1200000"), "peak_months": [9, 10, 11, 12]}


def linear_drop(ytd: Decimal, last_year: Decimal, day: date) -> Decimal:
    annualised = ytd * 365 / day.timetuple().tm_yday
    return (last_year - annualised) / last_year * 100


def test_a_seasonal_off_season_visit_raises_no_false_alarm(customer):
    # Linearly annualised the quarter is far below last year: the old rule would fire.
    assert linear_drop(Decimal("1200000"), Decimal("12000000"), OFF_SEASON) > 30
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON,
                               revenue_same_period_last_year=Decimal("1250000"),
                               **OFF_SEASON_ANSWERS))
    assert "revenue_down" not in found
    assert "large_receivables" not in found  # set against last year's revenue


@pytest.mark.parametrize(("receivables", "fires"), [("3000000", False), ("6000000", True)],
                         ids=["a quarter", "over half"])
def test_a_seasonal_business_s_receivables_against_its_estimated_year(customer, receivables,
                                                                      fires):
    # Last year's 12,000,000 scaled as this quarter compares with last year's: 11,520,000.
    year = Decimal("12000000") * Decimal("1200000") / Decimal("1250000")
    linear = Decimal("1200000") * 365 / 90
    assert Decimal(receivables) / linear > Decimal("0.5")  # the linear figure would fire
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON,
                               revenue_same_period_last_year=Decimal("1250000"),
                               receivables=Decimal(receivables), receivables_makeup="经销商欠款",
                               collection_cost=Decimal("10000"), **OFF_SEASON_ANSWERS))
    assert ("large_receivables" in found) is fires
    if fires:
        share = (Decimal(receivables) / year * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        assert english(found["large_receivables"]) == (
            f"Receivables are {share} % of this year's revenue estimated from last year's and "
            "the same period (a seasonal business).")


def test_a_real_fall_against_the_same_period_raises_one(customer):
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON,
                               revenue_same_period_last_year=Decimal("2000000"),
                               **OFF_SEASON_ANSWERS))
    assert english(found["revenue_down"]) == (
        "Revenue to date is 40.0 % below the same period last year (2000000.00 CNY).")
    assert "同期" in chinese(found["revenue_down"])


@pytest.mark.parametrize(("same_period", "fires"), [("1700000", False), ("1714286", True)],
                         ids=["below", "at"])
def test_the_same_period_rule_at_its_boundary(customer, same_period, fires):
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON,
                               revenue_same_period_last_year=Decimal(same_period),
                               **OFF_SEASON_ANSWERS))
    drop = (Decimal(same_period) - Decimal("1200000")) / Decimal(same_period) * 100
    assert (drop.quantize(Decimal("0.1"), ROUND_HALF_UP) >= 30) is fires
    assert ("revenue_down" in found) is fires


def test_a_seasonal_business_without_a_same_season_figure_raises_nothing(customer, officer):
    visit = ready_visit(customer=customer, visited_on=OFF_SEASON, **OFF_SEASON_ANSWERS)
    assert "revenue_down" not in submit(visit)
    client = Client(headers={"accept-language": "en"})
    client.force_login(officer)
    page = client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()
    assert "no revenue for the same season last year was available" in page
    assert "Revenue down" not in page


def test_the_visit_a_year_earlier_is_the_baseline(customer):
    # 10 April 2025 (day 100) with 2,000,000 to date: 1,800,000 for 90 days.
    earlier = ready_visit(customer=customer, visited_on=date(2025, 4, 10),
                          revenue_ytd=Decimal("2000000"))
    submit(earlier)
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON, **OFF_SEASON_ANSWERS))
    scaled = Decimal("2000000") * 90 / 100
    drop = ((scaled - Decimal("1200000")) / scaled * 100).quantize(Decimal("0.1"))
    assert english(found["revenue_down"]) == (
        f"Revenue to date is {drop} % below the figure recorded at the visit of 2025-04-10, a "
        f"year earlier ({scaled:.2f} CNY scaled to the same number of days).")


def test_a_visit_more_than_a_month_off_the_year_is_no_baseline(customer):
    submit(ready_visit(customer=customer, visited_on=date(2025, 5, 5),
                       revenue_ytd=Decimal("4000000")))
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON, **OFF_SEASON_ANSWERS))
    assert "revenue_down" not in found  # seasonal, nothing to compare like with like


def test_a_business_without_peak_months_still_uses_the_linear_rule(customer):
    answers = OFF_SEASON_ANSWERS | {"peak_months": []}
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON, **answers))
    drop = linear_drop(Decimal("1200000"), Decimal("12000000"), OFF_SEASON)
    assert english(found["revenue_down"]) == (
        f"Revenue to date, annualised linearly, is {drop.quantize(Decimal('0.1'))} % below "
        "last year's.")


def test_the_revenue_rule_disabled(customer):
    set_threshold("revenue_down", enabled=False)
    found = submit(ready_visit(customer=customer, visited_on=OFF_SEASON,
                               revenue_same_period_last_year=Decimal("3000000"),
                               **OFF_SEASON_ANSWERS))
    assert "revenue_down" not in found


def test_peak_months_are_carried_to_the_next_visit(customer):
    submit(ready_visit(customer=customer, visited_on=date(2026, 1, 10), peak_months=[6, 7]))
    visit = services.visit_create(customer=customer, acting_user=customer.officer,
                                  visited_on=date(2026, 3, 1))
    assert Visit.objects.get(pk=visit.pk).peak_months == [6, 7]


# --- A loan due with a weak repayment source ----------------------------------------------------

@pytest.mark.parametrize(("days", "kind", "fires"), [
    (30, "refinancing", True), (30, "operating_cash_flow", False), (200, "refinancing", False),
    (30, "third_party", True), (30, "unclear", True), (30, "", True), (30, "asset_sale", False),
    (90, "refinancing", True), (91, "refinancing", False),
], ids=["30 days refinancing", "30 days operating", "200 days", "third party", "unclear",
        "not answered", "asset sale", "at 90", "at 91"])
def test_maturity_with_a_weak_repayment_source(customer, days, kind, fires):
    loan = LoanFactory(customer=customer, matures_on=VISIT_DAY + timedelta(days=days))
    found = submit(ready_visit(customer=customer, visited_on=VISIT_DAY,
                               repayment_source_kind=kind))
    assert ("maturity_weak_source" in found) is fires
    if fires:
        signal = found["maturity_weak_source"]
        assert signal.severity == "warning"
        assert f"{loan.contract_number} ({loan.matures_on.isoformat()})" in english(signal)
        assert "90 days" in english(signal)


def test_maturity_serious_when_a_loan_is_already_past_due(customer):
    LoanFactory(customer=customer, matures_on=VISIT_DAY + timedelta(days=30), days_past_due=12)
    found = submit(ready_visit(customer=customer, repayment_source_kind="refinancing"))
    assert found["maturity_weak_source"].severity == "serious"
    assert english(found["maturity_weak_source"]).startswith(
        "Loans due within 90 days are to be repaid by refinancing or a new loan: ")
    assert "再融资" in chinese(found["maturity_weak_source"])


def test_maturity_skips_settled_loans(customer):
    LoanFactory(customer=customer, matures_on=VISIT_DAY + timedelta(days=30),
                status=LoanStatus.SETTLED)
    assert "maturity_weak_source" not in submit(ready_visit(customer=customer,
                                                            repayment_source_kind="unclear"))


def test_maturity_with_the_admins_days(customer):
    LoanFactory(customer=customer, matures_on=VISIT_DAY + timedelta(days=30))
    set_threshold("maturity_weak_source", "20")
    assert "maturity_weak_source" not in submit(ready_visit(customer=customer,
                                                            repayment_source_kind="unclear"))
    set_threshold("maturity_weak_source", "45")
    other = CustomerFactory(officer=customer.officer)
    LoanFactory(customer=other, matures_on=VISIT_DAY + timedelta(days=30))
    found = submit(ready_visit(customer=other, repayment_source_kind="unclear"))
    assert english(found["maturity_weak_source"]).startswith("Loans due within 45 days")
    set_threshold("maturity_weak_source", enabled=False)
    third = CustomerFactory(officer=customer.officer)
    LoanFactory(customer=third, matures_on=VISIT_DAY + timedelta(days=30))
    assert "maturity_weak_source" not in submit(ready_visit(customer=third,
                                                            repayment_source_kind="unclear"))


# --- The form and the visit page ----------------------------------------------------------------

def test_the_form_saves_the_new_answers_and_the_page_shows_the_signals(officer):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, matures_on=date(2026, 6, 20))
    client = Client(headers={"accept-language": "en"})
    client.force_login(officer)
    client.post(reverse("visits:visit_create", args=[customer.pk]),
                {"visited_on": "2026-05-20", "method": "on_site"})
    visit = Visit.objects.get(customer=customer)
    data = _post_data(visit, interviews=[{"role": "finance_head", "name": "王会计",
                                          "statement": "工资晚发半月", "topics": ["2", "5"]}],
                      action="submit", peak_months=["7", "8"],
                      revenue_same_period_last_year="6000000.00",
                      repayment_source_kind="refinancing", employees_on_site="12",
                      high_risk_investment="true", investments="P2P网贷平台")
    form = client.get(reverse("visits:visit_edit", args=[visit.pk])).content.decode()
    assert 'name="peak_months"' in form and 'name="repayment_source_kind"' in form
    response = client.post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    visit.refresh_from_db()
    assert visit.status == "submitted"
    assert visit.peak_months == [7, 8]
    assert visit.revenue_same_period_last_year == Decimal("6000000.00")
    assert visit.repayment_source_kind == "refinancing"
    found = set(RiskSignal.objects.filter(source_id=visit.pk).values_list("rule", flat=True))
    # 4,000,000 against 6,000,000 the same period: a third down. 12 of 48 on site. Wages late.
    # 2,000,000 guaranteed against 5,000,000 net assets is 40 %: not over half.
    assert {"revenue_down", "few_on_site", "wages_late", "high_risk_investment",
            "maturity_weak_source"} <= found
    assert "guarantees_given" not in found
    page = reverse("visits:visit_detail", args=[visit.pk])
    english_page = client.get(page).content.decode()
    assert "Only 12 of the 48 employees on the books were on site (25.0 %)." in english_page
    assert "Wages are not paid on time." in english_page
    assert (f"Loans due within 90 days are to be repaid by refinancing or a new loan: "
            f"{loan.contract_number} (2026-06-20).") in english_page
    assert "33.3 % below the same period last year" in english_page
    assert "July" in english_page and "refinancing or a new loan" in english_page
    chinese_page = Client(headers={"accept-language": "zh-hans"})
    chinese_page.force_login(officer)
    text = chinese_page.get(page).content.decode()
    assert "P2P网贷平台" in text and "高风险行业" in text
    assert "工资未按时发放" in text and "同期" in text
    assert "再融资" in text and loan.contract_number in text
    assert "Wages are not paid on time." not in text



def test_the_admin_changes_a_new_rule_on_the_thresholds_page(admin_user, officer):
    client = Client(headers={"accept-language": "en"})
    client.force_login(admin_user)
    page = client.get(reverse("visits:threshold_list")).content.decode()
    assert "Far fewer staff on site than on the books" in page
    assert "Loan maturing with a weak repayment source" in page
    data = {}
    for row in SignalThreshold.objects.all():
        data[f"{row.rule}-threshold"] = str(row.threshold)
        if row.rule != "wages_late":
            data[f"{row.rule}-enabled"] = "on"
    data["few_on_site-threshold"] = "85"
    assert client.post(reverse("visits:threshold_list"), data).status_code == 302
    found = submit(ready_visit(customer=CustomerFactory(officer=officer), wages_on_time=False))
    assert "few_on_site" in found  # 42 of 50 on site is 84 %: at or below 85
    assert "wages_late" not in found


def test_the_visits_history_names_the_new_answers(customer):
    visit = ready_visit(customer=customer)
    services.visit_save(visit=visit, acting_user=customer.officer,
                        data={"peak_months": [11, 12], "repayment_source_kind": "unclear",
                              "revenue_same_period_last_year": Decimal("2500000")})
    with translation.override("en"):
        # As the panel writes them, in the reader's language.
        changes = {str(c.label): str(c.new) for entry in history_for(obj=visit)
                   for c in entry.changes if entry.action == "changed"}
    assert changes["peak months"] == "November, December"
    assert changes["main repayment source"] == "unclear"
    assert changes["revenue in the same period last year (CNY)"] == "2,500,000.00"
