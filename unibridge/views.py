"""The site's own pages: the home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from unibridge.home import what_needs_me
from unibridge.institutions.choices import PartnershipStatus
from unibridge.institutions.selectors import home_dashboard


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page: what needs them today (approvals, their action items,
    agreements about to expire, upcoming visits, late logistics tasks), a few figures, their
    partnerships and the partners by country."""
    context = home_dashboard(request.user)
    by_status = {status: count for status, _label, count in context["status_counts"]}
    context.update(
        what_needs_me(
            request.user,
            timezone.localdate(),
            active_partnerships=by_status[PartnershipStatus.ACTIVE],
        )
    )
    return render(request, "home.html", context)
