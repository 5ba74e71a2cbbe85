from __future__ import annotations

from django.urls import path

from . import views

app_name = "visits"

urlpatterns = [
    path("drafts/", views.draft_list, name="draft_list"),
    path("customer/<int:pk>/", views.customer_visits, name="customer_visits"),
    path("customer/<int:pk>/new/", views.visit_create, name="visit_create"),
    path("customer/<int:pk>/quick/", views.contact_log, name="contact_log"),
    path("customer/<int:pk>/contact/", views.contact_preference_edit,
         name="contact_preference_edit"),
    path("<int:pk>/", views.visit_detail, name="visit_detail"),
    path("<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("<int:pk>/autosave/", views.visit_autosave, name="visit_autosave"),
    path("<int:pk>/send/", views.visit_send, name="visit_send"),
    path("<int:pk>/amend/", views.visit_amend, name="visit_amend"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("thresholds/", views.threshold_list, name="threshold_list"),
    path("guidance/", views.guidance_list, name="guidance_list"),
    path("guidance/<int:question>/", views.guidance_edit, name="guidance_edit"),
    path("guidance/<int:question>/propose/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
