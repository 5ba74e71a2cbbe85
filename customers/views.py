from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.audit import history_for
from loanwatch.core.forms import form_apply_error
from loanwatch.core.offline import keep_offline
from loanwatch.core.redirects import safe_next
from loanwatch.core.runs import run_progress

from . import diagram, export_jobs, exports, forms, imports, ledger, selectors, services, sheet
from .models import (
    Classification,
    ClassificationFloor,
    Customer,
    ExportJob,
    Industry,
    RiskGroup,
)

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
PAGE_SIZE = 50


def _filter_form(request: HttpRequest) -> forms.CustomerFilterForm:
    return forms.CustomerFilterForm(request.GET, sorts=selectors.SORTS)


def _list_filters(request: HttpRequest) -> dict:
    """The list's filters, for the exports: what the list shows, they write."""
    return _filter_form(request).filters()


@role_required(*ALL_ROLES)
def customer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filter_form = _filter_form(request)
    filters = filter_form.filters()
    page = selectors.customer_list_page(user=request.user, query=request.GET, size=PAGE_SIZE,
                                        **filters)
    officers = selectors.officer_choices_for_user(user=request.user)
    return render(request, "customers/customer_list.html", {
        "page": page, "filters": filters, "filter_form": filter_form,
        "query": request.GET.urlencode(),
        "kinds": Customer.Kind.choices, "classifications": Classification.choices,
        "warnings": forms.WARNING_FILTERS[1:],
        "industries": Industry.objects.all(), "risk_groups": RiskGroup.objects.all(),
        "officers": officers,
        "can_reassign": request.user.role in (Role.SUPERVISOR, Role.ADMIN),
        "sorts": [("name", _("name")), ("-balance", _("balance, largest first")),
                  ("-overdue", _("days past due, most first")),
                  ("-classification", _("classification, worst first")),
                  ("officer", _("officer"))],
    })


@role_required(*ALL_ROLES)
def customer_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """An officer's own book downloads at once; a team's or the bank's is written by a worker
    (the job's page shows it coming)."""
    if request.user.role != Role.OFFICER:
        return _export_start(request, ExportJob.Kind.CUSTOMERS)
    customers = selectors.customer_list_for_user(user=request.user, **_list_filters(request))
    return exports.customers_xlsx_response(customers=customers)


def _export_start(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    try:
        job = services.export_start(acting_user=request.user, kind=kind,
                                    filters=_list_filters(request),
                                    language=translation.get_language() or "")
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
        return redirect(reverse("customers:customer_list") + "?" + request.GET.urlencode())
    return redirect("customers:export_job", pk=job.pk)


@role_required(*ALL_ROLES)
def sheets_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Every listed customer's information sheet, one workbook each in a ZIP file, written by a
    worker whatever the scope (a dozen queries a customer)."""
    return _export_start(request, ExportJob.Kind.SHEETS)


@role_required(*ALL_ROLES)
def export_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An export's progress, then its download link; the page refreshes itself until done."""
    job = selectors.export_job_get_for_user(user=request.user, pk=pk)
    return render(request, "customers/export_job.html", {"job": job})


@role_required(*ALL_ROLES)
def export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = selectors.export_job_get_for_user(user=request.user, pk=pk)
    path = export_jobs.export_path(job)
    if job.status != ExportJob.Status.DONE or not job.file_name or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name,
                        content_type="application/zip" if job.kind == ExportJob.Kind.SHEETS
                        else exports.XLSX)


@role_required(*ALL_ROLES)
def ledger_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The portfolio ledger (贷后检查台账): one row per loan of the customers the list shows;
    at once for an officer's own book, through an export job for a team or the bank."""
    if request.user.role != Role.OFFICER:
        return _export_start(request, ExportJob.Kind.LEDGER)
    customers = selectors.customer_list_for_user(user=request.user, **_list_filters(request))
    return ledger.portfolio_xlsx_response(customers=customers)


@role_required(Role.SUPERVISOR, Role.ADMIN)
@require_POST
def customer_reassign(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.ReassignForm(request.POST, customers=selectors.customer_scope(user=request.user),
                              officers=services.officers_assignable_by(user=request.user))
    if form.is_valid():
        try:
            moved = services.customer_reassign(
                customer_ids=[c.pk for c in form.cleaned_data["customers"]],
                to_officer=form.cleaned_data["to_officer"], acting_user=request.user,
                note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(n)d customers reassigned.") % {"n": moved})
    else:
        messages.error(request, _("Choose at least one customer and the new officer."))
    return redirect(safe_next(request, candidate=request.POST.get("next"),
                              fallback="customers:customer_list"))


@role_required(*ALL_ROLES)
def customer_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.CustomerForm(request.POST or None,
                              officers=services.officers_assignable_by(user=request.user),
                              choose_officer=request.user.role != Role.OFFICER,
                              choose_risk_group=request.user.role == Role.ADMIN)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Customer created."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form})


@role_required(*ALL_ROLES)
def customer_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    officers = services.officers_assignable_by(user=request.user)
    form = forms.CustomerForm(request.POST or None, instance=customer, officers=officers,
                              choose_officer=request.user.role != Role.OFFICER)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.customer_update(customer=customer, acting_user=request.user, data=data,
                                     expected_version=form.cleaned_data.get("version"))
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@role_required(*ALL_ROLES)
@keep_offline
def customer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The post-loan management information sheet (客户贷后管理信息表)."""
    customer = selectors.customer_get_for_user(user=request.user, pk=pk, for_sheet=True)
    loans = list(customer.loans.all())
    for loan in loans:
        loan.ltv = selectors.loan_to_value(loan=loan)
    circle = selectors.guarantee_circle_for_user(user=request.user, customer=customer)
    shareholders_total = sum((r.stake_pct or 0) for r in customer.relations.all()
                             if r.role == "shareholder")
    return render(request, "customers/customer_detail.html", {
        "customer": customer, "loans": loans, "circle": circle,
        "circle_svg": diagram.circle_svg(circle=circle, centre_id=customer.pk),
        "shareholders_total": shareholders_total,
        "history": history_for(obj=customer, limit=50, known=(
            customer.officer, customer.team, customer.risk_group, customer.industry,
            request.user)),
        "relation_form": forms.RelationForm(),
        # Record checks, visits, reports and tasks: sections other apps register (sheet.py).
        "sections": sheet.render_sections(request=request, customer=customer),
    })


@role_required(*ALL_ROLES)
def customer_sheet_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The information sheet as an Excel workbook, one sheet per section."""
    customer = selectors.customer_get_for_user(user=request.user, pk=pk, for_sheet=True)
    return ledger.customer_xlsx_response(customer=customer, user=request.user)


@role_required(*ALL_ROLES)
def customer_sheet_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The information sheet printed to PDF (Chinese text set in the reader's own font)."""
    customer = selectors.customer_get_for_user(user=request.user, pk=pk, for_sheet=True)
    return ledger.customer_pdf_response(customer=customer, user=request.user)


@role_required(*ALL_ROLES)
def relation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = forms.RelationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.relation_add(customer=customer, acting_user=request.user,
                                  **form.cleaned_data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Related person added."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": customer, "title": _("Add a related person")})


@role_required(*ALL_ROLES)
@require_POST
def relation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    relation = selectors.relation_get_for_user(user=request.user, pk=pk)
    services.relation_remove(relation=relation, acting_user=request.user)
    messages.success(request, _("Related person removed."))
    return redirect("customers:customer_detail", pk=relation.customer_id)


@role_required(*ALL_ROLES)
def loan_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = forms.LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.loan_create(customer=customer, acting_user=request.user, data=data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Loan saved."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": customer, "title": _("New loan")})


@role_required(*ALL_ROLES)
def loan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get_for_user(user=request.user, pk=pk)
    form = forms.LoanForm(request.POST or None, instance=loan)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.loan_update(loan=loan, acting_user=request.user, data=data,
                                 expected_version=form.cleaned_data.get("version"))
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Loan saved."))
            return redirect("customers:customer_detail", pk=loan.customer_id)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": loan.customer, "title": loan.contract_number, "owned": loan})


@role_required(*ALL_ROLES)
def collateral_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    form = forms.CollateralForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "loans")}
        try:
            services.collateral_create(customer=customer, acting_user=request.user, data=data,
                                       loans=form.cleaned_data["loans"])
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Collateral saved."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": customer, "title": _("New collateral")})


@role_required(*ALL_ROLES)
def collateral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    collateral = selectors.collateral_get_for_user(user=request.user, pk=pk)
    form = forms.CollateralEditForm(request.POST or None, instance=collateral,
                                    customer=collateral.customer)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "loans")}
        try:
            services.collateral_update(collateral=collateral, acting_user=request.user,
                                       data=data, loans=form.cleaned_data["loans"],
                                       expected_version=form.cleaned_data.get("version"))
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Collateral saved."))
            return redirect("customers:customer_detail", pk=collateral.customer_id)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": collateral.customer, "title": str(collateral)})


@role_required(*ALL_ROLES)
def valuation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    collateral = selectors.collateral_get_for_user(user=request.user, pk=pk)
    form = forms.ValuationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.valuation_add(collateral=collateral, acting_user=request.user, **data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Valuation recorded."))
            return redirect("customers:customer_detail", pk=collateral.customer_id)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": collateral.customer,
        "title": _("New valuation of %(item)s") % {"item": collateral}})


@role_required(*ALL_ROLES)
def guarantee_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    loan = selectors.loan_get_for_user(user=request.user, pk=pk)
    form = forms.GuaranteeForm(request.POST or None,
                               guarantors=services.guarantor_choices(user=request.user, loan=loan))
    if request.method == "POST" and form.is_valid():
        try:
            services.guarantee_create(loan=loan, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Guarantee saved."))
            return redirect("customers:customer_detail", pk=loan.customer_id)
    return render(request, "customers/simple_form.html", {
        "form": form, "customer": loan.customer,
        "title": _("New guarantee of loan %(number)s") % {"number": loan.contract_number}})


@role_required(*ALL_ROLES)
@require_POST
def guarantee_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guarantee = selectors.guarantee_get_for_user(user=request.user, pk=pk)
    services.guarantee_remove(guarantee=guarantee, acting_user=request.user)
    messages.success(request, _("Guarantee removed."))
    return redirect("customers:customer_detail", pk=guarantee.loan.customer_id)


# --- Import -----------------------------------------------------------------------------------


@role_required(*ALL_ROLES)
def import_template(request: HttpRequest) -> HttpResponse:
    return imports.template_response()


@role_required(*ALL_ROLES)
def customer_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The file is stored and the job sent; the answer comes at once, on the run's page."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = imports.import_run_create(name=upload.name, content=upload.read(),
                                        acting_user=request.user,
                                        language=translation.get_language())
        return redirect("customers:import_run", pk=run.pk)
    return render(request, "customers/customer_import.html", {
        "form": form, "columns": imports.COLUMNS,
        "runs": imports.import_runs_of(user=request.user)})


@role_required(*ALL_ROLES)
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = imports.import_run_get_for_user(user=request.user, pk=pk)
    return render(request, "customers/import_run.html", {"run": run,
                                                         "progress": run_progress(run)})


@role_required(*ALL_ROLES)
def import_run_progress(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(run_progress(imports.import_run_get_for_user(user=request.user, pk=pk)))


@require_POST
@role_required(Role.ADMIN)
def import_run_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A run whose worker stopped sent to a worker again."""
    run = imports.import_run_get_for_user(user=request.user, pk=pk)
    if imports.import_run_resend(run=run, acting_user=request.user):
        messages.success(request, _("The run was sent again."))
    return redirect("customers:import_run", pk=run.pk)


# --- Reference data (administrators) ---------------------------------------------------------


@role_required(Role.ADMIN)
def industry_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.IndustryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.industry_save(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Industry saved."))
            return redirect("customers:industry_list")
    return render(request, "customers/industry_list.html", {
        "industries": Industry.objects.all(), "form": form})


@role_required(Role.ADMIN)
def industry_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    industry = Industry.objects.filter(pk=pk).first()  # reference data: admins see all of it
    if industry is None:
        raise Http404
    initial = {"code": industry.code, "name": industry.name, "name_en": industry.name_en,
               "high_risk": industry.high_risk}
    form = forms.IndustryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.industry_save(acting_user=request.user, data=form.cleaned_data,
                                   industry=industry)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Industry saved."))
            return redirect("customers:industry_list")
    return render(request, "customers/industry_form.html", {"form": form, "industry": industry,
                                                            "history": history_for(obj=industry)})


@role_required(Role.ADMIN)
def classification_floors(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = list(ClassificationFloor.objects.values("days_past_due_over", "minimum"))
    formset = forms.FloorFormSet(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and formset.is_valid():
        floors = [(f.cleaned_data["days_past_due_over"], f.cleaned_data["minimum"])
                  for f in formset.forms
                  if f.cleaned_data.get("minimum") and not f.cleaned_data.get("DELETE")]
        try:
            services.classification_floors_save(acting_user=request.user, floors=floors)
        except ValidationError as err:
            error = " ".join(err.messages)
        else:
            messages.success(request, _("Classification floors saved."))
            return redirect("customers:classification_floors")
    return render(request, "customers/classification_floors.html",
                  {"formset": formset, "error": error})
