"""The customers part of a generated portfolio (see loanwatch/devtools/generate/__init__.py).

Per officer fifty customers, about three in five of them companies; two and a half loans per
customer on average, most of them current and a tail overdue into every classification; related
persons behind the companies (some controllers behind several); collateral with a value history
for about half of the loans; and guarantees between customers of the same team, a tenth of them
mutual, so that guarantee circles of every size appear.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from customers.models import (
    Classification,
    ClassificationFloor,
    Collateral,
    CollateralValuation,
    Customer,
    CustomerRelation,
    Guarantee,
    GuaranteeType,
    Industry,
    Loan,
    Person,
    RepaymentMethod,
    RiskGroup,
)
from customers.services import customer_figures_refresh
from customers.validators import USCC_ALPHABET, resident_id_check_character, uscc_check_character
from loanwatch.devtools.generate import Context, copy_rows, next_id, reset_sequence

TRADE = ["贸易", "机械制造", "食品", "建材", "物流", "电子科技", "纺织", "化工", "家具", "餐饮管理",
         "农业开发", "信息技术", "汽车配件", "印刷包装", "医疗器械"]
BRAND = "华信恒通鑫达宏远天成永盛金源嘉禾瑞丰博远盛世新宇东方中科万隆广汇"
PURPOSES = ["采购原材料", "补充流动资金", "支付货款", "购置设备", "经营周转", "装修门店",
            "支付租金"]
SOURCES = ["经营收入", "销售回款", "工资收入", "租金收入", "经营利润"]
OCCUPATIONS = ["个体工商户", "餐馆经营", "货运司机", "教师", "医生", "小超市经营", "养殖户"]


def _uscc(k: int, region: str) -> str:
    # "G" first in the organisation code keeps generated codes apart from any other source of
    # test codes; the other eight characters count k in base 31.
    body = ""
    for _ in range(8):
        k, r = divmod(k, 31)
        body = USCC_ALPHABET[r] + body
    first17 = f"91{region}G{body}"
    return first17 + uscc_check_character(first17)


def _resident_id(k: int, region: str) -> str:
    # A distinct (birth date, sequence) pair for every k keeps the numbers unique.
    born = datetime.date(1955, 1, 1) + datetime.timedelta(days=(k // 1000) * 7)
    first17 = f"{region}{born:%Y%m%d}{k % 1000:03d}"
    return first17 + resident_id_check_character(first17)


def _amount(ctx: Context, low: int, high: int) -> Decimal:
    # Log-uniform: many small loans, a few large ones, as in a real book.
    value = low * (high / low) ** ctx.rng.random()
    return Decimal(round(value, -3)).quantize(Decimal("0.01"))


def _days_past_due(ctx: Context) -> int:
    roll = ctx.rng.random()
    if roll < 0.92:
        return 0
    if roll < 0.97:
        return ctx.rng.randint(1, 90)
    if roll < 0.99:
        return ctx.rng.randint(91, 270)
    return ctx.rng.randint(271, 500)


def generate(ctx: Context) -> None:
    rng, today = ctx.rng, ctx.today
    industries = list(Industry.objects.values_list("id", flat=True)) or [None]
    groups = list(RiskGroup.objects.order_by("order").values_list("id", flat=True))
    group_weights = [70, 20, 10][:len(groups)] + [5] * max(0, len(groups) - 3)
    base = Customer.objects.count()
    customer_id = next_id(Customer)
    created_at = f"{today:%Y-%m-%d} 09:00:00+08"

    customers = []  # (id, team, officer, kind)
    rows = []
    officers = [(team, officer) for team in ctx.teams for officer in ctx.officers_by_team[team]]
    for i in range(ctx.customers):
        team, officer = officers[i % len(officers)]
        k = base + i
        address, region = ctx.address()
        corporate = rng.random() < 0.6
        if corporate:
            name = f"{address[:2]}{rng.choice(BRAND)}{rng.choice(BRAND)}{rng.choice(TRADE)}有限公司"
            rows.append((customer_id, "corporate", name, _uscc(k, region), address, address,
                         rng.choice(industries), _amount(ctx, 500_000, 50_000_000),
                         ctx.day_between(datetime.date(1995, 1, 1), datetime.date(2022, 1, 1)),
                         "", f"1{rng.randint(3000000000, 9999999999)}", "", officer, team,
                         rng.choices(groups, group_weights)[0], "active", created_at, 0))
        else:
            rows.append((customer_id, "individual", ctx.person_name(), _resident_id(k, region),
                         "", address, None, None, None, rng.choice(OCCUPATIONS),
                         f"1{rng.randint(3000000000, 9999999999)}", f"wx{k}", officer, team,
                         rng.choices(groups, group_weights)[0], "active", created_at, 0))
        customers.append((customer_id, team, officer, "corporate" if corporate else "individual"))
        customer_id += 1
    copy_rows(Customer, ["id", "kind", "name", "identifier", "registered_address", "address",
                         "industry_id", "registered_capital", "founded_on", "occupation", "phone",
                         "wechat", "officer_id", "team_id", "risk_group_id", "status",
                         "created_at", "version"], rows)
    reset_sequence(Customer)
    ctx.shared["customers"] = customers
    ctx.say(f"customers {len(customers)}")

    _persons(ctx, customers)
    loans = _loans(ctx, customers)
    _collateral(ctx, loans)
    _guarantees(ctx, customers, loans)
    # The figures' triggers are off with the history's for the COPY: one pass fills them.
    customer_figures_refresh(customer_ids=[row[0] for row in customers])


def _persons(ctx: Context, customers: list) -> None:
    rng = ctx.rng
    person_id, relation_id = next_id(Person), next_id(CustomerRelation)
    persons, relations = [], []
    controllers: list[int] = []
    for customer, _team, _officer, kind in customers:
        if kind != "corporate":
            continue
        # One controller in ten also controls another of our companies.
        if controllers and rng.random() < 0.1:
            controller = rng.choice(controllers)
        else:
            persons.append((person_id, ctx.person_name(), "", ""))
            controller = person_id
            controllers.append(person_id)
            person_id += 1
        relations.append((relation_id, customer, controller, "actual_controller", None))
        relations.append((relation_id + 1, customer, controller, "legal_representative", None))
        relation_id += 2
        stakes = [Decimal(s) for s in rng.choice((["100"], ["60", "40"], ["51", "30", "19"]))]
        relations.append((relation_id, customer, controller, "shareholder", stakes[0]))
        relation_id += 1
        for stake in stakes[1:]:
            persons.append((person_id, ctx.person_name(), "", ""))
            relations.append((relation_id, customer, person_id, "shareholder", stake))
            person_id += 1
            relation_id += 1
        persons.append((person_id, ctx.person_name(), "", ""))
        relations.append((relation_id, customer, person_id, "finance_head", None))
        person_id += 1
        relation_id += 1
    copy_rows(Person, ["id", "name", "id_number", "phone"], persons)
    copy_rows(CustomerRelation, ["id", "customer_id", "person_id", "role", "stake_pct"], relations)
    reset_sequence(Person)
    reset_sequence(CustomerRelation)
    ctx.say(f"related persons {len(persons)}, relations {len(relations)}")


def _loans(ctx: Context, customers: list) -> list:
    rng, today = ctx.rng, ctx.today
    # The floor table read once (a lookup per loan would be a query per loan).
    table = list(ClassificationFloor.objects.order_by("-days_past_due_over")
                 .values_list("days_past_due_over", "minimum"))

    def floors(dpd: int) -> str:
        return next((minimum for over, minimum in table if dpd > over), Classification.PASS)

    ranks = list(Classification.values)
    methods = list(RepaymentMethod.values)
    loan_id = next_id(Loan)
    loans, rows = [], []  # loans: (id, customer, kind, amount, disbursed_on)
    for customer, _team, _officer, kind in customers:
        for n in range(rng.choice((1, 2, 2, 3, 3, 4))):
            amount = _amount(ctx, 50_000, 2_000_000) if kind == "individual" else \
                _amount(ctx, 300_000, 30_000_000)
            disbursed = ctx.day_between(today - datetime.timedelta(days=1095),
                                        today - datetime.timedelta(days=5))
            matures = disbursed + datetime.timedelta(days=365 * rng.randint(1, 5))
            balance = (amount * Decimal(rng.uniform(0.2, 1.0))).quantize(Decimal("0.01"))
            dpd = _days_past_due(ctx)
            floor = floors(dpd)
            classification = floor if dpd else rng.choices(ranks[:2], [95, 5])[0]
            if ranks.index(classification) < ranks.index(floor):
                classification = floor
            types = [GuaranteeType.UNSECURED] if rng.random() < 0.2 else sorted(
                set(rng.sample([GuaranteeType.GUARANTEED, GuaranteeType.MORTGAGE,
                                GuaranteeType.PLEDGE], rng.randint(1, 2))))
            rows.append((loan_id, customer, f"GEN{ctx.run_tag}-{loan_id:08d}-{n}", amount,
                         balance, disbursed, matures, rng.choice(PURPOSES), rng.choice(methods),
                         rng.choice(SOURCES), list(types), dpd, classification, 0))
            loans.append((loan_id, customer, kind, amount, disbursed))
            loan_id += 1
    copy_rows(Loan, ["id", "customer_id", "contract_number", "amount", "balance",
                     "disbursed_on", "matures_on", "purpose", "repayment_method",
                     "repayment_source", "guarantee_types", "days_past_due", "classification",
                     "version"], rows)
    reset_sequence(Loan)
    ctx.shared["loans"] = loans
    ctx.say(f"loans {len(loans)}")
    return loans


def _collateral(ctx: Context, loans: list) -> None:
    rng, today = ctx.rng, ctx.today
    collateral_id, valuation_id = next_id(Collateral), next_id(CollateralValuation)
    items, links, valuations = [], [], []
    officer_of = {customer: officer for customer, _team, officer, _kind in ctx.shared["customers"]}
    for loan, customer, _kind, amount, disbursed in loans:
        if rng.random() >= 0.5:
            continue
        value = (amount * Decimal(rng.uniform(1.2, 2.5))).quantize(Decimal("0.01"))
        address, _region = ctx.address()
        items.append((collateral_id, customer, "real_estate", f"房产 {address[-12:]}", address,
                      Decimal(rng.randint(60, 3000)), f"不动产权第{collateral_id:07d}号", value,
                      disbursed, 0))
        links.append((collateral_id, loan))
        officer = officer_of[customer]
        valuations.append((valuation_id, collateral_id, disbursed, value, "appraisal", "",
                           officer))
        valuation_id += 1
        for _ in range(rng.randint(0, 2)):
            value = (value * Decimal(rng.uniform(0.85, 1.08))).quantize(Decimal("0.01"))
            valuations.append((valuation_id, collateral_id, ctx.day_between(disbursed, today),
                               value, "other", "", officer))
            valuation_id += 1
        collateral_id += 1
    copy_rows(Collateral, ["id", "customer_id", "kind", "description", "location", "area_m2",
                           "certificate_number", "appraised_value", "appraised_on", "version"],
              items)
    copy_rows(Collateral.loans.through, ["collateral_id", "loan_id"], links)
    copy_rows(CollateralValuation, ["id", "collateral_id", "valued_on", "value", "source",
                                    "note", "recorded_by_id"], valuations)
    reset_sequence(Collateral)
    reset_sequence(CollateralValuation)
    ctx.say(f"collateral {len(items)}, valuations {len(valuations)}")


def _guarantees(ctx: Context, customers: list, loans: list) -> None:
    """A quarter of loans guaranteed by another customer of the same small cluster; a tenth of
    those guaranteed back (互保). Clusters of two to eight customers of one team give circles of
    the sizes a branch meets; guarantees drawn across a whole team would join it into one."""
    rng = ctx.rng
    cluster_of: dict[int, list[int]] = {}
    by_team: dict[int, list[int]] = {}
    for customer, team, _officer, _kind in customers:
        by_team.setdefault(team, []).append(customer)
    for members in by_team.values():
        start = 0
        while start < len(members):
            size = rng.randint(2, 8)
            cluster = members[start:start + size]
            for customer in cluster:
                cluster_of[customer] = cluster
            start += size
    first_loan = {}
    for loan, customer, *_rest in loans:
        first_loan.setdefault(customer, loan)
    guarantee_id = next_id(Guarantee)
    rows = []
    for loan, customer, _kind, amount, _disbursed in loans:
        roll = rng.random()
        if roll >= 0.3:
            continue
        if roll < 0.05:
            rows.append((guarantee_id, loan, None, ctx.person_name(), amount))
            guarantee_id += 1
            continue
        guarantor = rng.choice(cluster_of[customer])
        if guarantor == customer:
            continue
        rows.append((guarantee_id, loan, guarantor, "", amount))
        guarantee_id += 1
        if rng.random() < 0.1:  # 互保: the guarantor's own loan guaranteed back
            rows.append((guarantee_id, first_loan[guarantor], customer, "", amount))
            guarantee_id += 1
    copy_rows(Guarantee, ["id", "loan_id", "guarantor_customer_id", "guarantor_name", "amount"],
              rows)
    reset_sequence(Guarantee)
    ctx.say(f"guarantees {len(rows)}")
