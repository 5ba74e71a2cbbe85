# ruff: noqa: E501 -- data tables of Chinese names read better one record a line
"""Demo customers for the four demo officers: both kinds, valid identifiers, loans in several
classifications, collateral with valuations, and guarantee circles with a mutual guarantee.

Idempotent: every row is found by a natural key (identifier, contract number, description…)
before it is created, so a second load changes nothing.

The demo's own customers are known by their identifiers (invented, valid codes), never by name:
the loaders of every app work on `demo_customers()` only, so a database that also holds a bank's
own customers keeps them untouched."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet

from customers.models import (
    Collateral,
    CollateralValuation,
    Customer,
    CustomerRelation,
    Guarantee,
    Industry,
    Loan,
    Person,
    RiskGroup,
)
from customers.validators import resident_id_check_character, uscc_check_character
from loanwatch.accounts.models import User

INDUSTRIES = [
    ("A01", "农业", "Agriculture", False),
    ("C31", "黑色金属冶炼和压延加工业", "Ferrous metal smelting", True),
    ("C34", "通用设备制造业", "General equipment manufacturing", False),
    ("E47", "房屋建筑业", "Building construction", True),
    ("F51", "批发业", "Wholesale trade", False),
    ("I65", "软件和信息技术服务业", "Software and IT services", False),
    ("K70", "房地产业", "Real estate", True),
]


def _uscc(region: str, body: str) -> str:
    first17 = f"91{region}{body}"
    return first17 + uscc_check_character(first17)


def _rid(region: str, born: str, seq: str) -> str:
    first17 = f"{region}{born}{seq}"
    return first17 + resident_id_check_character(first17)


# (key, officer, kind, name, identifier, industry, risk group, address, phone)
CUSTOMERS = [
    ("bj1", "officer1", "corporate", "北京华信精密机械有限公司", _uscc("110108", "MA01HX001"), "C34",
     "normal", "北京市海淀区上地信息路12号", "010-62981234"),
    ("bj2", "officer1", "corporate", "北京金盛钢材贸易有限公司", _uscc("110108", "MA01JT002"), "C31",
     "watch", "北京市海淀区西三旗建材城东路8号", "010-82715566"),
    ("bj3", "officer1", "corporate", "北京恒基建设工程有限公司", _uscc("110108", "MA01HJ003"), "E47",
     "high", "北京市海淀区永丰路5号", "010-62459870"),
    ("bj4", "officer1", "individual", "孙志强", _rid("110108", "19780514", "231"), None,
     "normal", "北京市海淀区清河小营路3号院", "13801012345"),
    ("bj5", "officer2", "corporate", "北京云帆软件科技有限公司", _uscc("110108", "MA01YF004"), "I65",
     "normal", "北京市海淀区中关村软件园二期", "010-58861122"),
    ("bj6", "officer2", "corporate", "北京绿野农产品批发有限公司", _uscc("110108", "MA01LY005"), "F51",
     "watch", "北京市海淀区四季青路7号", "010-88451203"),
    ("bj7", "officer2", "individual", "周晓梅", _rid("110108", "19850921", "462"), None,
     "normal", "北京市海淀区北太平庄路18号", "13910203040"),
    ("sh1", "officer3", "corporate", "上海浦江置业发展有限公司", _uscc("310115", "MA1KPJ006"), "K70",
     "high", "上海市浦东新区张杨路500号", "021-58781234"),
    ("sh2", "officer3", "corporate", "上海东航物流设备有限公司", _uscc("310115", "MA1KDH007"), "C34",
     "normal", "上海市浦东新区金桥路1088号", "021-50321188"),
    ("sh3", "officer3", "individual", "吴海波", _rid("310115", "19720308", "155"), None,
     "watch", "上海市浦东新区川沙路2号", "13601710203"),
    ("sh4", "officer4", "corporate", "上海申农生态农业有限公司", _uscc("310115", "MA1KTN008"), "A01",
     "normal", "上海市浦东新区书院镇丽正路99号", "021-58112233"),
    ("sh5", "officer4", "corporate", "上海宏达五金批发有限公司", _uscc("310115", "MA1KHD009"), "F51",
     "watch", "上海市浦东新区惠南镇城南路66号", "021-68007788"),
    ("sh6", "officer4", "individual", "郑丽娟", _rid("310115", "19900112", "384"), None,
     "normal", "上海市浦东新区花木路800弄", "13816171819"),
]

# The demo's customers by key, and the only rows the demo ever writes to.
IDENTIFIERS = {row[0]: row[4] for row in CUSTOMERS}


def demo_customers() -> QuerySet[Customer]:
    return Customer.objects.filter(identifier__in=IDENTIFIERS.values())


# (customer key, contract, amount, balance, disbursed, matures, purpose, method, types, dpd, class)
LOANS = [
    ("bj1", "BJHD-2024-0101", "5000000", "4200000", date(2024, 3, 1), date(2027, 3, 1),
     "购买数控机床零部件原材料", "interest_only", ["guaranteed", "mortgage"], 0, "pass"),
    ("bj2", "BJHD-2024-0102", "8000000", "7600000", date(2024, 6, 15), date(2026, 6, 15),
     "钢材采购备货", "bullet", ["guaranteed"], 45, "special_mention"),
    ("bj3", "BJHD-2023-0103", "12000000", "11800000", date(2023, 9, 1), date(2026, 9, 1),
     "工程项目垫资", "interest_only", ["guaranteed", "mortgage"], 120, "substandard"),
    ("bj4", "BJHD-2025-0104", "600000", "480000", date(2025, 2, 10), date(2028, 2, 10),
     "个体经营门店装修", "equal_instalments", ["mortgage"], 0, "pass"),
    ("bj5", "BJHD-2025-0105", "3000000", "3000000", date(2025, 5, 20), date(2026, 5, 20),
     "研发人员工资及办公场地租金", "bullet", ["unsecured"], 0, "pass"),
    ("bj6", "BJHD-2024-0106", "2000000", "1500000", date(2024, 8, 1), date(2026, 8, 1),
     "农产品收购", "equal_principal", ["guaranteed"], 12, "special_mention"),
    ("bj7", "BJHD-2024-0107", "300000", "0", date(2024, 1, 5), date(2025, 1, 5),
     "个人经营周转", "bullet", ["unsecured"], 0, "pass"),
    ("sh1", "SHPD-2023-0201", "20000000", "19500000", date(2023, 5, 1), date(2026, 5, 1),
     "项目开发建设", "interest_only", ["mortgage", "guaranteed"], 300, "doubtful"),
    ("sh2", "SHPD-2024-0202", "4000000", "3100000", date(2024, 4, 1), date(2027, 4, 1),
     "采购生产设备", "equal_instalments", ["guaranteed"], 0, "pass"),
    ("sh3", "SHPD-2024-0203", "800000", "760000", date(2024, 10, 1), date(2027, 10, 1),
     "家庭农场扩建", "equal_instalments", ["mortgage"], 95, "substandard"),
    ("sh4", "SHPD-2025-0204", "1500000", "1500000", date(2025, 3, 15), date(2027, 3, 15),
     "购买种苗和化肥", "interest_only", ["pledge"], 0, "pass"),
    ("sh5", "SHPD-2024-0205", "2500000", "2300000", date(2024, 7, 1), date(2026, 7, 1),
     "五金产品备货", "bullet", ["guaranteed"], 30, "special_mention"),
    ("sh6", "SHPD-2025-0206", "400000", "350000", date(2025, 4, 1), date(2028, 4, 1),
     "门店经营周转", "equal_principal", ["unsecured"], 0, "pass"),
]

# (guarantor key, contract, amount): bj1 → bj2 → bj3 → bj1 is a mutual-guarantee cycle, bj6
# backs bj2 from outside it; sh2 and sh5 guarantee each other.
GUARANTEES = [
    ("bj1", "BJHD-2024-0102", "4000000"), ("bj2", "BJHD-2023-0103", "6000000"),
    ("bj3", "BJHD-2024-0101", "2500000"), ("bj6", "BJHD-2024-0102", "2000000"),
    ("sh2", "SHPD-2024-0205", "2300000"), ("sh5", "SHPD-2024-0202", "3000000"),
    ("sh2", "SHPD-2023-0201", "5000000"),
]
OUTSIDE_GUARANTEES = [("北京中关村科技融资担保有限公司", "BJHD-2024-0106", "1000000")]
# Outside guarantors as related parties, with their identifiers, so that they are checked.
GUARANTOR_PARTIES = {"北京中关村科技融资担保有限公司": _uscc("110108", "MA01DB010")}

# (customer key, kind, description, location, area, certificate, appraised, on, loans, later)
COLLATERAL = [
    ("bj1", "real_estate", "上地厂房一号楼", "北京市海淀区上地信息路12号", "3200", "京(2019)海淀区不动产权第0012345号",
     "9000000", date(2024, 2, 20), ["BJHD-2024-0101"], [(date(2025, 9, 1), "8600000")]),
    ("bj3", "land", "永丰工业用地使用权", "北京市海淀区永丰路5号", "12000", "京(2018)海淀区不动产权第0098765号",
     "15000000", date(2023, 8, 10), ["BJHD-2023-0103"], [(date(2025, 6, 1), "12500000")]),
    ("bj4", "real_estate", "清河住宅", "北京市海淀区清河小营路3号院2-501", "89", "京(2016)海淀区不动产权第0034567号",
     "5200000", date(2025, 1, 20), ["BJHD-2025-0104"], []),
    ("sh1", "land", "张江地块开发用地", "上海市浦东新区张江路地块B2", "25000", "沪(2021)浦字不动产权第001122号",
     "32000000", date(2023, 4, 1), ["SHPD-2023-0201"], [(date(2025, 3, 1), "26000000"),
                                                       (date(2025, 10, 1), "23500000")]),
    ("sh3", "real_estate", "川沙农场附属用房", "上海市浦东新区川沙路2号", "420", "沪(2020)浦字不动产权第005566号",
     "1200000", date(2024, 9, 15), ["SHPD-2024-0203"], []),
    ("sh4", "deposit", "定期存单质押", "", None, "存单号 31001588", "1600000", date(2025, 3, 10),
     ["SHPD-2025-0204"], []),
]

# (customer key, person name, resident ID, role, stake)
RELATIONS = [
    ("bj1", "陈国华", _rid("110108", "19680402", "513"), "legal_representative", None),
    ("bj1", "陈国华", _rid("110108", "19680402", "513"), "actual_controller", None),
    ("bj1", "陈国华", _rid("110108", "19680402", "513"), "shareholder", "70"),
    ("bj1", "林芳", _rid("110108", "19750716", "624"), "shareholder", "30"),
    ("bj1", "林芳", _rid("110108", "19750716", "624"), "finance_head", None),
    # The same controller behind the steel trader: worth seeing.
    ("bj2", "陈国华", _rid("110108", "19680402", "513"), "actual_controller", None),
    ("bj2", "马建军", _rid("110108", "19800101", "735"), "legal_representative", None),
    ("bj3", "杨宏伟", _rid("110108", "19700909", "846"), "legal_representative", None),
    ("sh1", "黄志明", _rid("310115", "19650605", "217"), "legal_representative", None),
    ("sh1", "黄志明", _rid("310115", "19650605", "217"), "shareholder", "80"),
    ("sh2", "徐立新", _rid("310115", "19770303", "328"), "legal_representative", None),
    # 陈国华 also holds a stake in a Shanghai customer: trouble about him reaches another team.
    ("sh5", "陈国华", _rid("110108", "19680402", "513"), "shareholder", "20"),
]
# Companies as related parties: the repair shop the individual borrower 孙志强 runs and owns.
COMPANY_RELATIONS = [
    ("bj4", "北京志强汽车维修服务有限公司", _uscc("110108", "MA01QX011"), "legal_representative",
     None),
    ("bj4", "北京志强汽车维修服务有限公司", _uscc("110108", "MA01QX011"), "shareholder", "100"),
]


def load(users: dict[str, User]) -> None:
    industries = {}
    for code, name, name_en, high_risk in INDUSTRIES:
        industries[code], _ = Industry.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "high_risk": high_risk})
    groups = {g.code: g for g in RiskGroup.objects.all()}
    customers = {}
    for key, officer, kind, name, identifier, industry, group, address, phone in CUSTOMERS:
        officer_user = users[officer]
        customers[key], _ = Customer.objects.get_or_create(identifier=identifier, defaults={
            "kind": kind, "name": name, "industry": industries.get(industry),
            "risk_group": groups[group], "address": address, "registered_address": address,
            "phone": phone, "officer": officer_user, "team_id": officer_user.team_id,
            "occupation": "个体经营" if kind == "individual" else "",
            "registered_capital": Decimal("10000000") if kind == "corporate" else None,
            "founded_on": date(2012, 5, 18) if kind == "corporate" else None})
    loans = {}
    for key, number, amount, balance, start, end, purpose, method, types, dpd, cls in LOANS:
        loan, _ = Loan.objects.get_or_create(contract_number=number, defaults={
            "customer": customers[key], "amount": Decimal(amount), "balance": Decimal(balance),
            "disbursed_on": start, "matures_on": end, "purpose": purpose,
            "repayment_method": method, "repayment_source": "经营收入", "guarantee_types": types,
            "days_past_due": dpd, "classification": cls})
        if loan.customer_id != customers[key].pk:
            continue  # a bank's own loan under this number: not the demo's to guarantee or secure
        loans[number] = loan
        if not loan.balance:
            Customer.objects.filter(pk=customers[key].pk).update(status=Customer.Status.CLOSED)
    for guarantor, number, amount in GUARANTEES:
        if number not in loans:
            continue
        Guarantee.objects.get_or_create(loan=loans[number], guarantor_customer=customers[guarantor],
                                        defaults={"amount": Decimal(amount)})
    for name, number, amount in OUTSIDE_GUARANTEES:
        if number not in loans:
            continue
        Guarantee.objects.get_or_create(loan=loans[number], guarantor_name=name,
                                        defaults={"amount": Decimal(amount)})
    for key, kind, description, location, area, cert, value, on, numbers, later in COLLATERAL:
        customer = customers[key]
        item, created = Collateral.objects.get_or_create(customer=customer, description=description,
                                                         defaults={
            "kind": kind, "location": location, "area_m2": Decimal(area) if area else None,
            "certificate_number": cert, "appraised_value": Decimal(value), "appraised_on": on})
        if created:
            item.loans.set([loans[n] for n in numbers if n in loans])
        for valued_on, amount, source in [(on, value, "appraisal"),
                                          *[(d, v, "visit") for d, v in later]]:
            CollateralValuation.objects.get_or_create(
                collateral=item, valued_on=valued_on,
                defaults={"value": Decimal(amount), "source": source,
                          "recorded_by": customer.officer})
    for rows, kind in ((RELATIONS, Person.Kind.PERSON), (COMPANY_RELATIONS, Person.Kind.COMPANY)):
        for key, name, id_number, role, stake in rows:
            person, _ = Person.objects.get_or_create(id_number=id_number,
                                                     defaults={"name": name, "kind": kind})
            CustomerRelation.objects.get_or_create(
                customer=customers[key], person=person, role=role,
                defaults={"stake_pct": Decimal(stake) if stake else None})
    for guarantee in Guarantee.objects.filter(loan__in=loans.values(),
                                              guarantor_name__in=GUARANTOR_PARTIES):
        party = guarantee.guarantor_party
        if party is None:
            party, _ = Person.objects.get_or_create(
                id_number=GUARANTOR_PARTIES[guarantee.guarantor_name],
                defaults={"name": guarantee.guarantor_name, "kind": Person.Kind.COMPANY})
            Guarantee.objects.filter(pk=guarantee.pk).update(guarantor_party=party)
        CustomerRelation.objects.get_or_create(customer_id=guarantee.loan.customer_id,
                                               person=party, role=CustomerRelation.Role.GUARANTOR)
