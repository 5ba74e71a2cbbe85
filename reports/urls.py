from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_queue, name="report_queue"),
    path("customer/<int:customer_pk>/new/", views.report_start, name="report_start"),
    path("customer/<int:customer_pk>/release/", views.release_start, name="release_start"),
    path("visit/<int:visit_pk>/new/", views.report_start, name="report_start_from_visit"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("<int:pk>/decide/", views.report_decide, name="report_decide"),
    path("<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("quality/", views.quality_list, name="quality_list"),
    path("quality/<int:officer_pk>/<slug:figure>/", views.quality_detail,
         name="quality_detail"),
    path("warning-approvals/", views.warning_approvals, name="warning_approvals"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/", views.follow_up_sign_off, name="follow_up_sign_off"),
    path("follow-ups/<int:pk>/evidence/", views.follow_up_evidence,
         name="follow_up_evidence"),
]
