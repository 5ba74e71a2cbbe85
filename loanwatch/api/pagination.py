from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class IdCursorPagination(CursorPagination):
    """Pages walked by the primary key: unique, indexed and only ever growing, so a walk sees
    every row that existed when it started exactly once, however many are added meanwhile (they
    come at the end)."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_cursor_message = _("This cursor is not one the API gave.")

    def decode_cursor(self, request: Request) -> Cursor | None:
        # A cursor the API did not give is the client's mistake (400), not a missing page.
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({"cursor": [self.invalid_cursor_message]}) from error
