"""The book's charts (contributed in hooks.py): customers and
balance by risk group and by classification, and the classification migration between two
dates read from the loans' audit trail."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from loanwatch.core.charts import ChartData, Series, day_label

from .models import Classification, Loan, RiskGroup
from .selectors import customer_scope

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


# The five classifications in one fixed palette, from sound to lost, on every chart; each stands
# 3:1 against the white chart (WCAG 1.4.11).
CLASSIFICATION_COLOURS = {"pass": "#198754", "special_mention": "#AD8500",
                          "substandard": "#D96C00", "doubtful": "#DC3545", "loss": "#58151C"}


def by_risk_group(*, user: User, params) -> ChartData:
    groups = list(RiskGroup.objects.order_by("order"))
    scope = customer_scope(user=user)
    counts = dict(scope.values_list("risk_group").annotate(n=Count("pk")).order_by())
    balances = dict(Loan.objects.filter(customer__in=scope).values_list("customer__risk_group")
                    .annotate(total=Sum("balance")).order_by())
    return ChartData(labels=[str(g) for g in groups], series=[
        Series(label=_("customers"), values=[counts.get(g.pk, 0) for g in groups]),
        Series(label=_("outstanding balance"), money=True,
               values=[balances.get(g.pk) or 0 for g in groups]),
    ])


def by_classification(*, user: User, params) -> ChartData:
    loans = Loan.objects.filter(customer__in=customer_scope(user=user))
    figures = loans.aggregate(**{
        f"n_{c}": Count("pk", filter=Q(classification=c)) for c in Classification.values
    }, **{f"b_{c}": Sum("balance", filter=Q(classification=c)) for c in Classification.values})
    return ChartData(labels=[str(label) for label in Classification.labels],
                     label_colours=[CLASSIFICATION_COLOURS[c] for c in Classification.values],
                     series=[
        Series(label=_("loans"), values=[figures[f"n_{c}"] for c in Classification.values]),
        Series(label=_("outstanding balance"), money=True,
               values=[figures[f"b_{c}"] or 0 for c in Classification.values]),
    ])


# The classification of each loan at the end of a day is the last version of the loan the audit
# trail holds from before that moment.
MIGRATION_SQL = """
WITH scoped AS ({scope}),
at_start AS (
    SELECT DISTINCT ON (e.pgh_obj_id) e.pgh_obj_id AS loan_id, e.classification
    FROM customers_loanevent e JOIN scoped s ON s.id = e.pgh_obj_id
    WHERE e.pgh_created_at < %s
    ORDER BY e.pgh_obj_id, e.pgh_created_at DESC, e.pgh_id DESC
),
at_end AS (
    SELECT DISTINCT ON (e.pgh_obj_id) e.pgh_obj_id AS loan_id, e.classification
    FROM customers_loanevent e JOIN scoped s ON s.id = e.pgh_obj_id
    WHERE e.pgh_created_at < %s
    ORDER BY e.pgh_obj_id, e.pgh_created_at DESC, e.pgh_id DESC
)
SELECT a.classification, b.classification, COUNT(*)
FROM at_start a JOIN at_end b USING (loan_id)
GROUP BY 1, 2
"""


def _day_end(day: datetime.date | None,
             default: datetime.date) -> tuple[datetime.date, datetime.datetime]:
    day = day or default
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return day, timezone.make_aware(end)


def classification_migration(*, user: User, params) -> ChartData:
    today = timezone.localdate()
    start_day, start = _day_end(params.get("from"), today - datetime.timedelta(days=90))
    end_day, end = _day_end(params.get("to"), today)
    scope_sql, scope_params = (Loan.objects.filter(customer__in=customer_scope(user=user))
                               .values("id").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(MIGRATION_SQL.format(scope=scope_sql), [*scope_params, start, end])
        counts = {(a, b): n for a, b, n in cursor.fetchall()}
    classes = list(Classification.values)
    labels = [str(label) for label in Classification.labels]
    return ChartData(
        labels=labels,
        series=[Series(label=label, values=[counts.get((row, column), 0) for column in classes])
                for row, label in zip(classes, labels, strict=True)],
        note=_("Rows: classification on %(start)s; columns: on %(end)s. Loans counted were "
               "on the books on both days.") % {"start": day_label(start_day),
                                                "end": day_label(end_day)})
