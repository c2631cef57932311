"""Top-level URLs: pages per app, the JSON API under /api/v1/, health check, i18n."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from unibridge.core import views as core_views

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # user and role administration for administrators (is_staff); the domain has its own pages
    path("admin/", admin.site.urls),
    path("", include("unibridge.core.urls")),
    path("accounts/", include("unibridge.accounts.urls")),
    path("", include("unibridge.institutions.urls")),
    path("", include("unibridge.agreements.urls")),
    path("", include("unibridge.visits.urls")),
    path("", include("unibridge.meetings.urls")),
    path("api/v1/", include("unibridge.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start script as a file: the CSP allows no inline script.
    path(
        "api/v1/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
]

handler404 = "unibridge.core.errors.page_not_found"
handler500 = "unibridge.core.errors.server_error"
