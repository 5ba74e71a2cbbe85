"""The home pages' revisit card: what is due this week and what is overdue, in one query."""

from __future__ import annotations

import datetime

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from ..models import RevisitTask
from ..selectors import task_scope

register = template.Library()


@register.inclusion_tag("schedule/_home_card.html", takes_context=True)
def revisit_card(context) -> dict:
    user = context["request"].user
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    # Bounded by the week's end so that the open tasks due later are never read; counting the
    # due date (never empty) rather than the key lets the bank-wide count read the partial
    # index alone.
    figures = task_scope(user=user).filter(status=RevisitTask.Status.OPEN,
                                           due_on__lt=week_end).aggregate(
        overdue=Count("due_on", filter=Q(due_on__lt=today)),
        this_week=Count("due_on", filter=Q(due_on__gte=today)))
    return {"figures": figures}
