from django.urls import path

from . import document_views, import_views, views

app_name = "agreements"
urlpatterns = [
    path("agreements/", views.AgreementListView.as_view(), name="agreement_list"),
    path("agreements/<uuid:uuid>/", views.AgreementDetailView.as_view(), name="agreement_detail"),
    path(
        "agreements/<uuid:uuid>/<slug:tab>/",
        views.AgreementDetailView.as_view(),
        name="agreement_tab",
    ),
]
urlpatterns += document_views.urlpatterns + import_views.urlpatterns
