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
    figures = task_scope(user=user).filter(status=RevisitTask.Status.OPEN).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        this_week=Count("pk", filter=Q(due_on__gte=today,
                                       due_on__lt=today + datetime.timedelta(days=7))))
    return {"figures": figures}
