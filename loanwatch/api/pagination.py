from __future__ import annotations

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages walked by the primary key: unique, indexed and only ever growing, so a walk sees
    every row that existed when it started exactly once, however many are added meanwhile (they
    come at the end)."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
