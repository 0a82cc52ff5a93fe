from django.urls import path

from . import views

app_name = "providers"
urlpatterns = [
    path("", views.ProviderHomeView.as_view(), name="home"),
    path("payroll/", views.PayrollRunListView.as_view(), name="runs"),
    path("payroll/<uuid:run_id>/", views.PayrollRunDetailView.as_view(), name="run"),
    path("payroll/entries/<uuid:entry_id>/", views.PayrollEntryDetailView.as_view(), name="entry"),
    path("compliance/", views.ComplianceListView.as_view(), name="compliance"),
    path("compliance/<uuid:item_id>/", views.ComplianceItemDetailView.as_view(), name="compliance-item"),
    path("workers/<uuid:worker_id>/compliance/new/", views.ComplianceItemCreateView.as_view(), name="compliance-new"),
    path("contracts/<uuid:contract_id>/edit/", views.ContractEditView.as_view(), name="contract-edit"),
    path("imports/", views.CsvImportListView.as_view(), name="imports"),
    path("imports/<uuid:import_id>/", views.CsvImportDetailView.as_view(), name="import"),
    path("imports/template/<str:kind>.csv", views.csv_template_view, name="import-template"),
]
