"""Pages for notifications and the private calendar feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import calendar, notifications
from .models import Notification

NOTIFICATIONS_PER_PAGE = 50


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; unread ones marked."""
    page = Paginator(
        Notification.objects.for_user(request.user).order_by("-created", "-pk"),
        NOTIFICATIONS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    for notification in page:
        notification.kind_label = notifications.kind_label(notification.kind)
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_safe
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its record, marking it read."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notifications.mark_read(notification)
    safe = url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if notification.url and safe:
        return HttpResponseRedirect(notification.url)
    return redirect("core:notification_list")


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_all_read(request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked read.", "%(count)d notifications marked read.", count
        )
        % {"count": count},
    )
    return redirect("core:notification_list")


@login_required
@require_safe
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The user's private feed URL, to subscribe to in a calendar program."""
    token = request.user.calendar_token
    feed_url = (
        request.build_absolute_uri(reverse("core:calendar_feed", args=[token])) if token else ""
    )
    return render(request, "core/calendar.html", {"feed_url": feed_url})


@login_required
@require_POST
def calendar_token(request: HttpRequest) -> HttpResponse:
    """Make a new feed URL; the old one stops working."""
    had_token = bool(request.user.calendar_token)
    calendar.new_calendar_token(request.user)
    if had_token:
        messages.success(request, _("A new feed address was made; the old one no longer works."))
    else:
        messages.success(request, _("Your calendar feed address is ready."))
    return redirect("core:calendar")


@require_safe
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed for calendar programs: no session, the secret token identifies."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404("No such calendar feed.")
    with translation.override(user.preferred_language or translation.get_language()):
        content = calendar.build_feed(
            calendar.events_for(user),
            name=_("UniBridge: %(name)s") % {"name": user.get_full_name() or user.username},
            absolute=request.build_absolute_uri,
        )
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="unibridge.ics"'
    return response


urlpatterns: list[URLPattern] = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read/", notification_mark_all_read, name="notification_mark_all_read"),
    path("notifications/<int:pk>/", notification_open, name="notification_open"),
    path("calendar/", calendar_page, name="calendar"),
    path("calendar/token/", calendar_token, name="calendar_token"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
]
