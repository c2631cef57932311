from django.urls import path

from . import import_views, merge_views, views

app_name = "institutions"


def record_urls(prefix: str, name: str, list_view, detail_view, edit_view, delete_view) -> list:
    """List, new, detail, edit, delete and detail tabs of one record type."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/<uuid:uuid>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<uuid:uuid>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<uuid:uuid>/delete/", delete_view.as_view(), name=f"{name}_delete"),
        path(f"{prefix}/<uuid:uuid>/<slug:tab>/", detail_view.as_view(), name=f"{name}_tab"),
    ]


urlpatterns = [
    path("institutions/new/", views.InstitutionEditView.as_view(), name="institution_create"),
    path("institutions/import/", import_views.import_upload, name="institution_import"),
    path(
        "institutions/import/<slug:token>/preview/",
        import_views.import_preview,
        name="institution_import_preview",
    ),
    path(
        "institutions/import/confirm/",
        import_views.import_confirm,
        name="institution_import_confirm",
    ),
    path("institutions/<uuid:uuid>/merge/", merge_views.merge_choose, name="institution_merge"),
    path(
        "institutions/<uuid:uuid>/merge/confirm/",
        merge_views.merge_confirm,
        name="institution_merge_confirm",
    ),
    path(
        "institutions/<uuid:institution_uuid>/units/new/",
        views.UnitEditView.as_view(),
        name="unit_create",
    ),
    path(
        "institutions/<uuid:institution_uuid>/partnership/new/",
        views.PartnershipEditView.as_view(),
        name="partnership_create",
    ),
    path("people/new/", views.PersonEditView.as_view(), name="person_create"),
    path("people/pick/", views.person_picker, name="person_picker"),
    path("partnerships/new/", views.partnership_start, name="partnership_start"),
    *record_urls(
        "institutions",
        "institution",
        views.InstitutionListView,
        views.InstitutionDetailView,
        views.InstitutionEditView,
        views.InstitutionDeleteView,
    ),
    *record_urls(
        "units",
        "unit",
        views.UnitListView,
        views.UnitDetailView,
        views.UnitEditView,
        views.UnitDeleteView,
    ),
    *record_urls(
        "people",
        "person",
        views.PersonListView,
        views.PersonDetailView,
        views.PersonEditView,
        views.PersonDeleteView,
    ),
    *record_urls(
        "partnerships",
        "partnership",
        views.PartnershipListView,
        views.PartnershipDetailView,
        views.PartnershipEditView,
        views.PartnershipDeleteView,
    ),
]
