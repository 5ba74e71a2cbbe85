"""The base of every API view: bearer token, scope, throttle, cursor pages, JSON only, and a row
in the calls' audit for every call that presents a token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from loanwatch.accounts.lockout import client_address

from . import services
from .models import ApiToken, Scope

READ_THROTTLE = "api_read"
FEED_THROTTLE = "api_feed"


class ApiViewMixin:
    required_scope: str = Scope.READ
    throttle_scope: str = READ_THROTTLE

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> Any:
        # The API signs nobody in: a token client has no session, and an unknown caller gets
        # 401 JSON from DRF rather than the sign-in page.
        return login_not_required(super().as_view(*args, **kwargs))  # type: ignore[misc]

    def finalize_response(self, request: Request, response: Any, *args: Any,
                          **kwargs: Any) -> HttpResponseBase:
        response = super().finalize_response(  # type: ignore[misc]
            request, response, *args, **kwargs)
        django_request: HttpRequest = request._request
        if django_request.META.get("HTTP_AUTHORIZATION"):
            token = getattr(request, "_auth", None)
            services.call_record(token=token if isinstance(token, ApiToken) else None,
                                 method=django_request.method or "",
                                 path=django_request.get_full_path(),
                                 status=response.status_code,
                                 address=client_address(django_request))
        return response


class ApiView(ApiViewMixin, APIView):
    pass


class ReadOnlyListViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          viewsets.GenericViewSet):
    """A read-only list with filters and cursor pages, and each row by its id."""
