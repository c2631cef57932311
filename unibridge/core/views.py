"""Pages every module shares: home, health check and the generic record views."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means 'unhealthy', never a 500
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page: partnership figures, their own partnerships, recent changes."""
    from unibridge.institutions.selectors import home_dashboard

    return render(request, "core/home.html", home_dashboard(request.user))


SEARCH_PAGE_LIMIT = 50
SEARCH_POPUP_LIMIT = 8


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Global search: the full results page, or (HTMX) the short list under the search box."""
    from . import search as index

    query = request.GET.get("q", "").strip()[: index.MAX_QUERY_LENGTH]
    popup = bool(request.htmx) and request.htmx.target == "global-search-results"
    limit = SEARCH_POPUP_LIMIT if popup else SEARCH_PAGE_LIMIT
    results = index.search(query, request.user, limit=limit) if query else []
    context = {"search_query": query, "results": results, "popup": popup}
    template = "core/partials/search_results.html" if popup else "core/search.html"
    return render(request, template, context)
