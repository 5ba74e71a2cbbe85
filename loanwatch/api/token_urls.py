"""The administrators' pages for integration tokens (outside /api/, which answers tokens only)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("new/", views.token_create, name="create"),
    path("<int:pk>/", views.token_detail, name="detail"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
