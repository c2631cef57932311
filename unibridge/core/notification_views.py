"""Pages for notifications and the private calendar feed."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
