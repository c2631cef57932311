from django.urls import path

from . import document_views, import_views, views

app_name = "agreements"
urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/new/", views.AgreementCreateView.as_view(), name="agreement_create"),
    path("agreements/pick-institution/", views.institution_picker, name="institution_picker"),
    path("agreements/<uuid:uuid>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    # before the tab pattern below, which would take "edit" for a tab
    path("agreements/<uuid:uuid>/edit/", views.AgreementEditView.as_view(), name="agreement_edit"),
    path("agreements/<uuid:uuid>/delete/", views.agreement_delete, name="agreement_delete"),
    path("agreements/<uuid:uuid>/submit/", views.agreement_submit, name="agreement_submit"),
    path(
        "agreements/<uuid:uuid>/start-signing/",
        views.agreement_start_signing,
        name="agreement_start_signing",
    ),
    path(
        "agreements/<uuid:uuid>/terminate/", views.agreement_terminate, name="agreement_terminate"
    ),
    path("agreements/<uuid:uuid>/renew/", views.agreement_renew, name="agreement_renew"),
    path(
        "agreements/<uuid:uuid>/approvals/<int:step_id>/decide/",
        views.approval_decide,
        name="approval_decide",
    ),
    path("agreements/<uuid:uuid>/parties/edit/", views.parties_edit, name="parties_edit"),
    path(
        "agreements/<uuid:uuid>/parties/<int:party_id>/sign/",
        views.signature_record,
        name="signature_record",
    ),
    path("agreements/<uuid:uuid>/conditions/new/", views.condition_edit, name="condition_create"),
    path(
        "agreements/<uuid:uuid>/conditions/<int:condition_id>/edit/",
        views.condition_edit,
        name="condition_edit",
    ),
    path(
        "agreements/<uuid:uuid>/conditions/<int:condition_id>/delete/",
        views.condition_delete,
        name="condition_delete",
    ),
    path(
        "agreements/<uuid:uuid>/<slug:tab>/",
        views.AgreementDetailView.as_view(),
        name="agreement_tab",
    ),
]
urlpatterns += document_views.urlpatterns + import_views.urlpatterns
