"""Pages for the news draft generated from a visit: the tab, generate, edit, download.

Those who may not see the visit get 404 for everything, downloads included; those who see
it but may not change it get 403 for generating and editing.
"""

import copy
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from unibridge.core import cldr
from unibridge.core.forms import VersionedFormMixin, invalid_form_status
from unibridge.core.services import EditConflict
from unibridge.core.uploads import content_disposition
from unibridge.core.views_support import editable_or_403, visible_or_404

from . import news, selectors, services
from .choices import NewsLanguage, VisitStatus
from .models import NewsDraft, Visit

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class NewsDraftForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = NewsDraft
        fields = ["title", "lead", "body"]
        widgets = {
            "lead": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a visit with nothing but its dates generates a draft without a body
        self.fields["body"].required = False


def tab_context(visit: Visit, user) -> dict:
    """Context for the visit page's news tab: one row per language that has a template."""
    drafts = {draft.language: draft for draft in visit.news_drafts.all()}
    languages = news.available_languages()
    rows = [
        {
            "code": code,
            "label": NewsLanguage(code).label,
            "draft": drafts.get(code),
            "paragraphs": news.paragraphs(drafts[code].body) if code in drafts else [],
        }
        for code in languages
    ]
    return {
        "news_rows": rows,
        "news_can_generate": visit.status == VisitStatus.COMPLETED,
        "news_formats": news.EXPORT_FORMATS,
    }


def _visible_visit(request: HttpRequest, uuid) -> Visit:
    return visible_or_404(selectors.visit_detail(request.user), uuid)


def _editable_visit(request: HttpRequest, uuid) -> Visit:
    return editable_or_403(selectors.visit_detail(request.user), uuid, request.user)


def _language(language: str) -> str:
    if not news.news_language_available(language):
        raise Http404
    return language


def _back(visit: Visit) -> HttpResponse:
    return redirect(reverse("visits:visit_tab", args=[visit.uuid, "news"]))


@login_required
@require_POST
def news_generate(request: HttpRequest, uuid, language: str) -> HttpResponse:
    """Generate the draft in one language; an edited draft is replaced only once confirmed."""
    visit = _editable_visit(request, uuid)
    language = _language(language)
    label = cldr.language_name(language)  # in the reader's language
    try:
        services.news_generate(
            visit=visit,
            user=request.user,
            language=language,
            replace_edited=request.POST.get("confirm") == "1",
        )
    except services.EditedDraftExists as edited:
        context = {
            "object": visit,
            "draft": edited.draft,
            "language_label": label,
            "title": _("Replace the edited %(language)s news draft?") % {"language": label},
        }
        return render(request, "visits/news/confirm_regenerate.html", context, status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(visit)
    messages.success(
        request,
        _("The %(language)s news draft was generated from the record.") % {"language": label},
    )
    fallbacks = news.news_fallbacks(visit, language)
    if fallbacks:
        messages.warning(
            request,
            _("%(texts)s The draft marks them with their language, such as [EN].")
            % {"texts": fallbacks.summary()},
        )
    return _back(visit)


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: HttpRequest, uuid, language: str) -> HttpResponse:
    """Edit a draft's title, lead and body; the draft is then marked as edited by hand."""
    visit = _editable_visit(request, uuid)
    draft = get_object_or_404(visit.news_drafts, language=_language(language))
    label = cldr.language_name(language)  # in the reader's language
    form = NewsDraftForm(request.POST or None, instance=draft)
    status = 200
    conflict = False
    if request.method == "POST":
        if form.is_valid():
            try:
                services.news_update(
                    draft=draft,
                    user=request.user,
                    title=form.cleaned_data["title"],
                    lead=form.cleaned_data["lead"],
                    body=form.cleaned_data["body"],
                    expected_updated=form.cleaned_data.get("version"),
                )
            except EditConflict as error:
                # Keep what this user typed, now based on the stored version, and show the
                # stored text beside it: saving again is then a deliberate choice.
                conflict = True
                status = 409
                draft = cast(NewsDraft, error.current)  # this draft as stored, read by news_update
                data = request.POST.copy()
                data["version"] = draft.updated.isoformat()
                # a copy: validating a model form writes the typed values into its instance
                form = NewsDraftForm(data, instance=copy.copy(draft))
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone else saved this draft while you were editing it; your text "
                        "was not saved. Compare it with the stored draft below, then save again."
                    ),
                )
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(
                    request, _("The %(language)s news draft was saved.") % {"language": label}
                )
                return _back(visit)
        else:
            status = invalid_form_status(form)
    context = {
        "object": visit,
        "draft": draft,
        "form": form,
        "conflict": conflict,
        "title": _("Edit the %(language)s news draft") % {"language": label},
    }
    return render(request, "visits/news/edit.html", context, status=status)


@login_required
@require_GET
def news_download(request: HttpRequest, uuid, language: str, extension: str) -> HttpResponse:
    """The draft as HTML, Markdown or DOCX, to those who may see the visit (others get 404)."""
    if extension not in news.EXPORT_FORMATS:
        raise Http404
    visit = _visible_visit(request, uuid)
    draft = get_object_or_404(visit.news_drafts, language=_language(language))
    if extension == "html":
        content: str | bytes = news.export_html(draft)
    elif extension == "md":
        content = news.export_markdown(draft)
    else:
        content = news.export_docx(draft)
    response = HttpResponse(content, content_type=CONTENT_TYPES[extension])
    name = slugify(visit.title) or "visit"
    response["Content-Disposition"] = content_disposition(f"news-{name}-{language}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # opened in the browser, the exported page runs nothing and reaches nothing
    response["Content-Security-Policy"] = "sandbox"
    return response


urlpatterns: list[URLPattern] = [
    path(
        "visits/<uuid:uuid>/news/<slug:language>/generate/",
        news_generate,
        name="news_generate",
    ),
    path("visits/<uuid:uuid>/news/<slug:language>/edit/", news_edit, name="news_edit"),
    path(
        "visits/<uuid:uuid>/news/<slug:language>.<slug:extension>",
        news_download,
        name="news_download",
    ),
]
