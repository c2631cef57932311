"""The JSON API, version 1: every app's router in one place."""

from django.urls import include, path

from unibridge.core import search_api

urlpatterns: list = [
    path("", include("unibridge.accounts.api.urls")),
    path("search/", search_api.SearchView.as_view(), name="search"),
    path("", include("unibridge.institutions.api.urls")),
    path("", include("unibridge.agreements.api.urls")),
    path("", include("unibridge.visits.api.urls")),
    path("", include("unibridge.meetings.api.urls")),
]
