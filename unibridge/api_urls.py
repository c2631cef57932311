"""The JSON API, version 1: every app's router in one place."""

from django.urls import include, path

from unibridge.accounts.api import obtain_token

urlpatterns: list = [
    path("auth/token/", obtain_token, name="api-token"),
    path("", include("unibridge.institutions.api.urls")),
]
