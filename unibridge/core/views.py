"""Pages every module shares: health check, search, job status and recent activity."""

from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from .activity import activity_entries, sentences
from .models import Job


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database accepts writes, else 503 naming what failed.

    One statement: an UPDATE of the sessions table (which every sign-in writes) that matches
    no row. A database refuses a write statement on a read-only connection, transaction,
    file or replica before it looks for rows, so this checks that writes are accepted with
    nothing to roll back and no transaction around it.
    """
    try:
        connection.ensure_connection()
    except Exception as exc:  # any database failure means 'unhealthy', never a 500
        return _unhealthy("database connection", exc)
    table = connection.ops.quote_name(Session._meta.db_table)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET expire_date = expire_date WHERE 1 = 0")
    except Exception as exc:
        return _unhealthy("database write", exc)
    return JsonResponse({"status": "ok", "database": "ok"})


def _unhealthy(part: str, exc: Exception) -> JsonResponse:
    return JsonResponse({"status": "error", "failed": part, "database": str(exc)[:200]}, status=503)


SEARCH_PAGE_LIMIT = 50
SEARCH_POPUP_LIMIT = 8


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Global search: the results page; for HTMX, the results alone.

    The search box in the header asks (HTMX, target ``#global-search-results``) for the best
    few hits and a link to this page; any other HTMX request gets the page's list alone.
    """
    from . import search as index

    query = request.GET.get("q", "").strip()[: index.MAX_QUERY_LENGTH]
    popup = bool(request.htmx) and request.htmx.target == "global-search-results"
    if request.htmx and not query:
        return HttpResponse("")  # an emptied search box closes its popup
    limit = SEARCH_POPUP_LIMIT if popup else SEARCH_PAGE_LIMIT
    # One more than shown tells whether there are more.
    results = index.search(query, request.user, limit=limit + 1) if query else []
    context = {
        "search_query": query,
        "results": results[:limit],
        "more": len(results) > limit,
        "limit": limit,
        "popup": popup,
    }
    template = "core/partials/search_results.html" if request.htmx else "core/search.html"
    return render(request, template, context)


@login_required
@require_safe
def job_detail(request: HttpRequest, uuid) -> HttpResponse:
    """A background job's progress and outcome; HTMX polls the status part until it ends."""
    job = get_object_or_404(Job.objects.visible_to(request.user), uuid=uuid)
    template = "core/partials/job_status.html" if request.htmx else "core/job.html"
    return render(request, template, {"job": job})


ACTIVITY_PAGE_SIZE = 50


@login_required
@require_safe
def activity(request: HttpRequest) -> HttpResponse:
    """Recent activity: who changed what among the records the reader may see, newest first."""
    page = Paginator(activity_entries(request.user), ACTIVITY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/activity.html",
        {"page": page, "sentences": sentences(list(page.object_list), request.user)},
    )
