from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role

from . import forms, selectors, services


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
        "run": run, "progress": selectors.run_progress(run=run)})


@role_required(Role.ADMIN)
def run_progress(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(selectors.run_progress(run=selectors.run_get(pk=pk)))
