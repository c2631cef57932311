"""Saving, listing and deleting a user's named list filters.

Every list page (a :class:`~unibridge.core.crud.RecordListView`) shows the user's saved
filters for that list as links carrying the saved query string, and a small form to save the
current filters under a name. A saved filter belongs to one user: anyone else gets 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, URLPattern, path, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .models import SavedFilter
from .services import delete_record, save_record

# Parameters that are not filters: the page number and the export format.
NOT_FILTERS = ("page", "export")
NAME_MAX_LENGTH = SavedFilter._meta.get_field("name").max_length
QUERY_MAX_LENGTH = SavedFilter._meta.get_field("query").max_length


def saved_filters_for(user, list_name: str) -> QuerySet[SavedFilter]:
    """The user's saved filters of one list, by name (a lazy queryset: one query when read)."""
    return SavedFilter.objects.filter(user=user, list_name=list_name).only("pk", "name", "query")


def filter_query(params: QueryDict) -> str:
    """The query string of a list's filters and sort: the page number and export left out."""
    params = params.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    return params.urlencode()


def _list_url(list_name: str) -> str | None:
    """The URL of a list page by its URL name, or None when it is no list page."""
    from .crud import RecordListView  # crud imports this module

    try:
        url = reverse(list_name)
    except NoReverseMatch:
        return None
    view_class = getattr(resolve(url).func, "view_class", None)
    if view_class is None or not issubclass(view_class, RecordListView):
        return None
    return url


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    """Save the list's current filters under a name; the list opens with them applied."""
    list_name = request.POST.get("list_name", "")
    url = _list_url(list_name)
    if url is None:
        return HttpResponseBadRequest(
            _("Unknown list “%(name)s”.") % {"name": list_name[:100]},
            content_type="text/plain; charset=utf-8",
        )
    query = filter_query(QueryDict(request.POST.get("query", "")))
    back = _with_query(url, query)
    name = " ".join(request.POST.get("name", "").split())
    if not name:
        messages.error(request, _("Give the saved filter a name."))
        return redirect(back)
    if len(name) > NAME_MAX_LENGTH:
        messages.error(
            request,
            _("A saved filter's name has at most %(limit)d characters.")
            % {"limit": NAME_MAX_LENGTH},
        )
        return redirect(back)
    if not query:
        messages.error(request, _("Choose some filters first: there is nothing to save."))
        return redirect(back)
    if len(query) > QUERY_MAX_LENGTH:
        messages.error(request, _("These filters are too long to save."))
        return redirect(back)
    saved = SavedFilter(user=request.user, list_name=list_name, name=name, query=query)
    try:
        with transaction.atomic():
            save_record(instance=saved, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    except IntegrityError:  # the same name saved at the same moment in another tab
        messages.error(request, _("You already have a saved filter with this name."))
        return redirect(back)
    messages.success(request, _("Saved the filters as “%(name)s”.") % {"name": name})
    return redirect(back)


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's saved filters; another user's answers 404."""
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    delete_record(instance=saved, user=request.user)
    messages.success(request, _("Deleted the saved filter “%(name)s”.") % {"name": saved.name})
    return redirect(_list_url(saved.list_name) or reverse("home"))


urlpatterns: list[URLPattern] = [
    path("saved-filters/", saved_filter_create, name="saved_filter_create"),
    path("saved-filters/<int:pk>/delete/", saved_filter_delete, name="saved_filter_delete"),
]
