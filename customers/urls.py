from __future__ import annotations

from django.urls import path

from . import risk_views, signal_views, views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("export.xlsx", views.customer_export, name="customer_export"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("sheets.zip", views.sheets_export, name="sheets_export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("new/", views.customer_create, name="customer_create"),
    path("reassign/", views.customer_reassign, name="customer_reassign"),
    path("import/", views.customer_import, name="customer_import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/runs/<int:pk>/", views.import_run, name="import_run"),
    path("import/runs/<int:pk>/progress.json", views.import_run_progress,
         name="import_run_progress"),
    path("import/runs/<int:pk>/resend/", views.import_run_resend, name="import_run_resend"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/sheet.xlsx", views.customer_sheet_export, name="customer_sheet_export"),
    path("<int:pk>/sheet.pdf", views.customer_sheet_pdf, name="customer_sheet_pdf"),
    path("<int:pk>/persons/new/", views.relation_add, name="relation_add"),
    path("<int:pk>/loans/new/", views.loan_create, name="loan_create"),
    path("<int:pk>/collateral/new/", views.collateral_create, name="collateral_create"),
    path("relations/<int:pk>/remove/", views.relation_remove, name="relation_remove"),
    path("loans/<int:pk>/edit/", views.loan_edit, name="loan_edit"),
    path("loans/<int:pk>/guarantees/new/", views.guarantee_create, name="guarantee_create"),
    path("guarantees/<int:pk>/remove/", views.guarantee_remove, name="guarantee_remove"),
    path("collateral/<int:pk>/edit/", views.collateral_edit, name="collateral_edit"),
    path("collateral/<int:pk>/valuations/new/", views.valuation_add, name="valuation_add"),
    path("<int:pk>/correct/", risk_views.risk_correction, name="risk_correction"),
    path("corrections/", risk_views.correction_list, name="correction_list"),
    path("corrections/<int:pk>/decide/", risk_views.correction_decide,
         name="correction_decide"),
    path("industries/", views.industry_list, name="industry_list"),
    path("industries/<int:pk>/", views.industry_edit, name="industry_edit"),
    path("classification-floors/", views.classification_floors, name="classification_floors"),
    path("signals/", signal_views.signal_list, name="signal_list"),
    path("signals/<int:pk>/dismiss/", signal_views.signal_dismiss, name="signal_dismiss"),
    path("signals/settings/", signal_views.signal_settings, name="signal_settings"),
]
