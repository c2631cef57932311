"""Pages for agreement documents: upload versions, generate from the template, download."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []


def documents_tab_context(agreement) -> dict:
    """Context for the agreement page's documents tab."""
    return {"documents": agreement.documents.select_related("uploaded_by")}
