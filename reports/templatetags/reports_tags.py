from __future__ import annotations

from django import template

from reports import selectors

register = template.Library()


@register.inclusion_tag("reports/_follow_ups.html", takes_context=True)
def follow_ups_card(context) -> dict:
    """The officer's open follow-up items from approved reports (one query)."""
    request = context["request"]
    return {"items": list(selectors.follow_ups_open(user=request.user)[:20]),
            "request": request, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("reports/_queue_card.html", takes_context=True)
def approval_card(context) -> dict:
    """How many reports await the supervisor's or admin's decision, and the oldest (one
    query)."""
    from django.db.models import Count, Min

    figures = selectors.approval_queue(user=context["request"].user).order_by().aggregate(
        waiting=Count("pk"), oldest=Min("submitted_at"))
    return figures
