from __future__ import annotations

from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("due/", views.due_list, name="due_list"),
    path("import/", views.feed_import, name="feed_import"),
    path("import/template.csv", views.feed_template, name="feed_template"),
    path("policy/", views.policy_edit, name="policy_edit"),
    path("customer/<int:pk>/", views.customer_checks, name="customer_checks"),
    path("customer/<int:pk>/new/", views.check_create, name="check_create"),
    path("checks/<int:pk>/", views.check_detail, name="check_detail"),
]
