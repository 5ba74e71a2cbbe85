"""Demo record checks: two checks of each demo company, the second showing each kind of record
once — the steel trader's new enforcement case, the builder's lawsuit judged, the produce
wholesaler's frozen account, the developer's administrative penalty, the hardware wholesaler's
tax arrears, the farm's registration changes (legal representative, shareholders, capital,
address, scope) — and the related parties: 陈国华's equity frozen (reaching the steel trader
and, in Shanghai, the hardware wholesaler), the company 孙志强 runs listed as an abnormal
taxpayer, the outside guarantor checked clean.

Idempotent: a customer that already has a check is left alone, so a second load adds nothing.
Only the demo's own customers are checked (`demo_customers()`, known by their identifiers).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from customers.records import services
from customers.records.providers import CheckData, EntryData, Subject
from customers.records.selectors import subjects_for
from loanwatch.devtools.demo.customers import IDENTIFIERS, demo_customers

NEW_CASE = EntryData(kind="enforcement", case_number="（2026）京0108执4417号",
                     court="北京市海淀区人民法院", amount=Decimal("386500.00"))
FARM_REGISTRATION = {"legal_representative": "沈建平", "registered_capital": Decimal("10000000"),
                     "registered_address": "上海市浦东新区书院镇丽正路99号",
                     "business_scope": "蔬菜、水果种植；农产品初加工；农业技术咨询",
                     "shareholders": ("沈建平", "上海申农投资有限公司")}
# What each company's second check finds, by the demo's customer key.
SECOND: dict[str, dict[str, Any]] = {
    "bj2": {"entries": (NEW_CASE,)},
    "bj3": {"entries": (EntryData(kind="lawsuit", case_number="（2026）京0108民初2231号",
                                  court="北京市海淀区人民法院", cause="建设工程施工合同纠纷",
                                  stage="judged", amount=Decimal("2450000.00")),)},
    "bj6": {"entries": (EntryData(kind="asset_freeze", case_number="（2026）京0108执保318号",
                                  court="北京市海淀区人民法院", cause="基本存款账户",
                                  amount=Decimal("680000.00")),)},
    "sh1": {"entries": (EntryData(kind="penalty", case_number="沪浦规划资源罚〔2026〕45号",
                                  court="上海市浦东新区规划和自然资源局", cause="未批先建",
                                  amount=Decimal("320000.00")),)},
    "sh5": {"entries": (EntryData(kind="tax_arrears", case_number="沪浦税欠〔2026〕108号",
                                  court="国家税务总局上海市浦东新区税务局", cause="增值税",
                                  amount=Decimal("156000.00")),)},
    "sh4": {**FARM_REGISTRATION, "legal_representative": "沈丽",
            "registered_capital": Decimal("3000000"),
            "registered_address": "上海市浦东新区泥城镇云端路18号",
            "business_scope": "蔬菜、水果种植；农产品初加工；农业技术咨询；食品销售",
            "shareholders": ("沈丽", "上海申农投资有限公司")},
}
FIRST: dict[str, dict[str, Any]] = {"sh4": FARM_REGISTRATION}
CONTROLLER_FREEZE = EntryData(
    kind="equity_freeze", case_number="（2026）京0105执保77号", court="北京市朝阳区人民法院",
    cause="所持北京华信精密机械有限公司70%股权", amount=Decimal("7000000.00"))


def load(users) -> None:
    today = timezone.localdate()
    earlier, later = today - timedelta(days=45), today - timedelta(days=9)
    report_year = today.year - 1 if today.month > 6 else today.year - 2
    keys = {identifier: key for key, identifier in IDENTIFIERS.items()}
    for customer in (demo_customers().exclude(record_checks__isnull=False)
                     .select_related("officer").order_by("identifier")):
        key = keys[customer.identifier]
        if customer.is_corporate:
            for on, found in ((earlier, FIRST.get(key, {})), (later, SECOND.get(key, {}))):
                services.check_record(
                    subject=Subject(customer=customer), acting_user=customer.officer,
                    source="feed", data=CheckData(checked_on=on, licence_status="in_business",
                                                  annual_report_year=report_year, **found))
        for party in subjects_for(customer=customer)[1:]:
            if party.person is None or party.person.record_checks.exists():
                continue  # checked once, through the first customer it is linked to
            found = _party_findings(party.person.name)
            for on, data in ((earlier, {}), (later, found)):
                services.check_record(subject=party, acting_user=customer.officer,
                                      source="manual",
                                      data=CheckData(checked_on=on, **data))


def _party_findings(name: str) -> dict:
    if name == "陈国华":
        return {"entries": (CONTROLLER_FREEZE,)}
    if name == "北京志强汽车维修服务有限公司":
        return {"tax_abnormal": True}
    return {}
