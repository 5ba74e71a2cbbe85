from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.forms import form_apply_error

from . import forms, selectors, services
from .authentication import BearerTokenAuthentication
from .base import ApiView, ApiViewMixin
from .changes import BadCursor, Position, changes_since
from .models import ApiToken

# --- The administrators' pages ----------------------------------------------------------------


@role_required(Role.ADMIN)
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "api/token_list.html", {"tokens": selectors.tokens_list(),
                                                   "now": timezone.now()})


@never_cache
@role_required(Role.ADMIN)
def token_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The secret is shown on the answer to the form, once; it is stored only as its hash."""
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(
                acting_user=request.user, name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"], expires_at=form.expires_at())
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@role_required(Role.ADMIN)
def token_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(pk=pk)
    return render(request, "api/token_detail.html", {
        "token": token, "calls": selectors.calls_recent(token=token), "now": timezone.now()})


@require_POST
@role_required(Role.ADMIN)
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = services.token_revoke(acting_user=request.user, token_id=selectors.token_get(pk=pk).pk)
    messages.success(request, _("Token %(token)s revoked: it no longer works.") % {
        "token": token})
    return redirect("api_tokens:detail", pk=token.pk)


@role_required(Role.ADMIN)
def docs(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Swagger UI, from the app's own static files, reading the schema with the session."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})


# --- The schema -------------------------------------------------------------------------------


class SchemaReader(BasePermission):
    """Any valid token, or an administrator signed in (the docs page)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if isinstance(request.auth, ApiToken):
            return True
        return getattr(request.user, "role", None) == Role.ADMIN


class SchemaView(ApiViewMixin, SpectacularAPIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [SchemaReader]


# --- The changes feed -------------------------------------------------------------------------


class ChangesView(ApiView):
    """Everything changed since `cursor`, oldest first: customers, loans, signals, submitted
    visits and reports. Start without a cursor, keep the `next` one, and ask again with it
    (when `more` is false, later: the feed has given all there was)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="The `next` of the previous answer; "
                                                        "none for everything from the start."),
            OpenApiParameter("limit", int, description="Changes per answer, 1 to 1000 "
                                                       "(500 unless given).")],
        responses=inline_serializer("ChangesPage", {
            "changes": inline_serializer("Change", {
                "kind": serializers.ChoiceField(
                    choices=["customer", "loan", "report", "signal", "visit"]),
                "id": serializers.IntegerField(),
                "event": serializers.ChoiceField(choices=["insert", "update", "delete"]),
                "changed_at": serializers.DateTimeField(),
                "row": serializers.JSONField(
                    allow_null=True, help_text="The record as its list shows it now; null "
                                               "when it was deleted since."),
            }, many=True),
            "next": serializers.CharField(allow_null=True),
            "more": serializers.BooleanField(),
        }))
    def get(self, request: Request) -> Response:
        text = request.query_params.get("cursor", "")
        try:
            position = Position.decode(text) if text else None
        except BadCursor as error:
            raise ApiValidationError({"cursor": _("This cursor is not one the feed gave.")}) \
                from error
        limit_text = request.query_params.get("limit", "500")
        limit = int(limit_text) if limit_text.isascii() and limit_text.isdigit() else 0
        if not 1 <= limit <= 1000:
            raise ApiValidationError({"limit": _("Ask for 1 to 1000 changes.")})
        changes, after, more = changes_since(position=position, limit=limit)
        return Response({"changes": changes, "next": after.encode() if after else None,
                         "more": more})
