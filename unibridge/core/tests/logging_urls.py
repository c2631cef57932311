"""The site's URLs and one view that fails, for test_logging's 500."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from unibridge.urls import handler404, handler500  # noqa: F401  (the site's error pages)


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the test view failed on purpose")


urlpatterns = [path("test-failure/", fail), path("", include("unibridge.urls"))]
