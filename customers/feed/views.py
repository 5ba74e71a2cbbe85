from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.forms import form_apply_error
from loanwatch.core.runs import run_progress as run_progress_of

from . import forms, selectors, services
from .models import FeedSettings


@role_required(Role.ADMIN)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The file is stored and the job sent; the answer comes at once, on the run's page."""
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.feed_run_create(name=upload.name, content=upload.read(),
                                       acting_user=request.user,
                                       language=translation.get_language())
        return redirect("feed:run_detail", pk=run.pk)
    return render(request, "feed/upload.html", {"form": form,
                                                "runs": selectors.runs_recent()})


@role_required(Role.ADMIN)
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(pk=pk)
    return render(request, "feed/run_detail.html", {
        "run": run, "progress": run_progress_of(run),
        "below_floor": selectors.below_floor_readable(run=run)})


@role_required(Role.ADMIN)
def run_progress(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(run_progress_of(selectors.run_get(pk=pk)))


@require_POST
@role_required(Role.ADMIN)
def run_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A run whose worker stopped (or that failed) sent to a worker again."""
    run = selectors.run_get(pk=pk)
    if services.feed_run_resend(run=run, acting_user=request.user):
        messages.success(request, _("The run was sent again."))
    return redirect("feed:run_detail", pk=run.pk)


@role_required(Role.ADMIN)
def settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = FeedSettings.load()
    form = forms.SettingsForm(request.POST or None, initial={
        "dpd_thresholds": ", ".join(str(n) for n in current.dpd_thresholds),
        "serious_from": current.serious_from})
    if request.method == "POST" and form.is_valid():
        try:
            services.feed_settings_save(acting_user=request.user,
                                        dpd_thresholds=form.cleaned_data["dpd_thresholds"],
                                        serious_from=form.cleaned_data["serious_from"])
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Loan feed settings saved."))
            return redirect("feed:settings")
    return render(request, "feed/settings.html", {"form": form})


@role_required(Role.SUPERVISOR, Role.ADMIN)
def classification_review(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The supervisor's list of loans whose classification needs a person's look."""
    return render(request, "feed/classification_review.html", {
        "loans": selectors.classification_review(user=request.user)})
