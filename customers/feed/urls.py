from __future__ import annotations

from django.urls import path

from . import views

app_name = "feed"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress.json", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/resend/", views.run_resend, name="run_resend"),
    path("settings/", views.settings_edit, name="settings"),
    path("classification-review/", views.classification_review, name="classification_review"),
]
