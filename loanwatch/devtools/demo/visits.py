# ruff: noqa: E501 -- visit answers read better one visit a block
"""Demo visits: submitted visits with a previous one to compare against (so the comparison and
some signals show), each with its briefing answered, an individual customer's visit, a draft
(whose briefing shows what to bring up), quick contacts (one raising a signal by hand), and
contact preferences.

Idempotent: a visit is found by its customer and date before it is created, and a submitted
visit is never touched again. Names below are looked up among the demo's own customers only
(`demo_customers()`): a bank's customer of the same name is never visited by the demo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from customers.models import Collateral
from loanwatch.accounts.models import User
from loanwatch.devtools.demo.customers import demo_customers
from visits import briefing, selectors, services
from visits.models import ContactPreference, Interview, Visit, VisitCollateral

D = Decimal

# (customer name, date, method, place, answers, interviews, collateral values, submit)
VISITS = [
    ("北京华信精密机械有限公司", date(2026, 3, 12), "on_site", "上地厂区", {
        "address_changed": False, "business_changed": False, "employees_total": 86,
        "employees_on_site": 79, "monthly_wage": D("7800"), "wages_on_time": True,
        "office_area_m2": D("3200"), "monthly_rent": D("0"), "liquid_funds": D("2600000"),
        "receivables": D("3100000"), "receivable_terms_days": 90, "payables": D("1800000"),
        "payable_terms_days": 60, "inventory": D("2200000"), "inventory_turnover_days": 75,
        "main_suppliers": "宝钢特钢、天津精工轴承", "main_customers": "中车北京、三一重工",
        "revenue_last_year": D("18500000"), "revenue_ytd": D("3900000"),
        "revenue_change_reason": "春节后订单恢复正常", "peak_season": "3–6月、9–11月",
        "peak_months": [3, 4, 5, 6, 9, 10, 11],
        "off_season": "春节前后", "gross_margin_pct": D("24.5"), "loan_use": "as_declared",
        "loan_use_note": "购买原材料，已核对采购合同", "total_assets": D("32000000"),
        "total_liabilities": D("15500000"), "other_debts": "无", "investments": "无",
        "guarantees_given": D("4000000"), "high_risk_investment": False,
        "repayment_source_kind": "operating_cash_flow",
        "repayment_source": "销售回款", "repayment_pressure": "low", "customer_needs": "希望到期续贷",
     }, [("finance_head", "林芳", "回款正常，大客户账期三个月", [3, 5]),
         ("employee", "车间主任老刘", "工资每月10号按时发", [2])], {"上地厂房一号楼": D("8500000")}, True),
    ("北京华信精密机械有限公司", date(2026, 9, 18), "on_site", "上地厂区", {
        "address_changed": False, "business_changed": False, "employees_total": 58,
        "employees_on_site": 44, "monthly_wage": D("7600"), "wages_on_time": False,
        "office_area_m2": D("3200"), "monthly_rent": D("0"), "liquid_funds": D("900000"),
        "receivables": D("7400000"), "receivable_terms_days": 150, "payables": D("2600000"),
        "payable_terms_days": 45, "inventory": D("3100000"), "inventory_turnover_days": 110,
        "receivables_makeup": "主要是中车北京的质保金和两家民营客户的货款，催收需发律师函",
        "collection_cost": D("60000"), "main_suppliers": "宝钢特钢", "main_customers": "中车北京",
        "revenue_last_year": D("18500000"), "revenue_ytd": D("9800000"),
        "revenue_same_period_last_year": D("12600000"), "peak_months": [3, 4, 5, 6, 9, 10, 11],
        "revenue_change_reason": "一家主要客户停止下单", "peak_season": "3–6月、9–11月",
        "off_season": "春节前后", "gross_margin_pct": D("13.0"), "loan_use": "as_declared",
        "loan_use_note": "", "total_assets": D("30500000"), "total_liabilities": D("22400000"),
        "other_debts": "新增小贷公司借款300万", "investments": "无",
        "guarantees_given": D("4000000"), "high_risk_investment": False,
        "repayment_source_kind": "third_party",
        "repayment_source": "销售回款、股东借款", "repayment_pressure": "high",
        "customer_needs": "希望延期还款三个月",
     }, [("actual_controller", "陈国华", "订单下滑，正在找新客户", [1, 5, 9]),
         ("employee", "车间主任老刘", "上月工资晚发了两周", [2])], {"上地厂房一号楼": D("7500000")}, True),
    ("孙志强", date(2026, 6, 2), "on_site", "清河门店", {
        "address_changed": False, "business_changed": False, "monthly_income": D("32000"),
        "income_stable": True, "income_source": "门店经营", "household_assets": D("6100000"),
        "household_assets_note": "住宅一套、存款60万", "liquid_funds": D("600000"),
        "main_suppliers": "本地批发市场", "main_customers": "周边居民",
        "revenue_last_year": D("850000"), "revenue_ytd": D("390000"), "loan_use": "as_declared",
        "total_assets": D("6100000"), "total_liabilities": D("520000"),
        "repayment_source_kind": "operating_cash_flow",
        "repayment_source": "门店经营收入", "repayment_pressure": "low", "customer_needs": "无",
     }, [("borrower", "孙志强", "门店生意稳定", [2, 3, 9])], {"清河住宅": D("5300000")}, True),
    ("上海浦江置业发展有限公司", date(2026, 10, 20), "on_site", "张江项目现场", {
        "address_changed": True, "new_address": "上海市浦东新区川沙路1888号临时办公点",
        "business_changed": False, "employees_total": 35, "employees_on_site": 12,
        "monthly_wage": D("9000"), "wages_on_time": False, "liquid_funds": D("300000"),
        "receivables": D("1200000"), "payables": D("16000000"),
        "receivables_makeup": "购房尾款，多为按揭未放款", "collection_cost": D("0"), "inventory": D("45000000"),
        "revenue_last_year": D("6000000"), "revenue_ytd": D("1500000"),
        "revenue_change_reason": "楼盘销售停滞", "gross_margin_pct": D("8.0"),
        "loan_use": "partly", "loan_use_note": "部分资金用于偿还其他借款",
        "total_assets": D("68000000"), "total_liabilities": D("59000000"),
        "other_debts": "信托借款3000万", "repayment_source_kind": "refinancing",
        "repayment_source": "项目销售回款停滞，拟申请展期或借新还旧",
        "repayment_pressure": "high", "customer_needs": "希望展期",
     }, [("legal_representative", "黄志明", "正在与买家谈整体转让", [1, 6, 9]),
         ("neighbour", "隔壁建材店老板", "工地已停工两个月", [2])], {"张江地块开发用地": D("20000000")}, True),
    # A draft, half-filled, as an officer leaves it between two meetings.
    ("北京云帆软件科技有限公司", date(2026, 11, 20), "on_site", "中关村软件园", {
        "address_changed": False, "employees_total": 64, "employees_on_site": 51,
     }, [("finance_head", "赵敏", "", [2])], {}, False),
]

PREFERENCES = [
    ("北京华信精密机械有限公司", {"preferred_method": "on_site", "best_time": "工作日上午",
                             "wechat": "chen_guohua", "note": "陈总周五通常在外地"}),
    ("上海浦江置业发展有限公司", {"preferred_method": "phone", "avoid_frequent_on_site": True,
                             "best_time": "下午两点后", "note": "上门前一天电话预约"}),
]


def _brief(visit: Visit, officer: User) -> None:
    """Answer what the visit was to ask about, as an officer would after the conversation."""
    items = briefing.briefing_items(customer=visit.customer,
                                    previous=selectors.previous_visit(visit=visit))
    loans = briefing.loans_awaiting_first_check(customer=visit.customer, on=visit.visited_on,
                                                exclude_visit_ids=[visit.pk])
    services.visit_save(visit=visit, acting_user=officer, data={}, briefing_answers=[
        {"source": item.source, "source_id": item.source_id, "title": item.title,
         "answer": BRIEFING_ANSWERS.get(item.source, "已了解，详见小结。")} for item in items],
        loan_uses=[{"loan_id": loan.pk, "use": visit.loan_use or "as_declared",
                    "note": visit.loan_use_note} for loan in loans])


BRIEFING_ANSWERS = {
    "signal": "与上次相比仍需关注，已在小结中说明。",
    "concern": "客户说明了上次提到的问题，目前在跟进中。",
    "loan": "客户称因回款延迟逾期，承诺月底前补足。",
    "task": "实际控制人介绍了事件的影响和应对安排。",
    "measure": "措施正在落实，已查看相关凭证。",
    "finding": "客户解释了原因，并提供了相关材料。",
}

# Quick contacts (customer name, date, method, person, what was learned, signal or None).
CONTACTS = [
    ("上海浦江置业发展有限公司", date(2026, 11, 12), "social_media", "黄志明（朋友圈）",
     "朋友圈发布张江项目整体转让的招商信息，与上次回访所说一致。",
     ("warning", "operations", "项目转让尚未落地，销售回款仍停滞")),
    ("北京华信精密机械有限公司", date(2026, 11, 5), "phone", "林芳（财务负责人）",
     "电话了解：新客户已签框架协议，工资本月按时发放。", None),
]


def load(users: dict[str, User]) -> None:
    customers = {c.name: c for c in demo_customers().filter(
        name__in={row[0] for row in VISITS} | {row[0] for row in PREFERENCES})}
    for name, visited_on, method, place, answers, people, values, submit in VISITS:
        customer = customers.get(name)
        if customer is None or Visit.objects.filter(customer=customer,
                                                    visited_on=visited_on).exists():
            continue
        officer = customer.officer
        visit = services.visit_create(customer=customer, acting_user=officer,
                                      visited_on=visited_on, method=method)
        services.visit_save(visit=visit, acting_user=officer, data={"place": place, **answers})
        Interview.objects.bulk_create([
            Interview(visit=visit, role=role, name=who, statement=said, topics=topics)
            for role, who, said, topics in people])
        items = {c.description: c for c in Collateral.objects.filter(customer=customer)}
        for description, value in values.items():
            VisitCollateral.objects.create(visit=visit, collateral=items[description],
                                           condition="fair", current_value=value)
        if submit:
            _brief(visit, officer)
            services.visit_submit(visit=visit, acting_user=officer)
    contacts = {c.name: c for c in demo_customers().filter(name__in={r[0] for r in CONTACTS})}
    for name, on, method, person, learned, signal in CONTACTS:
        customer = contacts.get(name)
        if customer is None or Visit.objects.filter(customer=customer, visited_on=on,
                                                    kind=Visit.Kind.CONTACT).exists():
            continue
        severity, category, text = signal or ("", "", "")
        services.contact_log(customer=customer, acting_user=customer.officer, contacted_on=on,
                             method=method, person=person, learned=learned,
                             signal_severity=severity, signal_category=category,
                             signal_text=text)
    for name, data in PREFERENCES:
        if name in customers:
            ContactPreference.objects.get_or_create(customer=customers[name], defaults=data)
