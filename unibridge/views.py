"""The site's own pages: the home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from unibridge.institutions.selectors import home_dashboard
from unibridge.visits.selectors import my_overdue


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page: partnership figures, their own partnerships, recent changes,
    and their overdue logistics tasks and action items."""
    context = home_dashboard(request.user)
    context.update(my_overdue(request.user, timezone.localdate()))
    return render(request, "home.html", context)
