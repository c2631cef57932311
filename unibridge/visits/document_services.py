"""Writes of visit documents: generating visa invitation letters, programmes and certificates
of attendance (the latest set of each kind kept), uploading and deleting files and photos.

What the documents say is :mod:`unibridge.visits.documents`'; the files themselves are
checked, stored and served by :mod:`unibridge.core.uploads`.
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from unibridge.core import documents as core_documents
from unibridge.core import uploads
from unibridge.core.models import DocumentSource
from unibridge.core.permissions import is_editable
from unibridge.core.services import delete_record, save_record
from unibridge.institutions.models import Person

from .choices import ParticipantSide, VisitStatus
from .documents import (
    collect,
    host_languages,
    render_attendance_certificate_docx,
    render_programme_docx,
    render_visa_invitation_docx,
    template_for,
    visa_data_problem,
)
from .models import Visit, VisitDocument, VisitDocumentKind, VisitParticipant

# Several LibreOffice conversions at once (each has its own profile, see core.documents):
# thirty letters take a few seconds instead of a minute.
PDF_WORKERS = 4


def require_editor(visit: Visit, user) -> None:
    """Raise PermissionDenied (403) unless the user may change the visit."""
    if not is_editable(visit, user):
        raise PermissionDenied(_("You may not change the documents of this visit."))


class Generated(NamedTuple):
    """One generated document: its DOCX, and its PDF unless the conversion failed."""

    participant: VisitParticipant | None
    docx: VisitDocument
    pdf: VisitDocument | None


@dataclass
class GenerationResult:
    """What a generation wrote, the members left out and why, and why PDFs are missing."""

    generated: list[Generated] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    pdf_error: str = ""
    # "2 texts fall back to English: …", for the author to translate (empty when none)
    fallbacks: str = ""


@dataclass
class _Pending:
    participant: VisitParticipant | None
    base_name: str
    title: str
    docx: bytes
    pdf: bytes | None = None


def _convert_all(pending: list[_Pending]) -> str:
    """Convert every DOCX to PDF (a few at a time); the first failure's message, if any."""

    def convert(item: _Pending) -> str:
        try:
            item.pdf = core_documents.convert_to_pdf(item.docx)
        except core_documents.ConversionError as error:
            return str(error)
        return ""

    if not pending:
        return ""
    with ThreadPoolExecutor(max_workers=min(PDF_WORKERS, len(pending))) as pool:
        errors = [error for error in pool.map(convert, pending) if error]
    return errors[0] if errors else ""


def _store(
    *, visit: Visit, user, kind: str, content: File | bytes, content_type: str, extension: str,
    original_name: str, title: str, source: str, participant: VisitParticipant | None = None,
    language: str = "",
) -> VisitDocument:  # fmt: skip
    """Write a file and its row (inside the caller's transaction)."""
    document = VisitDocument(
        visit=visit,
        kind=kind,
        participant=participant,
        language=language,
        title=title,
        content_type=content_type,
        source=source,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    with uploads.stored(document, content, extension=extension, original_name=original_name):
        save_record(instance=document, user=user)
    return document


def _remove(document: VisitDocument, user) -> None:
    """Delete a row now and its file once the transaction has committed (a rollback keeps
    both)."""
    storage, name = document.file.storage, document.file.name
    delete_record(instance=document, user=user)
    transaction.on_commit(lambda: storage.delete(name))


def _write(
    *, visit: Visit, user, kind: str, pending: list[_Pending], result: GenerationResult
) -> GenerationResult:
    """Replace the earlier generated documents of the same kind (and member) by the new ones.

    Generated documents are reproducible from the record, so only the latest set is kept.
    """
    language = "+".join(host_languages(visit))
    with transaction.atomic():
        Visit.objects.select_for_update().get(pk=visit.pk)  # one generation at a time
        participants = [item.participant for item in pending]
        earlier = VisitDocument.objects.filter(
            visit=visit, kind=kind, source=DocumentSource.GENERATED
        )
        if kind != VisitDocumentKind.PROGRAMME:
            earlier = earlier.filter(participant__in=[p for p in participants if p is not None])
        for document in earlier:
            _remove(document, user)
        for item in pending:
            stored = [
                _store(
                    visit=visit,
                    user=user,
                    kind=kind,
                    content=content,
                    content_type=content_type,
                    extension=extension,
                    original_name=f"{item.base_name}.{extension}",
                    title=item.title,
                    source=DocumentSource.GENERATED,
                    participant=item.participant,
                    language=language,
                )
                for content, content_type, extension in (
                    (item.docx, uploads.DOCX_TYPE, "docx"),
                    (item.pdf, uploads.PDF.content_type, "pdf"),
                )
                if content is not None
            ]
            result.generated.append(
                Generated(item.participant, stored[0], stored[1] if len(stored) > 1 else None)
            )
    return result


def _delegation(visit: Visit) -> list[VisitParticipant]:
    return list(
        VisitParticipant.objects.filter(visit=visit, side=ParticipantSide.DELEGATION)
        .select_related("person__institution")
        .order_by("order", "pk")
    )


def _refuse_cancelled(visit: Visit, what: str) -> None:
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(
            _("The visit was cancelled; no %(what)s are made for it.") % {"what": what},
            code="cancelled",
        )


def _template_error(error: core_documents.DocumentError) -> ValidationError:
    return ValidationError(str(error), code="template")


def visa_invitations_generate(
    *, visit: Visit, user, signatory: Person | None = None, pdf: bool = True
) -> GenerationResult:
    """Write a visa invitation letter (DOCX and PDF) for each delegation member who needs one.

    Members without a nationality or passport number get no letter; the result names them
    and what is missing, and the others' letters are written. A broken template, or no member
    needing a letter, raises :class:`ValidationError` and writes nothing.
    """
    require_editor(visit, user)
    _refuse_cancelled(visit, _("visa invitation letters"))
    members = [member for member in _delegation(visit) if member.needs_visa_invitation]
    if not members:
        raise ValidationError(
            _(
                "No delegation member needs a visa invitation letter; mark those who do on the "
                "Participants tab."
            ),
            code="nobody",
        )
    data = collect(visit, signatory)
    result = GenerationResult()
    pending = []
    try:
        template = template_for(VisitDocumentKind.VISA_INVITATION)
        for member in members:
            problem = visa_data_problem(member)
            if problem:
                result.problems.append(problem)
                continue
            name = member.person.name_latin
            pending.append(
                _Pending(
                    participant=member,
                    base_name=uploads.safe_name(f"Visa invitation - {name}"),
                    title=_("Visa invitation letter: %(name)s") % {"name": name},
                    docx=render_visa_invitation_docx(member, data=data, template=template),
                )
            )
    except core_documents.DocumentError as error:
        raise _template_error(error) from error
    result.fallbacks = data.fallbacks.summary()
    if pdf:
        result.pdf_error = _convert_all(pending)
    return _write(
        visit=visit,
        user=user,
        kind=VisitDocumentKind.VISA_INVITATION,
        pending=pending,
        result=result,
    )


def attendance_certificates_generate(
    *, visit: Visit, user, signatory: Person | None = None, pdf: bool = True
) -> GenerationResult:
    """Write a certificate of attendance (DOCX and PDF) for each delegation member."""
    require_editor(visit, user)
    _refuse_cancelled(visit, _("certificates of attendance"))
    members = _delegation(visit)
    if not members:
        raise ValidationError(
            _("The visit has no delegation members; add them on the Participants tab."),
            code="nobody",
        )
    data = collect(visit, signatory)
    result = GenerationResult()
    try:
        template = template_for(VisitDocumentKind.ATTENDANCE_CERTIFICATE)
        pending = [
            _Pending(
                participant=member,
                base_name=uploads.safe_name(
                    f"Certificate of attendance - {member.person.name_latin}"
                ),
                title=_("Certificate of attendance: %(name)s") % {"name": member.person.name_latin},
                docx=render_attendance_certificate_docx(member, data=data, template=template),
            )
            for member in members
        ]
    except core_documents.DocumentError as error:
        raise _template_error(error) from error
    result.fallbacks = data.fallbacks.summary()
    if pdf:
        result.pdf_error = _convert_all(pending)
    return _write(
        visit=visit,
        user=user,
        kind=VisitDocumentKind.ATTENDANCE_CERTIFICATE,
        pending=pending,
        result=result,
    )


def programme_generate(
    *, visit: Visit, user, signatory: Person | None = None, pdf: bool = True
) -> GenerationResult:
    """Write the visit's programme (DOCX and PDF), replacing the one generated before."""
    require_editor(visit, user)
    data = collect(visit, signatory)
    try:
        docx = render_programme_docx(visit, data=data)
    except core_documents.DocumentError as error:
        raise _template_error(error) from error
    pending = [
        _Pending(
            participant=None,
            base_name=uploads.safe_name(f"Programme - {visit.title}", default="Programme"),
            title=_("Visit programme"),
            docx=docx,
        )
    ]
    result = GenerationResult(fallbacks=data.fallbacks.summary())
    if pdf:
        result.pdf_error = _convert_all(pending)
    return _write(
        visit=visit, user=user, kind=VisitDocumentKind.PROGRAMME, pending=pending, result=result
    )


PHOTO_KINDS = (uploads.JPEG, uploads.PNG)


def document_upload(
    *, visit: Visit, user, file: File, title: str = "", photo: bool = False
) -> VisitDocument:
    """Keep an uploaded file of the visit: a document (PDF, DOCX, ODT, JPEG, PNG) or a photo
    (JPEG, PNG), at most 20 MB, checked by its content.

    A refused file raises :class:`ValidationError` and leaves nothing behind.
    """
    require_editor(visit, user)
    kinds = PHOTO_KINDS if photo else uploads.DOCUMENT_KINDS
    try:
        content_type, extension = uploads.check_upload(file, kinds=kinds)
    except ValidationError as error:
        raise ValidationError({"file": error}) from error
    with transaction.atomic():
        return _store(
            visit=visit,
            user=user,
            kind=VisitDocumentKind.PHOTO if photo else VisitDocumentKind.UPLOAD,
            content=file,
            content_type=content_type,
            extension=extension,
            original_name=file.name or "",
            title=title.strip(),
            source=DocumentSource.UPLOADED,
        )


def document_delete(*, document: VisitDocument, user) -> None:
    """Delete a document of the visit and its file."""
    require_editor(document.visit, user)
    with transaction.atomic():
        _remove(document, user)
