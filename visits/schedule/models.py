"""Revisit tasks (回访任务) and, with them, the policy and runs that plan them."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


@pghistory.track()
class RevisitTask(models.Model):
    """One visit the bank expects an officer to make to a customer by a date.

    The planner keeps exactly one open periodic task per customer (enforced by the database);
    tasks for other reasons (a new loan's first check, a risk event, a record-check finding, a
    manual request) sit beside it. `source_key` names what raised a non-periodic task (for
    example "finding:42" or "event:7") so that raising it again finds the same task.
    """

    class Reason(models.TextChoices):
        PERIODIC = "periodic", _("periodic revisit")
        FIRST_CHECK = "first_check", _("first check after disbursement")
        RISK_EVENT = "risk_event", _("risk event")
        RECORD_FINDING = "record_finding", _("record-check finding")
        MANUAL = "manual", _("manual")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"),
                                 on_delete=models.CASCADE, related_name="revisit_tasks")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"),
                                on_delete=models.PROTECT, related_name="revisit_tasks")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source_key = models.CharField(_("raised by"), max_length=80, blank=True)
    due_on = models.DateField(_("due"))
    planned_on = models.DateField(_("planned for"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("revisit task")
        verbose_name_plural = _("revisit tasks")
        indexes = [models.Index(fields=["officer", "status", "due_on"]),
                   models.Index(fields=["customer", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["customer"],
                                    condition=Q(status="open", reason="periodic"),
                                    name="one_open_periodic_task_per_customer"),
            # A finding or event raises its task once, however often it is imported or retried.
            models.UniqueConstraint(fields=["customer", "source_key"],
                                    condition=~Q(source_key=""),
                                    name="task_once_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_reason_display()} · {self.due_on}"
