"""The JSON API, version 1: every app's router in one place."""

from django.urls import path

urlpatterns: list = []
