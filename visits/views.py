from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import customer_get_for_user
from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required, signed_in_or_401
from loanwatch.accounts.roles import Role
from loanwatch.core.audit import history_for
from loanwatch.core.forms import form_apply_error
from loanwatch.core.offline import keep_offline
from loanwatch.core.redirects import safe_next
from loanwatch.formats.amounts import YUAN, money

from . import briefing, forms, photos, rules, selectors, services
from .models import (
    GUIDANCE_KINDS,
    EvidenceFile,
    GuidanceProposal,
    Question,
    QuestionGuidance,
    Visit,
)

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


# --- Logging a visit --------------------------------------------------------------------------

@role_required(Role.OFFICER)
def visit_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = forms.VisitStartForm(request.POST or None, customer=customer,
                                initial={"visited_on": timezone.localdate(),
                                         "method": Visit.Method.ON_SITE})
    if request.method == "POST" and form.is_valid():
        visit = services.visit_create(customer=customer, acting_user=request.user,
                                      **form.cleaned_data)
        return redirect("visits:visit_edit", pk=visit.pk)
    return render(request, "visits/visit_start.html", {
        "form": form, "customer": customer,
        "drafts": selectors.drafts_for_user(user=request.user).filter(customer=customer),
        "preference": selectors.contact_preference(customer=customer)})


@role_required(Role.OFFICER)
def contact_log(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A quick contact on one phone screen: how, who, what was learned, a photo, and a signal
    if it calls for one. Saved and locked at once; the confirmation says whether it counts as
    the customer's revisit."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    if customer.officer_id != request.user.pk:
        raise Http404
    form = forms.QuickContactForm(request.POST or None, request.FILES or None, initial={
        "contacted_on": timezone.localdate(), "method": Visit.Method.PHONE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.pop("photo")
        try:
            with transaction.atomic():
                visit, _signal = services.contact_log(customer=customer,
                                                      acting_user=request.user, photo=photo,
                                                      **data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Contact saved and locked."))
            _tell_schedule(request, visit)
            return redirect("visits:visit_detail", pk=visit.pk)
    return render(request, "visits/contact_form.html", {
        "form": form, "customer": customer,
        "preference": selectors.contact_preference(customer=customer)},
        status=400 if request.method == "POST" else 200)


def _collateral_forms(request: HttpRequest, visit: Visit, items: list) -> list:
    checks = {c.collateral_id: c for c in visit.collateral_checks.all()}
    rows = []
    for item in items:
        form = forms.CollateralCheckForm(request.POST or None, prefix=f"col-{item.pk}",
                                         instance=checks.get(item.pk))
        rows.append((item, form))
    return rows


def _sections(form, visit: Visit, previous: Visit | None, guidance: dict, kind: str) -> list:
    # Without a previous visit there is nothing to set beside the answers.
    changes = {c.name: c for c in rules.comparison(visit, previous)} if previous else {}
    titles = forms.section_titles(kind=kind)
    sections = []
    for number, names in forms.QUESTION_FIELDS.items():
        rows = [(form[name], changes.get(name), forms.FOLLOW_UPS.get(name))
                for name in names if name in form.fields]
        sections.append({"number": number, "title": titles[number], "rows": rows,
                         "guidance": guidance.get(number),
                         "has_errors": any(row[0].errors for row in rows)})
    return sections


@role_required(Role.OFFICER)
@keep_offline
def visit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The visit form. "Save draft" keeps whatever is typed; "Submit" saves the draft first, so
    a refused submission loses nothing, then validates everything and locks the visit."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk, for_form=True)
    if visit.officer_id != request.user.pk:
        raise Http404
    if visit.status != Visit.Status.DRAFT:
        return redirect("visits:visit_detail", pk=visit.pk)
    customer = visit.customer
    previous = selectors.previous_visit(visit=visit)
    form, interviews, collateral_rows, extra = _bound_forms(request, visit, previous)
    if request.method == "POST":
        valid = (form.is_valid() and interviews.is_valid()
                 and all(f.is_valid() for _item, f in collateral_rows)
                 and extra.is_valid())
        if not valid:
            messages.error(request, _("Nothing was saved: correct the marked answers."))
        else:
            try:
                saved = _save(request, visit, form, interviews, collateral_rows, extra)
            except ValidationError as error:
                form_apply_error(form, extra.apply_error(error))
                saved = False
            # The page may be shown again: its hidden version must be the one just saved.
            form.data = form.data.copy()
            form.data["version"] = str(visit.version)
            if saved and request.POST.get("action") == "submit":
                try:
                    signals = services.visit_submit(visit=visit, acting_user=request.user)
                except ValidationError as error:
                    form_apply_error(form, extra.apply_error(error))
                    messages.warning(request, _("The draft is saved, but the visit cannot be "
                                                "submitted yet: see the marked answers."))
                else:
                    messages.success(request, _("Visit submitted and locked; %(n)d risk "
                                                "signals raised.") % {"n": len(signals)})
                    _tell_schedule(request, visit)
                    return redirect("visits:visit_detail", pk=visit.pk)
            elif saved:
                messages.success(request, _("Draft saved."))
                return redirect("visits:visit_edit", pk=visit.pk)
    sections = _sections(form, visit, previous,
                         selectors.guidance_by_question(kind=customer.kind), customer.kind)
    if any(f.errors for _loan, f in extra.loan_uses):
        sections[5]["has_errors"] = True  # point 6 holds the per-loan answers
    return render(request, "visits/visit_form.html", {
        "visit": visit, "customer": customer, "form": form, "interviews": interviews,
        "interview_errors": any(f.errors for f in interviews) or bool(
            interviews.non_form_errors()),
        "collateral_rows": collateral_rows,
        "previous": previous,
        "sections": sections,
        "briefing": extra.briefing, "loan_uses": extra.loan_uses,
        "briefing_errors": extra.has_errors,
        "derived": _derived(visit),
        "preference": selectors.contact_preference(customer=customer),
        "proposal_form": forms.ProposalForm(initial={"customer_kind": customer.kind}),
        # Read after the save above, which may have added files.
        "evidence": list(EvidenceFile.objects.filter(visit=visit)),
    }, status=400 if request.method == "POST" else 200)


def _tell_schedule(request: HttpRequest, visit: Visit) -> None:
    """Say plainly what the visit or contact did to the schedule; a warning when it does not
    count as the revisit."""
    for counts, note in services.schedule_note(visit=visit):
        (messages.info if counts else messages.warning)(request, note)


class ExtraForms:
    """The briefing's answers and the per-loan use of funds, each row a small form."""

    def __init__(self, post, visit: Visit, previous: Visit | None) -> None:
        items = briefing.briefing_items(customer=visit.customer, previous=previous)
        stored = {(a.source, a.source_id): a for a in visit.briefing_answers.all()}
        self.briefing = []
        for item in items:
            answer = stored.get((item.source, item.source_id))
            initial = ({"answer": answer.answer, "not_applicable": answer.not_applicable,
                        "reason": answer.reason} if answer else None)
            self.briefing.append((item, forms.BriefingAnswerForm(
                post, prefix=f"bf-{item.key}", initial=initial)))
        loans = briefing.loans_awaiting_first_check(
            customer=visit.customer, on=visit.visited_on, exclude_visit_ids=[visit.pk,
                                                                             visit.amends_id])
        uses = {u.loan_id: u for u in visit.loan_uses.all()}
        self.loan_uses = []
        for loan in loans:
            use = uses.get(loan.pk)
            self.loan_uses.append((loan, forms.LoanUseForm(
                post, prefix=f"lu-{loan.pk}",
                initial={"use": use.use, "note": use.note} if use else None)))

    def is_valid(self) -> bool:
        return all([f.is_valid() for _item, f in self.briefing]
                   + [f.is_valid() for _loan, f in self.loan_uses])

    def rows(self) -> tuple[list, list]:
        answers = [{"source": item.source, "source_id": item.source_id, "title": item.title,
                    **f.cleaned_data} for item, f in self.briefing]
        uses = [{"loan_id": loan.pk, **f.cleaned_data} for loan, f in self.loan_uses]
        return answers, uses

    def apply_error(self, error: ValidationError) -> ValidationError:
        """Put a service's messages about briefing items and loans on their rows; what is
        left goes back for the visit form."""
        if not hasattr(error, "error_dict"):
            return error
        by_key: dict[str, forms.forms.Form] = {item.error_key: f for item, f in self.briefing}
        by_key |= {f"loan_use:{loan.pk}": f for loan, f in self.loan_uses}
        rest = {}
        for key, messages_ in error.message_dict.items():
            row = by_key.get(key)
            if row is None:
                rest[key] = messages_
            elif key.startswith("loan_use:"):
                row.add_error("use", messages_)
            else:
                row.add_error("answer", messages_)
        return ValidationError(rest) if rest else ValidationError({})

    @property
    def has_errors(self) -> bool:
        return any(f.errors for _item, f in self.briefing + self.loan_uses)


def _bound_forms(request: AuthenticatedHttpRequest, visit: Visit,
                 previous: Visit | None) -> tuple:
    """The visit form, its interview rows, its collateral rows, and its briefing and per-loan
    rows, bound to the posted data when there is any: the form page and its autosave read the
    same fields."""
    post = request.POST if request.method == "POST" else None
    form = forms.VisitForm(post, request.FILES or None, instance=visit, customer=visit.customer,
                           officer=request.user)
    # Posted rows are compared with nothing: a person the autosave (or a queued send) saved
    # after the page was drawn is posted as a new row, and must not count as unchanged.
    initial = [{"role": i.role, "name": i.name, "statement": i.statement, "topics": i.topics}
               for i in visit.interviews.all()] if post is None else None
    interviews = forms.InterviewFormSet(post, initial=initial, prefix="iv")
    items = selectors.customer_collateral(customer=visit.customer)
    return (form, interviews, _collateral_forms(request, visit, items),
            ExtraForms(post, visit, previous))


def _answers(form, interviews, collateral_rows) -> tuple[list, list]:
    rows = [f.cleaned_data for f in interviews.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    collateral = [{"collateral_id": item.pk, **f.cleaned_data} for item, f in collateral_rows]
    return rows, collateral


def _save_answers(request: AuthenticatedHttpRequest, visit: Visit, form, interviews,
                  collateral_rows, extra: ExtraForms) -> None:
    rows, collateral = _answers(form, interviews, collateral_rows)
    answers, uses = extra.rows()
    services.visit_save(visit=visit, acting_user=request.user, data=form.checklist_data(),
                        interviews=rows, collateral=collateral,
                        expected_version=form.cleaned_data.get("version"),
                        briefing_answers=answers, loan_uses=uses)


def _save(request: AuthenticatedHttpRequest, visit: Visit, form, interviews,
          collateral_rows, extra: ExtraForms) -> bool:
    """Save the draft and any attached files; False (with errors on the form) when a file is
    refused — the rest of the draft is saved all the same."""
    _save_answers(request, visit, form, interviews, collateral_rows, extra)
    files = form.cleaned_data.get("evidence_files") or []
    kind = form.cleaned_data.get("evidence_kind") or "other"
    position, position_at = form.photo_position()
    ok = True
    for upload in files:
        try:
            with transaction.atomic():
                services.evidence_add(visit=visit, acting_user=request.user, upload=upload,
                                      kind=kind, position=position, position_at=position_at)
        except ValidationError as error:
            form.add_error("evidence_files", error.messages)
            ok = False
    if not ok:
        messages.warning(request, _("The draft is saved; some files were refused."))
    return ok


@signed_in_or_401
@role_required(Role.OFFICER)
@require_POST
def visit_autosave(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The visit form saving its draft as the officer types: the same save as "Save draft"
    (never a submission, files go with the form's own save), answered in JSON for the page's
    script — the new version, or why not: a conflict names who saved in between."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk, for_form=True)
    if visit.officer_id != request.user.pk:
        raise Http404
    if visit.status != Visit.Status.DRAFT:
        return JsonResponse({"error": "locked", "message": _(
            "This visit is submitted and locked; correct it with an amendment.")}, status=409)
    form, interviews, collateral_rows, extra = _bound_forms(
        request, visit, selectors.previous_visit(visit=visit))
    if not (form.is_valid() and interviews.is_valid()
            and all(f.is_valid() for _item, f in collateral_rows) and extra.is_valid()):
        return _autosave_refused(form, interviews, collateral_rows, extra)
    try:
        _save_answers(request, visit, form, interviews, collateral_rows, extra)
    except ValidationError as error:
        if getattr(error, "code", None) == "conflict":
            rows, collateral = _answers(form, interviews, collateral_rows)
            if selectors.draft_holds(visit_id=visit.pk, data=form.checklist_data(),
                                     interviews=rows, collateral=collateral):
                saved = Visit.objects.only("version").get(pk=visit.pk)
                return JsonResponse({"version": saved.version,
                                     "saved_at": timezone.now().isoformat()})
            return _autosave_conflict(visit)
        form_apply_error(form, error)
        return _autosave_refused(form, interviews, collateral_rows)
    return JsonResponse({"version": visit.version, "saved_at": timezone.now().isoformat()})


SUBMIT_KEY = re.compile(r"^[0-9a-f]{32}$")


@signed_in_or_401
@role_required(Role.OFFICER)
@require_POST
def visit_send(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """A submission the phone queued while offline (visits/static/visits/queue.js), sent with
    its files and its own key once the network is back: stored once however often it is sent,
    answered in JSON — submitted, already submitted, or why not (a conflict names who changed
    the visit meanwhile; nothing is stored then and the device keeps the answers)."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk, for_form=True)
    if visit.officer_id != request.user.pk:
        raise Http404
    key = request.POST.get("submit_key", "")
    if not SUBMIT_KEY.match(key):
        return JsonResponse({"error": "invalid", "fields": {"submit_key": {
            "label": "", "messages": [_("This submission has no valid key.")]}}}, status=400)
    done = {"url": reverse("visits:visit_detail", kwargs={"pk": visit.pk})}
    if visit.status != Visit.Status.DRAFT:
        if visit.submit_key == key:
            return JsonResponse({"status": "already", **done})
        return JsonResponse({"error": "locked", "message": _(
            "This visit is submitted and locked; correct it with an amendment.")}, status=409)
    form, interviews, collateral_rows, extra = _bound_forms(
        request, visit, selectors.previous_visit(visit=visit))
    if not (form.is_valid() and interviews.is_valid()
            and all(f.is_valid() for _item, f in collateral_rows) and extra.is_valid()):
        return _autosave_refused(form, interviews, collateral_rows, extra)
    rows, collateral = _answers(form, interviews, collateral_rows)
    answers, uses = extra.rows()
    position, position_at = form.photo_position()

    def send(expected_version: int | None) -> tuple[Visit, bool]:
        return services.visit_send(
            visit=visit, acting_user=request.user, key=key, data=form.checklist_data(),
            interviews=rows, collateral=collateral, expected_version=expected_version,
            briefing_answers=answers, loan_uses=uses,
            files=form.cleaned_data.get("evidence_files") or [],
            kind=form.cleaned_data.get("evidence_kind") or "other",
            position=position, position_at=position_at)

    try:
        try:
            _sent, already = send(form.cleaned_data.get("version"))
        except ValidationError as error:
            # Changed since the page was drawn, but by this device's own autosave: the server
            # holds these very answers, so nothing of anyone's is overwritten.
            if getattr(error, "code", None) != "conflict" or not selectors.draft_holds(
                    visit_id=visit.pk, data=form.checklist_data(), interviews=rows,
                    collateral=collateral):
                raise
            _sent, already = send(None)
    except ValidationError as error:
        current = Visit.objects.only("status", "submit_key").get(pk=visit.pk)
        if current.status == Visit.Status.SUBMITTED and current.submit_key == key:
            return JsonResponse({"status": "already", **done})
        if getattr(error, "code", None) == "conflict":
            return _autosave_conflict(visit)
        if getattr(error, "code", None) == "locked":
            return JsonResponse({"error": "locked", "message": " ".join(error.messages)},
                                status=409)
        form_apply_error(form, extra.apply_error(error))
        return _autosave_refused(form, interviews, collateral_rows, extra)
    return JsonResponse({"status": "already" if already else "submitted", **done})


def _autosave_refused(form, interviews, collateral_rows,
                      extra: ExtraForms | None = None) -> JsonResponse:
    """Which answers keep the draft from being saved, by field name and label."""
    fields: dict[str, dict] = {}
    bound = [form, *interviews.forms, *(f for _item, f in collateral_rows)]
    if extra is not None:
        bound += [f for _item, f in extra.briefing] + [f for _loan, f in extra.loan_uses]
    for each in bound:
        for name, errors in each.errors.items():
            label = each.fields[name].label if name in each.fields else ""
            fields[each.add_prefix(name) if name != "__all__" else name] = {
                "label": str(label or ""), "messages": [str(m) for m in errors]}
    for message in interviews.non_form_errors():
        fields.setdefault("iv", {"label": "", "messages": []})["messages"].append(str(message))
    return JsonResponse({"error": "invalid", "fields": fields}, status=400)


def _autosave_conflict(visit: Visit) -> JsonResponse:
    current = Visit.objects.get(pk=visit.pk)
    entries = history_for(obj=current, limit=5)
    last = entries[0] if entries else None
    actor = last.actor if last is not None else None
    return JsonResponse({
        "error": "conflict", "version": current.version,
        "changed_by": (actor.get_full_name() or actor.username) if actor else "",
        "changed_at": last.at.isoformat() if last is not None else "",
    }, status=409)


def _derived(visit: Visit) -> list[tuple[str, Decimal | None, str]]:
    return [(_("debt ratio"), rules.debt_ratio(visit), "%"),
            (_("annualised revenue, linear (CNY)"), rules.annualised_revenue(visit), ""),
            (_("receivable days"), rules.receivable_days(visit), "")]


def _revenue_note(visit: Visit) -> tuple[str, str]:
    """What this year's revenue was compared with, in a sentence, and the basis's code ("" when
    there was no revenue to compare). The visit about a year earlier is looked up only when
    the visit did not answer last year's revenue to the same date."""
    if visit.is_contact or visit.revenue_ytd is None:
        return "", ""
    year_ago = (selectors.year_ago_visit(visit=visit)
                if visit.revenue_same_period_last_year is None else None)
    baseline = rules.revenue_baseline(visit, year_ago)
    if baseline is None:
        return "", ""
    if baseline.basis == rules.SAME_PERIOD:
        text = _("Revenue to date was compared with last year's revenue to the same date "
                 "(%(amount)s CNY).") % {"amount": money(baseline.before, YUAN)}
    elif baseline.basis == rules.YEAR_AGO_VISIT and baseline.year_ago is not None:
        text = _("Revenue to date was compared with the visit of %(date)s, a year earlier "
                 "(%(amount)s CNY, scaled to the same number of days).") % {
            "date": date_format(baseline.year_ago.visited_on, "SHORT_DATE_FORMAT"),
            "amount": money(baseline.before, YUAN)}
    elif baseline.basis == rules.SEASONAL_NO_BASELINE:
        text = _("A seasonal business: no revenue for the same season last year was "
                 "available, so revenue was not compared and raises no signal. Ask for last "
                 "year's revenue to this date at the next visit.")
    else:
        text = _("Revenue to date was annualised linearly and compared with last year's "
                 "revenue.")
    return text, baseline.basis


@role_required(*ALL_ROLES)
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(user=request.user, pk=pk, full=True)
    previous = selectors.previous_visit(visit=visit)
    titles = forms.section_titles(kind=visit.customer.kind)
    fields = set(services.checklist_fields(kind=visit.customer.kind))
    answers = []
    for number, names in forms.QUESTION_FIELDS.items():
        rows = []
        for name in names:
            if name not in fields:
                continue
            field = Visit._meta.get_field(name)
            value = getattr(visit, name)
            if name == "peak_months":
                value = ", ".join(str(MONTHS[m]) for m in value if m in MONTHS)
            elif field.choices and value:
                value = getattr(visit, f"get_{name}_display")()
            elif value is True:
                value = _("yes")
            elif value is False:
                value = _("no")
            rows.append((field.verbose_name, value))
        sources = [i for i in visit.interviews.all() if number in i.topics]
        answers.append((number, titles[number], rows, sources))
    files = list(visit.evidence.all())
    # The customer's place is looked up only for a visit with a photo to measure against it.
    place = photos.customer_place(customer=visit.customer, before=visit) if any(
        f.latitude is not None for f in files) else None
    return render(request, "visits/visit_detail.html", {
        "place": place, "far_km": settings.PHOTO_FAR_KM,
        "photo_rows": photos.photo_rows(visit=visit, files=files, place=place),
        "visit": visit, "customer": visit.customer, "previous": previous,
        "changes": rules.comparison(visit, previous, fields | {"annualised_revenue",
                                                               "receivable_days",
                                                               "debt_ratio"}),
        "answers": answers, "derived": _derived(visit),
        "revenue_note": _revenue_note(visit),
        "briefing_answers": list(visit.briefing_answers.all()),
        "loan_uses": list(visit.loan_uses.select_related("loan")),
        "signals": selectors.visit_signals(visit=visit),
        "can_amend": visit.is_locked and not visit.is_contact
        and request.user.pk in (visit.officer_id,
                                                             visit.customer.officer_id)
        and request.user.role == Role.OFFICER,
        "can_edit": not visit.is_locked and request.user.pk == visit.officer_id,
        "history": history_for(obj=visit, limit=50, known=(
            visit.customer, visit.officer, visit.companion, visit.submitted_by, visit.task,
            visit.amends, request.user)),
    })


@role_required(Role.OFFICER)
@require_POST
def visit_amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    try:
        amendment = services.visit_amend(visit=visit, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:visit_detail", pk=visit.pk)
    messages.info(request, _("Correct the copy and submit it; the original visit stays as it "
                             "was."))
    return redirect("visits:visit_edit", pk=amendment.pk)


@role_required(*ALL_ROLES)
def customer_visits(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    visits = list(selectors.customer_visits_for_user(user=request.user, customer=customer))
    counts = selectors.visit_signal_counts(visit_ids=[v.pk for v in visits])
    for visit in visits:
        visit.signal_count = counts.get(visit.pk, 0)
    return render(request, "visits/customer_visits.html", {
        "customer": customer, "visits": visits,
        "preference": selectors.contact_preference(customer=customer),
        "can_log": request.user.pk == customer.officer_id})


@role_required(Role.OFFICER)
@keep_offline
def draft_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "visits/draft_list.html",
                  {"drafts": selectors.drafts_for_user(user=request.user)})


# --- Evidence -----------------------------------------------------------------------------------

@role_required(*ALL_ROLES)
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    # ?preview=1: the JPEG copy of a photo browsers cannot show (HEIC), shown in the page.
    preview = request.GET.get("preview") == "1" and bool(evidence.preview)
    stored = evidence.preview if preview else evidence.file
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if preview:
        name = evidence.original_name.rsplit(".", 1)[0] + ".jpg"
        response = FileResponse(handle, filename=name, content_type="image/jpeg")
    else:
        response = FileResponse(handle, as_attachment=True, filename=evidence.original_name,
                                content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.OFFICER)
@require_POST
def evidence_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get_for_user(user=request.user, pk=pk)
    if evidence.visit.officer_id != request.user.pk:
        raise Http404
    try:
        services.evidence_remove(evidence=evidence, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:visit_detail", pk=evidence.visit_id)
    messages.success(request, _("File removed."))
    return redirect("visits:visit_edit", pk=evidence.visit_id)


# --- Contact preferences ------------------------------------------------------------------------

@role_required(*ALL_ROLES)
def contact_preference_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = customer_get_for_user(user=request.user, pk=pk)
    form = forms.ContactPreferenceForm(request.POST or None,
                                       instance=selectors.contact_preference(customer=customer))
    if request.method == "POST" and form.is_valid():
        services.contact_preference_save(customer=customer, acting_user=request.user,
                                         data=form.cleaned_data)
        messages.success(request, _("Contact preferences saved."))
        return redirect("visits:customer_visits", pk=customer.pk)
    return render(request, "visits/simple_form.html", {
        "form": form, "customer": customer, "title": _("Contact preferences")})


# --- Administration: thresholds and guidance ---------------------------------------------------

@role_required(Role.ADMIN)
def threshold_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = rules.thresholds()
    rows = []
    for rule in rules.RULES:
        threshold, enabled = current[rule.code]
        form = forms.ThresholdForm(request.POST or None, prefix=rule.code,
                                   initial={"threshold": threshold, "enabled": enabled})
        rows.append((rule, form))
    if request.method == "POST" and all(f.is_valid() for _rule, f in rows):
        services.thresholds_save(acting_user=request.user, values={
            rule.code: (f.cleaned_data["threshold"], f.cleaned_data["enabled"])
            for rule, f in rows})
        messages.success(request, _("Signal thresholds saved."))
        return redirect("visits:threshold_list")
    return render(request, "visits/threshold_list.html", {"rows": rows})


def _guidance_kind(request: HttpRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in dict(GUIDANCE_KINDS) else "corporate"


@role_required(Role.ADMIN)
def guidance_list(request: HttpRequest) -> HttpResponse:
    kinds = []
    for kind, kind_label in GUIDANCE_KINDS:
        guidance = selectors.guidance_by_question(kind=kind)
        titles = forms.section_titles(kind=kind)
        kinds.append((kind, kind_label, [(number, titles[number], guidance.get(number))
                                         for number in Question.values]))
    return render(request, "visits/guidance_list.html", {
        "kinds": kinds, "proposals": selectors.pending_proposals()})


@role_required(Role.ADMIN)
def guidance_edit(request: AuthenticatedHttpRequest, question: int) -> HttpResponse:
    if question not in Question.values:
        raise Http404
    kind = _guidance_kind(request)
    instance = QuestionGuidance.objects.filter(question=question, customer_kind=kind).first()
    form = forms.GuidanceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.guidance_save(acting_user=request.user, question=question,
                               data=form.cleaned_data, kind=kind)
        messages.success(request, _("Guidance saved."))
        return redirect("visits:guidance_list")
    return render(request, "visits/simple_form.html", {
        "form": form, "title": f"{forms.section_titles(kind=kind)[question]} · "
                               f"{dict(GUIDANCE_KINDS)[kind]}",
        "history": history_for(obj=instance, limit=50) if instance else []})


@role_required(Role.OFFICER, Role.SUPERVISOR)
@require_POST
def proposal_create(request: AuthenticatedHttpRequest, question: int) -> HttpResponse:
    if question not in Question.values:
        raise Http404
    form = forms.ProposalForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_create(acting_user=request.user, question=question,
                                     **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: an administrator will review your "
                                        "proposal."))
    else:
        messages.error(request, _("Write the guidance you propose and choose its language."))
    return redirect(safe_next(request, candidate=request.POST.get("next"),
                              fallback="visits:draft_list"))


@role_required(Role.ADMIN)
@require_POST
def proposal_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = GuidanceProposal.objects.filter(pk=pk).first()  # admins see every proposal
    if proposal is None:
        raise Http404
    try:
        services.proposal_decide(proposal=proposal, acting_user=request.user,
                                 accept=request.POST.get("decision") == "accept")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Proposal decided."))
    return redirect("visits:guidance_list")
