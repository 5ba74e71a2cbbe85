"""The officer's calendar feed in iCalendar (RFC 5545): one all-day event per open task, on
the planned date if the officer set one, otherwise on the due date."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return [out[0]] + [" " + part for part in out[1:]]


def ics(*, user, tasks, site: str) -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    host = site.split("//")[-1].strip("/") or "loanwatch"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//LoanWatch//revisit plan//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_escape(_('LoanWatch revisit plan'))}"]
    for task in tasks:
        day = task.planned_on or task.due_on
        summary = _("Visit %(customer)s (%(reason)s)") % {
            "customer": task.customer.name, "reason": task.get_reason_display()}
        description = _("Due %(date)s.") % {"date": task.due_on.isoformat()}
        if task.note:
            description += " " + task.note
        lines += ["BEGIN:VEVENT", f"UID:revisit-task-{task.pk}@{host}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{_escape(summary)}", f"DESCRIPTION:{_escape(description)}"]
        if task.customer.address:
            lines.append(f"LOCATION:{_escape(task.customer.address)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))
