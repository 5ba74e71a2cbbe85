"""The loan feed's part of the REST API (loanwatch/api): a core-banking export sends its rows as
JSON batches instead of a file. A batch becomes a run of the same job as an uploaded file
(services.feed_batch_create); the answer is 202 with the run's address, polled for its end."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from loanwatch.api import services as api_services
from loanwatch.api.base import FEED_THROTTLE, ApiViewMixin
from loanwatch.api.models import ApiToken, Scope

from . import services
from .models import FeedRun


class LoanStatusRowSerializer(serializers.Serializer[Any]):
    """One loan's row, with the feed file's keys (English or Chinese headers work too).
    Described for the schema; the rows are checked by the feed's own rules."""

    contract_number = serializers.CharField(help_text="合同编号")
    as_of = serializers.DateField(help_text="数据日期")
    balance = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="贷款余额")
    principal_overdue = serializers.DecimalField(max_digits=16, decimal_places=2,
                                                 required=False, help_text="逾期本金")
    interest_overdue = serializers.DecimalField(max_digits=16, decimal_places=2,
                                                required=False, help_text="逾期利息")
    days_past_due = serializers.IntegerField(min_value=0, help_text="逾期天数")
    next_due_on = serializers.DateField(required=False, help_text="下次还款日")
    matures_on = serializers.DateField(required=False, help_text="到期日")
    status = serializers.ChoiceField(choices=["active", "settled", "written_off"],
                                     help_text="贷款状态")
    classification = serializers.ChoiceField(
        choices=["pass", "special_mention", "substandard", "doubtful", "loss"], required=False,
        help_text="五级分类")


class LoanStatusBatchSerializer(serializers.Serializer[Any]):
    rows = LoanStatusRowSerializer(many=True)


class BadRowSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(help_text="1 for the batch's first row; 0 for the batch")
    column = serializers.CharField()
    reason = serializers.CharField()


class BatchRefusedSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField()
    rows = BadRowSerializer(many=True)


class RunQueuedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_url = serializers.URLField()


class RunSerializer(serializers.ModelSerializer[FeedRun]):
    class Meta:
        model = FeedRun
        fields = ["id", "status", "file_name", "created_at", "started_at", "finished_at",
                  "rows_read", "rows_checked", "rows_applied", "customers_changed",
                  "signals_raised", "errors", "refused", "below_floor"]


def _refused(detail: str, rows: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    return status.HTTP_400_BAD_REQUEST, {"detail": detail, "rows": rows}


class LoanStatusViewSet(ApiViewMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Loan-status batches: POST one, then GET its run until `status` is applied, rejected or
    failed. The same rows twice change nothing (a loan takes a date once)."""

    required_scope = Scope.FEED_WRITE
    throttle_scope = FEED_THROTTLE
    serializer_class = RunSerializer
    queryset = FeedRun.objects.defer("content")
    lookup_value_regex = r"[0-9]+"
    pagination_class = None

    @extend_schema(
        request=LoanStatusBatchSerializer,
        parameters=[OpenApiParameter(
            "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
            description="A key of the client's choosing (up to 200 characters): a retry with "
                        "the same key and the same rows gets the first answer again.")],
        responses={202: RunQueuedSerializer, 400: BatchRefusedSerializer})
    def create(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not key:
            code, body = self._queue(request)
        elif len(key) > 200 or not key.isprintable():
            code, body = _refused(_("An Idempotency-Key is at most 200 printable characters."),
                                  [])
        else:
            fingerprint = hashlib.sha256(
                json.dumps(request.data, sort_keys=True, default=str).encode()).hexdigest()
            assert isinstance(request.auth, ApiToken)  # noqa: S101 - HasScope let it in
            try:
                code, body = api_services.idempotent(token=request.auth, key=key,
                                                     fingerprint=fingerprint,
                                                     handler=lambda: self._queue(request))
            except api_services.IdempotencyConflict:
                code, body = 422, {"detail": _("This Idempotency-Key was sent before with "
                                               "other rows.")}
        response = Response(body, status=code)
        if code == status.HTTP_202_ACCEPTED:
            response["Location"] = body["status_url"]
        return response

    def _queue(self, request: Request) -> tuple[int, dict[str, Any]]:
        data = request.data
        items = data.get("rows") if isinstance(data, dict) else None
        if not isinstance(items, list) or not items:
            return _refused(_("Send a JSON object whose “rows” is a list of loan rows."), [])
        limit = settings.API_FEED_BATCH_MAX_ROWS
        if len(items) > limit:
            return _refused(_("At most %(n)d rows per batch; send the rest in another.") % {
                "n": limit}, [])
        problems = services.feed_batch_problems(items=items)
        if problems:
            return _refused(_("Nothing was queued: correct these rows and send the batch "
                              "again."),
                            [{"row": p.row, "column": p.column, "reason": p.reason}
                             for p in problems])
        token = request.auth
        assert isinstance(token, ApiToken)  # noqa: S101 - HasScope let it in
        run = services.feed_batch_create(items=items, source=f"API {token.name}",
                                         language=translation.get_language())
        url = request.build_absolute_uri(reverse("api:loan-status-detail",
                                                 kwargs={"pk": run.pk}))
        return status.HTTP_202_ACCEPTED, {"id": run.pk, "status": run.status, "status_url": url}
