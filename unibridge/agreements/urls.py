from django.urls import path

from . import views

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
