"""A risk report on paper: customer, visit, risk points, warning, measures, decision and the
signature lines, in the reader's language."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from loanwatch.core import pdf

from .models import ReportTransition, RiskReport


def _date(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return date_format(value, "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")


def _group_cells(report: RiskReport) -> list[object]:
    """The risk group an approval moved the customer from and to, as stored at approval."""
    if report.risk_group_after is not None:
        return [_("risk group at approval"),
                f"{report.risk_group_before or '—'} → {report.risk_group_after}"]
    return [_("proposed risk group"), report.proposed_risk_group or _("no change")]


def report_pdf(*, report: RiskReport) -> bytes:
    """`report` comes from selectors.report_get_for_user (everything preloaded)."""
    w = pdf.CONTENT_WIDTH
    customer, visit = report.customer, report.visit
    title = _("Release of the warning") if report.is_release else _("Risk report and warning")
    story = [pdf.para(title, "title"),
             pdf.para(_("No. %(pk)s · status: %(status)s") % {
                 "pk": report.pk, "status": report.get_status_display()}, "small"),
             pdf.spacer()]

    story.append(pdf.table([
        [_("customer"), customer.name, _("USCC or resident ID"), customer.identifier],
        [_("officer"), customer.officer, _("risk group"), customer.risk_group],
        [_("visit"), (_("%(date)s, %(method)s, by %(officer)s") % {
            "date": _date(visit.visited_on), "method": visit.get_method_display(),
            "officer": visit.officer} if visit else _("none: written without a visit")),
         _("author"), report.author],
    ], [w * 0.16, w * 0.34, w * 0.18, w * 0.32], header=False))

    story += [pdf.para(_("Risk points"), "heading")]
    points = list(report.points.select_related("signal"))
    story.append(pdf.table(
        [[_("category"), _("severity"), _("risk point")]]
        + [[p.get_category_display(), p.get_severity_display(), p.wording] for p in points]
        if points else [[_("No risk points.")]],
        [w * 0.2, w * 0.12, w * 0.68] if points else [w], header=bool(points)))

    story += [pdf.para(_("Assessment and warning"), "heading"),
              pdf.table([[_("warning level"), report.get_warning_level_display(),
                          *_group_cells(report)],
                         [_("overall assessment"), pdf.para(report.assessment or "—"), "", ""]],
                        [w * 0.18, w * 0.22, w * 0.2, w * 0.4], header=False)]
    classifications = list(report.classifications.all())
    if classifications and report.status == RiskReport.Status.APPROVED:
        # As they were at approval: the loans have moved on since.
        story += [pdf.para(_("Classifications at approval"), "heading"), pdf.table(
            [[_("loan"), _("before approval"), _("after approval")]]
            + [[c.loan.contract_number, c.get_classification_before_display() or "—",
                c.get_classification_display()] for c in classifications],
            [w * 0.4, w * 0.3, w * 0.3])]
    elif classifications:
        story += [pdf.para(_("Proposed classifications"), "heading"), pdf.table(
            [[_("loan"), _("classification now"), _("proposed classification")]]
            + [[c.loan.contract_number, c.loan.get_classification_display(),
                c.get_classification_display()] for c in classifications],
            [w * 0.4, w * 0.3, w * 0.3])]

    story += [pdf.para(_("Measures"), "heading")]
    measures = list(report.measures.all())
    story.append(pdf.table(
        [[_("measure"), _("due date"), _("note")]]
        + [[m.measure, _date(m.due_on), m.note] for m in measures]
        if measures else [[_("No measures proposed.")]],
        [w * 0.35, w * 0.2, w * 0.45] if measures else [w], header=bool(measures)))

    story += [pdf.para(_("Workflow"), "heading"), pdf.table(
        [[_("when"), _("action"), _("by"), _("comment")]]
        + [[_date(t.at), t.get_action_display(), t.by, t.comment]
           for t in report.transitions.all() if t.action != ReportTransition.Action.CREATED],
        [w * 0.2, w * 0.18, w * 0.2, w * 0.42])]

    on = _("Date")
    story += [pdf.spacer(8), pdf.table([
        [_("Officer (signature)"), _("Supervisor (signature)")],
        [f"{report.author}\n\n{on}: {_date(report.submitted_at)}",
         f"{report.decided_by or ''}\n\n{on}: {_date(report.decided_at)}"],
    ], [w / 2, w / 2])]
    story[-1].setStyle([("ROWBACKGROUNDS", (0, 1), (-1, 1), [None]),
                        ("BOTTOMPADDING", (0, 1), (-1, 1), 12 * mm)])
    title = _("Risk report %(pk)s") % {"pk": report.pk}
    return pdf.render(story, title=title, footer=f"{customer.name} · {title}")
