"""Pages for importing a legacy agreements register."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
