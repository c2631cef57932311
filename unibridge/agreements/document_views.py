"""Pages for agreement documents: upload versions, generate from the template, download.

The documents tab of the agreement page lists the versions and holds the forms; the actions
here answer with a redirect back to it and a message. Outsiders to an agreement get 404 for
everything, including its files; those who see but may not change it get 403 for changes.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from unibridge.core import documents as core_documents
from unibridge.core import uploads
from unibridge.core.translations import language_list
from unibridge.core.views_support import report_errors, saved_upload, visible_or_404

from . import documents
from .models import Agreement, AgreementDocument


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A PDF, DOCX or ODT document or a JPEG or PNG scan, at most 20 MB. The type is "
            "read from the file's content."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Such as “Draft sent to the partner” or “Signed scan”."),
    )


class DocumentGenerateForm(forms.Form):
    """Which languages the generated document is in: all of them, or one alone."""

    language = forms.ChoiceField(label=gettext_lazy("Languages"), required=False)

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("All: %(languages)s") % {"languages": language_list(languages)}),
            *[
                (code, _("%(language)s only") % {"language": language_list([code])})
                for code in languages
            ],
        ]


def documents_tab_context(agreement) -> dict:
    """Context for the agreement page's documents tab."""
    template = agreement.agreement_type.document_template
    languages = documents.generation_languages(agreement)
    versions = list(agreement.documents.select_related("uploaded_by"))
    for document in versions:
        kind = uploads.KINDS_BY_EXTENSION.get(document.file.name.rpartition(".")[2].lower())
        document.type_label = kind.extension.upper() if kind else document.content_type
    return {
        "documents": versions,
        "upload_form": DocumentUploadForm(),
        "max_upload_mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
        "document_template_name": (
            template.name if template is not None and template.is_active else ""
        ),
        "pdf_available": core_documents.soffice_path() is not None,
        "generate_form": DocumentGenerateForm(languages=languages),
        # what the document would print in another language, for the author to translate
        "fallbacks": documents.document_fallbacks(agreement).summary(),
    }


def _visible_agreement(request: HttpRequest, uuid) -> Agreement:
    return visible_or_404(Agreement.objects.visible_to(request.user), uuid)


def _back(agreement: Agreement) -> HttpResponse:
    return redirect(reverse("agreements:agreement_tab", args=[agreement.uuid, "documents"]))


@login_required
@require_POST
def document_upload(request: HttpRequest, uuid) -> HttpResponse:
    """Add an uploaded file as the agreement's next document version."""
    agreement = _visible_agreement(request, uuid)
    document = saved_upload(
        request,
        DocumentUploadForm(request.POST, request.FILES),
        require_editor=lambda: documents.require_editor(agreement, request.user),
        save=lambda data: documents.document_upload(
            agreement=agreement, user=request.user, file=data["file"], title=data["title"]
        ),
    )
    if document is not None:
        messages.success(
            request,
            _("“%(name)s” was added as version %(version)s.")
            % {"name": document.original_name, "version": document.version},
        )
    return _back(agreement)


@login_required
@require_POST
def document_generate(request: HttpRequest, uuid) -> HttpResponse:
    """Generate the agreement's document (DOCX and PDF) from its type's template."""
    agreement = _visible_agreement(request, uuid)
    form = DocumentGenerateForm(request.POST, languages=documents.generation_languages(agreement))
    if not form.is_valid():
        documents.require_editor(agreement, request.user)
        messages.error(request, _("Choose the languages of the document from the list."))
        return _back(agreement)
    try:
        result = documents.document_generate(
            agreement=agreement, user=request.user, language=form.cleaned_data["language"]
        )
    except ValidationError as error:
        report_errors(request, error)
        return _back(agreement)
    if result.fallbacks:
        messages.warning(request, result.fallbacks.summary())
    if result.unchanged:
        messages.info(
            request,
            _("No changes since version %(version)s; no new version was added.")
            % {"version": result.docx.version},
        )
    elif result.pdf is not None:
        messages.success(
            request,
            _("The document was generated: version %(docx)s (DOCX) and %(pdf)s (PDF).")
            % {"docx": result.docx.version, "pdf": result.pdf.version},
        )
    else:
        messages.success(
            request,
            _("The document was generated as version %(docx)s (DOCX).")
            % {"docx": result.docx.version},
        )
        messages.error(request, _("No PDF was made: %(problem)s") % {"problem": result.pdf_error})
    return _back(agreement)


@login_required
@require_GET
def document_download(request: HttpRequest, uuid, document_uuid) -> FileResponse:
    """A document's file, to those who may see the agreement (others get 404)."""
    visible = AgreementDocument.objects.filter(
        agreement__in=Agreement.objects.visible_to(request.user)
    )
    return uploads.download(visible, uuid=document_uuid, agreement__uuid=uuid)


@login_required
@require_POST
def document_signed_original(request: HttpRequest, uuid, document_uuid) -> HttpResponse:
    """Mark a version as the signed original (``signed=0`` removes the mark)."""
    agreement = _visible_agreement(request, uuid)
    document = get_object_or_404(agreement.documents, uuid=document_uuid)
    signed = request.POST.get("signed", "1") != "0"
    try:
        documents.document_mark_signed_original(document=document, user=request.user, signed=signed)
    except ValidationError as error:
        report_errors(request, error)
    else:
        if signed:
            message = _("Version %(version)s is now the signed original.")
        else:
            message = _("Version %(version)s is no longer marked as the signed original.")
        messages.success(request, message % {"version": document.version})
    return _back(agreement)


urlpatterns: list[URLPattern] = [
    path(
        "agreements/<uuid:uuid>/documents/upload/",
        document_upload,
        name="document_upload",
    ),
    path(
        "agreements/<uuid:uuid>/documents/generate/",
        document_generate,
        name="document_generate",
    ),
    path(
        "agreements/<uuid:uuid>/documents/<uuid:document_uuid>/download/",
        document_download,
        name="document_download",
    ),
    path(
        "agreements/<uuid:uuid>/documents/<uuid:document_uuid>/signed-original/",
        document_signed_original,
        name="document_signed_original",
    ),
]
