"""Pages for visit documents: uploads, photos, generated letters, programme and certificates.

The documents tab of the visit page lists the files and holds the forms; the actions here
answer with a redirect back to it and a message. Outsiders to a visit (a confidential one)
get 404 for everything, including its files; those who see but may not change it get 403
for changes.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from unibridge.core import cldr, uploads
from unibridge.core import documents as core_documents
from unibridge.core.models import DocumentTemplate
from unibridge.core.views_support import (
    report_errors,
    report_form_errors,
    saved_upload,
    visible_or_404,
)
from unibridge.core.visibility import visible_ids
from unibridge.institutions.models import Person

from . import document_services, documents
from .choices import ParticipantSide
from .models import Visit, VisitDocument, VisitDocumentKind, VisitParticipant


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A PDF, DOCX or ODT document or a JPEG or PNG image, at most 20 MB; photos are JPEG "
            "or PNG. The type is read from the file's content."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT_ATTRIBUTE}),
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Such as “Signed programme” or “Round table, group photo”."),
    )
    is_photo = forms.BooleanField(
        label=gettext_lazy("This is a photo of the visit"), required=False
    )


def signatory_choices(visit: Visit, user) -> QuerySet[Person]:
    """Who may sign generated documents: the visit's responsible people and the host
    institution's participants of the visit (a bounded list: a university has thousands of
    people, and the signatory of a visit's letters takes part in it)."""
    # two small id lists, not an OR across joins (which scans every person)
    responsible = Visit.responsible_people.through.objects.filter(visit=visit).values("person_id")
    hosts = VisitParticipant.objects.filter(
        visit=visit, person__institution=visit.host_institution_id
    ).values("person_id")
    return (
        Person.objects.visible_to(user)
        .filter(Q(pk__in=responsible) | Q(pk__in=hosts))
        .order_by("name_latin", "pk")
    )


class GenerateForm(forms.Form):
    signatory = forms.ModelChoiceField(
        label=gettext_lazy("Signed by"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("The visit's first responsible person"),
        help_text=gettext_lazy("Signs the letters and certificates on behalf of the host."),
    )

    def __init__(self, *args, visit: Visit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatory"].queryset = signatory_choices(visit, user)


def _type_label(document: VisitDocument) -> str:
    kind = uploads.KINDS_BY_EXTENSION.get(document.file.name.rpartition(".")[2].lower())
    return kind.extension.upper() if kind else document.content_type


def _by_member(docs: list[VisitDocument]) -> list[VisitDocument]:
    """Generated documents of members, each member's together, in the delegation's order
    (documents of a member removed from the visit come last)."""

    def key(document: VisitDocument) -> tuple:
        member = document.participant
        return (member is None, member.order if member else 0, document.participant_id or 0)

    return sorted(docs, key=key)  # stable: newest first within a member


def visible_documents(documents: QuerySet[VisitDocument], user) -> QuerySet[VisitDocument]:
    """Documents issued for a member (a visa letter, a certificate) only to those who may
    see that member; the visit's other documents to all who see the visit."""
    return documents.filter(
        Q(participant__isnull=True) | Q(participant__person__in=visible_ids(Person, user))
    )


def tab_context(visit: Visit, user) -> dict:
    """Context for the visit page's documents tab."""
    all_documents = list(
        visible_documents(visit.documents.all(), user)
        .select_related("uploaded_by", "participant__person")
        .order_by("-created", "-pk")
    )
    by_kind: dict[str, list[VisitDocument]] = {kind: [] for kind in VisitDocumentKind.values}
    for document in all_documents:
        document.type_label = _type_label(document)
        by_kind.setdefault(document.kind, []).append(document)
    members = list(
        VisitParticipant.objects.filter(
            visit=visit,
            side=ParticipantSide.DELEGATION,
            person__in=visible_ids(Person, user),
        )
        .select_related("person")
        .order_by("order", "pk")
    )
    visa_problems = [
        problem
        for member in members
        if member.needs_visa_invitation and (problem := documents.visa_data_problem(member))
    ]
    custom_templates = dict(
        DocumentTemplate.objects.filter(
            kind__in=[kind for kind, _path in documents.TEMPLATES.values()], is_active=True
        )
        .order_by("kind", "updated", "pk")
        .values_list("kind", "name")
    )
    return {
        "visa_letters": _by_member(by_kind[VisitDocumentKind.VISA_INVITATION]),
        "programme_documents": by_kind[VisitDocumentKind.PROGRAMME],
        "certificates": _by_member(by_kind[VisitDocumentKind.ATTENDANCE_CERTIFICATE]),
        "uploads": by_kind[VisitDocumentKind.UPLOAD] + by_kind[VisitDocumentKind.NEWS],
        "photos": by_kind[VisitDocumentKind.PHOTO],
        "has_documents": bool(all_documents),
        "members_needing_visa": sum(member.needs_visa_invitation for member in members),
        "delegation_size": len(members),
        "visa_problems": visa_problems,
        "custom_templates": sorted(custom_templates.values()),
        "upload_form": DocumentUploadForm(),
        "generate_form": GenerateForm(visit=visit, user=user),
        "max_upload_mb": uploads.MAX_UPLOAD_BYTES // (1024 * 1024),
        "pdf_available": core_documents.soffice_path() is not None,
        # named in the reader's language: "казахский, русский"
        "host_languages": cldr.language_names(documents.host_languages(visit)),
    }


def _visible_visit(request: HttpRequest, uuid) -> Visit:
    return visible_or_404(
        Visit.objects.visible_to(request.user).select_related(
            "host_institution", "visiting_institution"
        ),
        uuid,
    )


def _back(visit: Visit) -> HttpResponse:
    return redirect(reverse("visits:visit_tab", args=[visit.uuid, "documents"]))


@login_required
@require_POST
def document_upload(request: HttpRequest, uuid) -> HttpResponse:
    """Keep an uploaded file or photo of the visit."""
    visit = _visible_visit(request, uuid)
    document = saved_upload(
        request,
        DocumentUploadForm(request.POST, request.FILES),
        require_editor=lambda: document_services.require_editor(visit, request.user),
        save=lambda data: document_services.document_upload(
            visit=visit,
            user=request.user,
            file=data["file"],
            title=data["title"],
            photo=data["is_photo"],
        ),
    )
    if document is not None:
        messages.success(request, _("“%(name)s” was added.") % {"name": document.original_name})
    return _back(visit)


def _generate(
    request: HttpRequest,
    uuid,
    service: Callable[..., document_services.GenerationResult],
    what: str,
) -> HttpResponse:
    """Run a generation service with the chosen signatory and report what it wrote."""
    visit = _visible_visit(request, uuid)
    document_services.require_editor(visit, request.user)
    form = GenerateForm(request.POST, visit=visit, user=request.user)
    if not form.is_valid():
        report_form_errors(request, form)
        return _back(visit)
    try:
        result = service(visit=visit, user=request.user, signatory=form.cleaned_data["signatory"])
    except ValidationError as error:
        report_errors(request, error)
        return _back(visit)
    for problem in result.problems:
        messages.error(request, problem)
    if result.fallbacks:
        messages.warning(request, result.fallbacks)
    if result.generated:
        docx = len(result.generated)
        pdf = sum(item.pdf is not None for item in result.generated)
        messages.success(
            request,
            ngettext(
                "%(what)s: %(docx)s DOCX and %(pdf)s PDF file were generated.",
                "%(what)s: %(docx)s DOCX and %(pdf)s PDF files were generated.",
                docx,
            )
            % {"what": what, "docx": docx, "pdf": pdf},
        )
    if result.pdf_error:
        messages.error(request, _("No PDF was made: %(problem)s") % {"problem": result.pdf_error})
    return _back(visit)


@login_required
@require_POST
def visa_invitations_generate(request: HttpRequest, uuid) -> HttpResponse:
    """Generate the visa invitation letters of the members who need one."""
    return _generate(
        request, uuid, document_services.visa_invitations_generate, _("Visa invitation letters")
    )


@login_required
@require_POST
def programme_generate(request: HttpRequest, uuid) -> HttpResponse:
    """Generate the visit's programme."""
    return _generate(request, uuid, document_services.programme_generate, _("Visit programme"))


@login_required
@require_POST
def attendance_certificates_generate(request: HttpRequest, uuid) -> HttpResponse:
    """Generate a certificate of attendance for each delegation member."""
    return _generate(
        request,
        uuid,
        document_services.attendance_certificates_generate,
        _("Certificates of attendance"),
    )


@login_required
@require_GET
def document_download(request: HttpRequest, uuid, document_uuid) -> FileResponse:
    """A document's file, to those who may see the visit (others get 404)."""
    visits = Visit.objects.visible_to(request.user)
    visible = visible_documents(VisitDocument.objects.filter(visit__in=visits), request.user)
    return uploads.download(visible, uuid=document_uuid, visit__uuid=uuid)


@login_required
@require_POST
def document_delete(request: HttpRequest, uuid, document_uuid) -> HttpResponse:
    """Delete a document of the visit and its file."""
    visit = _visible_visit(request, uuid)
    document = get_object_or_404(visit.documents.select_related("visit"), uuid=document_uuid)
    name = document.original_name
    document_services.document_delete(document=document, user=request.user)
    messages.success(request, _("“%(name)s” was deleted.") % {"name": name})
    return _back(visit)


urlpatterns: list[URLPattern] = [
    path(
        "visits/<uuid:uuid>/documents/upload/",
        document_upload,
        name="visit_document_upload",
    ),
    path(
        "visits/<uuid:uuid>/documents/generate/visa-invitations/",
        visa_invitations_generate,
        name="visit_visa_invitations_generate",
    ),
    path(
        "visits/<uuid:uuid>/documents/generate/programme/",
        programme_generate,
        name="visit_programme_generate",
    ),
    path(
        "visits/<uuid:uuid>/documents/generate/certificates/",
        attendance_certificates_generate,
        name="visit_certificates_generate",
    ),
    path(
        "visits/<uuid:uuid>/documents/<uuid:document_uuid>/download/",
        document_download,
        name="visit_document_download",
    ),
    path(
        "visits/<uuid:uuid>/documents/<uuid:document_uuid>/delete/",
        document_delete,
        name="visit_document_delete",
    ),
]
