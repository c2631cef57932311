"""Saving, listing and deleting a user's named list filters."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
