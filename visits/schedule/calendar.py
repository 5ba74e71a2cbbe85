"""The officer's calendar feed in iCalendar (RFC 5545): one all-day event per open task, on
the planned date if the officer set one, otherwise on the due date.

Written with the icalendar library, which escapes text (backslash, semicolon, comma and every
line break — a lone carriage return included, which would otherwise end the line and let a
customer's name or a task's note start properties of its own) and folds long lines.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


def ics(*, user: User, tasks, site: str) -> bytes:
    stamp = timezone.now()
    host = site.split("//")[-1].strip("/") or "loanwatch"
    feed = Calendar()
    feed.add("prodid", "-//LoanWatch//revisit plan//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", _("LoanWatch revisit plan"))
    for task in tasks:
        day = task.planned_on or task.due_on
        description = _("Due %(date)s.") % {"date": date_format(task.due_on, "SHORT_DATE_FORMAT")}
        if task.note_text:
            description += " " + task.note_text
        event = Event()
        event.add("uid", f"revisit-task-{task.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + datetime.timedelta(days=1))
        event.add("summary", _("Visit %(customer)s (%(reason)s)") % {
            "customer": task.customer.name, "reason": task.get_reason_display()})
        event.add("description", description)
        if task.customer.address:
            event.add("location", task.customer.address)
        feed.add_component(event)
    return feed.to_ical()
