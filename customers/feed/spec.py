"""The loan-status feed's file format: one row per loan, as the core banking system exports it.

The columns, their English and Chinese headers and how each cell is parsed; the file kinds are
the importer skeleton's (CSV in UTF-8 or GB18030, xlsx, JSON lines).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from customers.models import Classification, LoanStatus
from loanwatch.core import importing
from loanwatch.core.importing import Column

# A night's file holds every loan of the bank; the skeleton's 5,000 rows suit a hand-made sheet.
MAX_ROWS = 1_000_000

FEED_SPEC = importing.Spec(columns=(
    Column("contract_number", "合同编号", "contract number", True, aliases=("合同号", "借据号")),
    Column("as_of", "数据日期", "as of", True, parse=importing.day, aliases=("as of date",)),
    Column("balance", "贷款余额", "balance", True, parse=importing.decimal_number),
    Column("principal_overdue", "逾期本金", "principal overdue",
           parse=importing.decimal_number),
    Column("interest_overdue", "逾期利息", "interest overdue", parse=importing.decimal_number),
    Column("days_past_due", "逾期天数", "days past due", True, parse=importing.whole_number,
           aliases=("DPD",)),
    Column("next_due_on", "下次还款日", "next due on", parse=importing.day),
    Column("matures_on", "到期日", "matures on", parse=importing.day),
    Column("status", "贷款状态", "status", True,
           parse=importing.Choice(LoanStatus.choices,
                                  words={"正常": "active", "结清": "settled", "已结清": "settled",
                                         "核销": "written_off", "已核销": "written_off"},
                                  message=_("Write active, settled or written_off."))),
    Column("classification", "五级分类", "classification",
           parse=importing.Choice(Classification.choices,
                                  message=_("Write one of the five classifications."))),
), max_rows=MAX_ROWS)

# The columns in the order of the staging table (customers/feed/services.py).
KEYS = tuple(c.key for c in FEED_SPEC.columns)
