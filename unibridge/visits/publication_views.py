"""Pages for the news draft's approval and publications (beside :mod:`.news_views`).

Those who may not see the visit get 404; the office approves (others 403); those who may
change the visit record and remove publications (others 403); a step the draft's status does
not allow answers 409 with the reason, bad input 400 with the form's errors.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from unibridge.core.forms import invalid_form_status
from unibridge.core.views_support import (
    add_service_errors,
    refused_page,
    see_other,
    visible_or_404,
)

from . import news, news_views, publication_services, selectors
from .choices import NewsLanguage, PublicationChannel
from .models import NewsDraft, NewsPublication, Visit

BAD_REQUEST, CONFLICT = 400, 409


class NewsPublicationForm(forms.Form):
    """Where and when the news appeared (parsed here; the service checks the rules)."""

    published_on = forms.DateField(
        label=gettext_lazy("Published on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=PublicationChannel.choices, widget=forms.RadioSelect
    )
    url = forms.URLField(
        label=gettext_lazy("Link"),
        assume_scheme="https",
        max_length=500,
        help_text=gettext_lazy("The address of the published news item."),
    )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def tab_context(visit: Visit, user) -> dict[str, Any]:
    """The news tab's context with each language's status and publications: one query more
    for the publications of all drafts, one for their approvers if any was approved."""
    context = news_views.tab_context(visit, user)
    drafts = [row["draft"] for row in context["news_rows"] if row["draft"] is not None]
    prefetch_related_objects(drafts, "publications", "approved_by")
    for row in context["news_rows"]:
        draft = row["draft"]
        row["publications"] = list(draft.publications.all()) if draft else []
    context["news_can_approve"] = publication_services.can_approve(user)
    return context


def _draft(request: HttpRequest, uuid, language: str) -> NewsDraft:
    visit = visible_or_404(selectors.visit_detail(request.user), uuid)
    if not news.news_language_available(language):
        raise Http404
    return get_object_or_404(visit.news_drafts.select_related("visit"), language=language)


def _back(draft: NewsDraft) -> HttpResponse:
    url = reverse("visits:visit_tab", args=[draft.visit.uuid, "news"])
    return see_other(f"{url}#news-{draft.language}-heading")


def _refused(request: HttpRequest, draft: NewsDraft, error: ValidationError) -> HttpResponse:
    """The news tab with the reason, as 409."""
    from .views import VisitDetailView  # views imports this module for the news tab

    return refused_page(
        VisitDetailView, request, draft.visit, error,
        conflict=publication_services.NewsTransitionError, tab="news",
    )  # fmt: skip


def _label(draft: NewsDraft) -> str:
    return str(NewsLanguage(draft.language).label)


@login_required
@require_POST
def news_approve(request: HttpRequest, uuid, language: str) -> HttpResponse:
    draft = _draft(request, uuid, language)
    try:
        publication_services.news_approve(draft=draft, user=request.user)
    except publication_services.NewsTransitionError as error:
        return _refused(request, draft, error)
    messages.success(
        request,
        _("The %(language)s news is approved for publication.") % {"language": _label(draft)},
    )
    return _back(draft)


@login_required
@require_POST
def news_withdraw_approval(request: HttpRequest, uuid, language: str) -> HttpResponse:
    draft = _draft(request, uuid, language)
    try:
        publication_services.news_withdraw_approval(draft=draft, user=request.user)
    except publication_services.NewsTransitionError as error:
        return _refused(request, draft, error)
    messages.success(
        request, _("The %(language)s news is a draft again.") % {"language": _label(draft)}
    )
    return _back(draft)


@login_required
@require_http_methods(["GET", "POST"])
def news_publish(request: HttpRequest, uuid, language: str) -> HttpResponse:
    """Record a publication of an approved draft: the day, the channel, the link."""
    draft = _draft(request, uuid, language)
    if not publication_services.can_publish(draft, request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = NewsPublicationForm(data)
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                publication_services.news_publish(
                    draft=draft, user=request.user, values=form.values()
                )
            except publication_services.NewsTransitionError as error:
                return _refused(request, draft, error)
            except ValidationError as error:
                add_service_errors(form, error)
                status = BAD_REQUEST
            else:
                messages.success(
                    request,
                    _("The publication of the %(language)s news is recorded.")
                    % {"language": _label(draft)},
                )
                return _back(draft)
        else:
            status = invalid_form_status(form)
    context = {
        "object": draft.visit,
        "draft": draft,
        "form": form,
        "title": _("Record a publication of the %(language)s news") % {"language": _label(draft)},
        "cancel_url": reverse("visits:visit_tab", args=[draft.visit.uuid, "news"]),
    }
    return render(request, "visits/news/publish.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def news_publication_delete(request: HttpRequest, uuid, publication_uuid) -> HttpResponse:
    visit = visible_or_404(selectors.visit_detail(request.user), uuid)
    publication = get_object_or_404(
        NewsPublication.objects.select_related("draft", "draft__visit"),
        uuid=publication_uuid,
        draft__visit=visit,
    )
    draft = publication.draft
    if not publication_services.can_publish(draft, request.user):
        raise PermissionDenied
    if request.method == "GET":
        context = {
            "object": visit,
            "title": _("Remove the publication %(link)s?") % {"link": publication.url},
            "text": _("Only the record is removed; the news stays where it appeared."),
            "submit_label": _("Remove"),
            "cancel_url": reverse("visits:visit_tab", args=[visit.uuid, "news"]),
        }
        return render(request, "visits/confirm.html", context)
    publication_services.news_publication_delete(publication=publication, user=request.user)
    messages.success(request, _("The publication was removed."))
    return _back(draft)


urlpatterns: list[URLPattern] = [
    path("visits/<uuid:uuid>/news/<slug:language>/approve/", news_approve, name="news_approve"),
    path(
        "visits/<uuid:uuid>/news/<slug:language>/withdraw-approval/",
        news_withdraw_approval,
        name="news_withdraw_approval",
    ),
    path("visits/<uuid:uuid>/news/<slug:language>/publish/", news_publish, name="news_publish"),
    path(
        "visits/<uuid:uuid>/news/publications/<uuid:publication_uuid>/delete/",
        news_publication_delete,
        name="news_publication_delete",
    ),
]
