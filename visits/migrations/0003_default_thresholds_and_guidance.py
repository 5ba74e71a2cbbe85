"""Default signal thresholds (SPEC.md) and the first interview guidance (话术) for each point."""

from decimal import Decimal

from django.db import migrations

THRESHOLDS = {
    "address_changed": "0", "business_changed": "0", "headcount_down": "30",
    "income_down": "30", "revenue_down": "30", "margin_down": "10", "large_receivables": "50",
    "funds_diverted": "0", "high_debt_ratio": "70", "collateral_value_down": "10",
    "ltv_over_limit": "70", "repayment_pressure_high": "0", "overdue": "0",
    "copied_answers": "90", "reused_file": "0",
}

# (question, how to ask in Chinese, in English, whom in Chinese, in English)
GUIDANCE = [
    (1, "先聊聊近况：“最近生意怎么样？还在原来这个地方做吗？”顺着话题问主营有没有调整。",
     "Open with small talk: “How is business lately — still working from here?” and let the "
     "conversation turn to whether the main business has shifted.",
     "实际控制人、邻近商户", "actual controller, neighbouring businesses"),
    (2, "参观现场时自然地问：“现在有多少人在做？工资一般几号发？”留意在岗人数和员工状态。",
     "While walking the premises ask casually: “How many people work here now? When is payday?” "
     "and count who is actually at work.",
     "普通员工、财务负责人", "ordinary employees, finance head"),
    (3, "请财务负责人带看账户余额和往来明细：“最近回款顺不顺？大客户一般多久结账？”",
     "Ask the finance head to show balances and ledgers: “Are customers paying on time? How long "
     "do the big ones take to settle?”",
     "财务负责人", "finance head"),
    (4, "“现在主要从哪里进货？货都卖给谁？”可结合进出货单核对。",
     "“Who do you mainly buy from, and who buys from you?” — check against the delivery notes.",
     "实际控制人、财务负责人", "actual controller, finance head"),
    (5, "“今年和去年比怎么样？旺季是几月？”用纳税申报或流水印证。",
     "“How does this year compare with last? Which months are busy?” — confirm with tax returns "
     "or bank statements.",
     "实际控制人、财务负责人", "actual controller, finance head"),
    (6, "“上次的贷款主要用在哪些地方了？”请对方出示采购合同或付款凭证。",
     "“What did the loan mainly pay for?” — ask to see purchase contracts or payment slips.",
     "实际控制人、财务负责人", "actual controller, finance head"),
    (7, "“除了我们行，还在别的地方有借款或给别人担保吗？最近有没有新投资？”",
     "“Besides us, do you borrow elsewhere or guarantee anyone? Any new investments lately?”",
     "实际控制人", "actual controller"),
    (8, "实地查看抵押物的使用和维护情况，了解周边同类资产的成交价。",
     "See the collateral in use, note its upkeep, and ask about recent prices of similar assets "
     "nearby.",
     "实际控制人、邻近商户", "actual controller, neighbouring businesses"),
    (9, "“到期还款的钱从哪里来？资金上有没有压力？”",
     "“Where will the money for the next repayment come from? Is cash tight?”",
     "实际控制人、财务负责人", "actual controller, finance head"),
    (10, "最后问问“我们还能帮上什么忙？”，记录客户的需求和建议。",
     "Close with “Is there anything more we can do for you?” and note the needs and suggestions.",
     "借款人、实际控制人", "borrower, actual controller"),
]


def load(apps, schema_editor):
    SignalThreshold = apps.get_model("visits", "SignalThreshold")
    QuestionGuidance = apps.get_model("visits", "QuestionGuidance")
    for rule, value in THRESHOLDS.items():
        SignalThreshold.objects.get_or_create(rule=rule,
                                              defaults={"threshold": Decimal(value)})
    for question, how_zh, how_en, whom_zh, whom_en in GUIDANCE:
        QuestionGuidance.objects.get_or_create(question=question, defaults={
            "how_zh": how_zh, "how_en": how_en, "whom_zh": whom_zh, "whom_en": whom_en})


class Migration(migrations.Migration):
    dependencies = [("visits", "0002_checklist_evidence_guidance")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
