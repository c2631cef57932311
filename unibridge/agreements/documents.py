"""Documents of an agreement: uploaded versions, the generated bilingual document, the signed
original.

Writes go through the services here (atomic, permission-checked, audited through
:func:`unibridge.core.services.save_record`); the checks of the files themselves are shared
with other apps in :mod:`unibridge.core.uploads` and :mod:`unibridge.core.documents`.

The generated document is a memorandum in English side by side with the languages of the
parties: Russian for Kazakhstan (and Kazakh when the records have Kazakh names), Russia,
Belarus and Kyrgyzstan, Polish for Poland. :func:`agreement_context` builds what a template
sees (see :func:`sample_context` for its shape); the wording of each language is in
:data:`PHRASES`, the layout in the DOCX template (built-in: ``data/templates/agreement.docx``,
made by ``data/templates/build_agreement_template.py``; administrators upload their own).
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from unibridge.core import cldr, uploads
from unibridge.core import documents as core_documents
from unibridge.core.models import DocumentSource
from unibridge.core.permissions import is_editable
from unibridge.core.services import save_record
from unibridge.core.translations import Fallbacks, content_hash, language_list, languages_of
from unibridge.institutions.models import Institution, OrganizationalUnit, Person

from .document_wording import (
    LANGUAGE_NAMES,
    PHRASES,
    _name,
    _person_name,
    _plural,
    _title,
    document_languages,
    format_date,
)
from .models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementType,
    CooperationCondition,
    Signature,
)

BUILT_IN_TEMPLATE = Path(__file__).parent / "data" / "templates" / "agreement.docx"


# --- The context a template sees --------------------------------------------------------------


@dataclass
class PartyData:
    institution: Institution
    units: list[OrganizationalUnit] = field(default_factory=list)
    signatory: Person | None = None
    signatory_position: str = ""
    signature: Signature | None = None
    # the signatory is confidential: the stored file, which every reader of the agreement
    # may download, names them nowhere (not even as the signature's recorded name)
    signatory_hidden: bool = False
    record: AgreementParty | None = None  # where the position's translations are kept


@dataclass
class ConditionData:
    condition: CooperationCondition
    subject_areas: list[tuple[str, str]] = field(default_factory=list)  # (ISCED code, note)
    languages: list[str] = field(default_factory=list)  # such as "en B2"


@dataclass
class AgreementData:
    """What the document shows, read from the database once (or made up for the sample)."""

    agreement: Agreement
    parties: list[PartyData]
    conditions: list[ConditionData]


def collect(agreement: Agreement) -> AgreementData:
    """Read an agreement's parties and conditions for its document."""
    parties = []
    for party in (
        AgreementParty.objects.filter(agreement=agreement)
        .select_related("institution", "signatory", "signature")
        .prefetch_related("units")
        .order_by("order", "pk")
    ):
        hidden = party.signatory is not None and party.signatory.is_confidential
        parties.append(
            PartyData(
                institution=party.institution,
                units=list(party.units.all()),
                signatory=None if hidden else party.signatory,
                signatory_position=party.signatory_position,
                signature=getattr(party, "signature", None),
                signatory_hidden=hidden,
                record=party,
            )
        )
    conditions = []
    for condition in (
        CooperationCondition.objects.filter(agreement=agreement)
        .select_related(
            "sending_institution", "receiving_institution", "sending_unit", "receiving_unit"
        )
        .prefetch_related("subject_areas", "language_requirements")
        .order_by("order", "pk")
    ):
        conditions.append(
            ConditionData(
                condition=condition,
                subject_areas=[
                    (a.isced_code, a.clarification) for a in condition.subject_areas.all()
                ],
                languages=[
                    " ".join(filter(None, [r.language, r.cefr_level]))
                    for r in condition.language_requirements.all()
                ],
            )
        )
    return AgreementData(agreement=agreement, parties=parties, conditions=conditions)


def _party_context(party: PartyData, language: str, fallbacks: Fallbacks) -> dict[str, Any]:
    institution = party.institution
    signature = party.signature
    person = party.signatory
    signatory = _person_name(person, language)
    # A signature names who actually signed; when it is the party's signatory, the name is
    # written in the column's script from the person's record.
    if (
        signature
        and signature.signatory_name
        and not party.signatory_hidden
        and (
            person is None
            or signature.signatory_name not in (person.name_native, person.name_latin, str(person))
        )
    ):
        signatory = signature.signatory_name
    party_name = _name(institution, language)

    # what the author is told about a fallback names the party in the author's language,
    # read when it is shown (this version is built in its own language)
    def position_of() -> str:
        return str(_("Position of the signatory of %(party)s")) % {
            "party": institution.display_name
        }

    def place_of() -> str:
        return str(_("Place of signature of %(party)s")) % {"party": institution.display_name}

    if signature and signature.signatory_position:
        position = fallbacks.text(signature, "signatory_position", language, position_of)
    elif party.record is not None and party.record.signatory_position:
        position = fallbacks.text(party.record, "signatory_position", language, position_of)
    else:
        position = party.signatory_position
    if not position and party.signatory is not None and party.signatory.position:
        position = fallbacks.text(party.signatory, "position", language, position_of)
    place = ""
    if signature and signature.place:
        place = fallbacks.text(signature, "place", language, place_of)
    units = [_name(unit, language) for unit in party.units]
    # A CountryField reads as a Country; the plugin types it as its CharField base (str).
    country = cast(Country, institution.country)
    return {
        "name": party_name,
        "official_name": institution.name,
        "country": cldr.country_name(country.code, language) if country else "",
        "city": institution.city,
        "is_home": institution.is_home,
        "units": units,
        "units_text": "; ".join(units),
        "signatory": signatory,
        "position": position,
        "signed_on": format_date(signature.signed_on, language) if signature else "",
        "place": place,
    }


def _condition_context(
    item: ConditionData, number: int, language: str, fallbacks: Fallbacks
) -> dict[str, Any]:
    condition, phrases = item.condition, PHRASES[language]
    sending = _name(condition.sending_institution, language)
    if condition.sending_unit is not None:
        sending += f" ({_name(condition.sending_unit, language)})"
    receiving = _name(condition.receiving_institution, language)
    if condition.receiving_unit is not None:
        receiving += f" ({_name(condition.receiving_unit, language)})"
    isced = ", ".join(f"{code} ({note})" if note else code for code, note in item.subject_areas)
    eqf = ", ".join(condition.eqf_levels or [])
    years = f"{condition.first_academic_year} – {condition.last_academic_year}"
    lines = [f"{phrases['per_year']}: {condition.mobilities_per_year}"]
    if condition.total_months_per_year:
        lines.append(f"{phrases['months']}: {condition.total_months_per_year.normalize():f}")
    if condition.total_days_per_year:
        lines.append(f"{phrases['days']}: {condition.total_days_per_year.normalize():f}")
    if isced:
        lines.append(f"{phrases['isced']}: {isced}")
    if eqf:
        lines.append(f"{phrases['eqf']}: {eqf}")
    lines.append(f"{phrases['years']}: {years}")
    if item.languages:
        lines.append(f"{phrases['language_skills']}: {', '.join(item.languages)}")
    if condition.blended:
        lines.append(phrases["blended"])
    if condition.other_info:
        lines.append(condition.other_info)
    return {
        "number": number,
        "mobility_type": str(condition.get_mobility_type_display()),
        "sending": sending,
        "receiving": receiving,
        "direction": f"{sending} → {receiving}",
        "heading": f"{number}. {condition.get_mobility_type_display()}: {sending} → {receiving}",
        "mobilities_per_year": condition.mobilities_per_year,
        "isced": isced,
        "isced_codes": [code for code, _note in item.subject_areas],
        "eqf": eqf,
        "academic_years": years,
        "languages": ", ".join(item.languages),
        "lines": lines,
    }


def _version(data: AgreementData, language: str, fallbacks: Fallbacks) -> dict[str, Any]:
    """The document's text in one language (its fallbacks to another noted in ``fallbacks``)."""
    agreement, phrases = data.agreement, PHRASES[language]
    with translation.override(language):
        effective = format_date(agreement.effective_date, language)
        expiry = format_date(agreement.expiry_date, language)
        validity = [
            phrases["starts_on"].format(date=effective)
            if effective
            else phrases["starts_on_signature"],
            phrases["ends_on"].format(date=expiry) if expiry else phrases["ends_never"],
            phrases["renews"].format(years=_plural(language, agreement.renewal_years, "years"))
            if agreement.renewal_years
            else phrases["no_renewal"],
            phrases["notice"].format(days=_plural(language, agreement.notice_days, "days"))
            if agreement.notice_days
            else phrases["notice_any_time"],
        ]
        return {
            "code": language,
            "language": LANGUAGE_NAMES[language],
            "t": phrases,
            "type_name": _name(agreement.agreement_type, language),
            "heading": _name(agreement.agreement_type, language).upper(),
            "title": _title(agreement, language, fallbacks),
            "parties": [_party_context(party, language, fallbacks) for party in data.parties],
            "areas": [str(label) for label in agreement.cooperation_area_labels],
            "effective": effective or phrases["on_signature"],
            "expiry": expiry or phrases["indefinite"],
            "is_indefinite": agreement.expiry_date is None,
            "validity": validity,
            "conditions": [
                _condition_context(item, number, language, fallbacks)
                for number, item in enumerate(data.conditions, start=1)
            ],
            "final": phrases["final"].format(copies=max(len(data.parties), 2)),
        }


def agreement_languages(data: AgreementData) -> list[str]:
    """The languages of the agreement's document: English and the parties' languages."""
    agreement = data.agreement
    institutions = [party.institution for party in data.parties]
    with_kazakh = "kk" in languages_of(agreement, "title") or any(i.name_kk for i in institutions)
    return document_languages(institutions, with_kazakh=with_kazakh)


def build_context(
    data: AgreementData,
    *,
    languages: list[str] | None = None,
    fallbacks: Fallbacks | None = None,
) -> dict[str, Any]:
    """The template context: ``en`` (English), ``others`` (the parties' languages) and the
    language-neutral facts. See :func:`sample_context` for an example.

    ``languages`` makes the document in those languages only (the first takes English's
    place: ``["ru"]`` is the Russian version alone). Texts without a translation into a
    version's language are noted in ``fallbacks`` (and marked, if it says so).
    """
    agreement = data.agreement
    fallbacks = fallbacks if fallbacks is not None else Fallbacks(mark=False)
    languages = languages or agreement_languages(data)
    versions = [_version(data, language, fallbacks) for language in languages]
    return {
        "reference": agreement.reference,
        "agreement": {
            "reference": agreement.reference,
            "title": agreement.title,
            "summary": agreement.summary,
            "effective_date": agreement.effective_date,
            "expiry_date": agreement.expiry_date,
            "renewal_years": agreement.renewal_years,
            "notice_days": agreement.notice_days,
            "is_indefinite": agreement.expiry_date is None,
            "status": agreement.status,
        },
        "languages": languages,
        "versions": versions,
        "en": versions[0],
        "others": versions[1:],
        "signature_blocks": [
            {
                "en": {"party": versions[0]["parties"][index], "t": versions[0]["t"]},
                "others": [
                    {"party": version["parties"][index], "t": version["t"]}
                    for version in versions[1:]
                ],
            }
            for index in range(len(data.parties))
        ],
        "generated_on": timezone.localdate().isoformat(),
    }


# The statuses in which the document's text may still change: fallbacks are marked "[EN]" in
# the file, for the author to see before the document is final.
DRAFT_STATUSES = ("draft", "in_review", "approved")


def agreement_context(
    agreement: Agreement,
    *,
    languages: list[str] | None = None,
    fallbacks: Fallbacks | None = None,
) -> dict[str, Any]:
    """The template context of an agreement's document."""
    return build_context(collect(agreement), languages=languages, fallbacks=fallbacks)


def document_fallbacks(agreement: Agreement, languages: list[str] | None = None) -> Fallbacks:
    """The texts the agreement's document would print in another language than its own."""
    fallbacks = Fallbacks(mark=False)
    agreement_context(agreement, languages=languages, fallbacks=fallbacks)
    return fallbacks


def sample_context() -> dict[str, Any]:
    """A context of the same shape as a real one, to check uploaded templates against."""
    home = Institution(
        name="Карагандинский индустриальный университет",
        name_en="Karaganda Industrial University",
        name_kk="Қарағанды индустриялық университеті",
        country="KZ",
        city="Temirtau",
        is_home=True,
    )
    partner = Institution(
        name="Akademia Górniczo-Hutnicza", name_en="AGH University of Krakow", country="PL"
    )
    unit = OrganizationalUnit(institution=partner, name="Wydział Inżynierii Mechanicznej")
    agreement_type = AgreementType(name="Memorandum of cooperation", name_ru="Меморандум")
    agreement = Agreement(
        agreement_type=agreement_type,
        reference="MoU-2026-001",
        title="Memorandum of cooperation",
        cooperation_areas=["joint_research", "student_exchange"],
        effective_date=datetime.date(2026, 1, 15),
        expiry_date=None,
        renewal_years=5,
        notice_days=180,
    )
    condition = CooperationCondition(
        agreement=agreement,
        mobility_type="student-studies",
        sending_institution=home,
        receiving_institution=partner,
        receiving_unit=unit,
        mobilities_per_year=2,
        eqf_levels=["6", "7"],
        first_academic_year="2026/2027",
        last_academic_year="2028/2029",
    )
    signatory = Person(name_native="Иван Петров", name_latin="Ivan Petrov", position="Rector")
    data = AgreementData(
        agreement=agreement,
        parties=[
            PartyData(home, [], signatory, "Rector"),
            PartyData(
                partner,
                [unit],
                None,
                "Dean",
                Signature(signed_on=datetime.date(2026, 1, 15), signatory_name="Jan Nowak"),
            ),
        ],
        conditions=[ConditionData(condition, [("0715", "mechanics")], ["en B2"])],
    )
    return build_context(data)


# --- Rendering ---------------------------------------------------------------------------------


def template_for(agreement_type: AgreementType) -> tuple[bytes, str]:
    """The DOCX template of a type (its uploaded one when in use, else the built-in one) and
    its name for messages."""
    template = agreement_type.document_template
    if template is not None and template.is_active:
        try:
            with template.file.open("rb") as handle:
                return handle.read(), template.name
        except (FileNotFoundError, ValueError) as error:
            raise core_documents.TemplateProblem(
                _("The file of the document template “%(name)s” is missing; upload it again.")
                % {"name": template.name}
            ) from error
    return BUILT_IN_TEMPLATE.read_bytes(), str(_("the built-in template"))


class Rendered(NamedTuple):
    """A rendered document, the hash of what it was made from, and the texts it fell back on."""

    docx: bytes
    source_hash: str
    fallbacks: Fallbacks


def render_agreement(agreement: Agreement, *, languages: list[str] | None = None) -> Rendered:
    """The agreement's document from its type's template, with what generating must know.

    Fallbacks are marked in the file while the agreement is a draft (its text can change).
    Raises :class:`unibridge.core.documents.TemplateProblem` when the template is broken.
    """
    template, name = template_for(agreement.agreement_type)
    fallbacks = Fallbacks(mark=agreement.status in DRAFT_STATUSES)
    context = agreement_context(agreement, languages=languages, fallbacks=fallbacks)
    # the day of generation is not an input: an unchanged record makes an unchanged document
    inputs = {key: value for key, value in context.items() if key != "generated_on"}
    source_hash = content_hash({"template": core_sha256(template), "context": inputs})
    try:
        docx = core_documents.render_docx(template, context)
    except core_documents.TemplateProblem as error:
        raise core_documents.TemplateProblem(
            _("The document template “%(name)s” is broken. %(problem)s")
            % {"name": name, "problem": error}
        ) from error
    return Rendered(docx, source_hash, fallbacks)


def core_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def render_agreement_docx(agreement: Agreement, *, languages: list[str] | None = None) -> bytes:
    """The agreement's document as DOCX bytes, from its type's template.

    Raises :class:`unibridge.core.documents.TemplateProblem` when the template is broken.
    """
    return render_agreement(agreement, languages=languages).docx


def convert_to_pdf(docx: bytes) -> bytes:
    """PDF bytes of a DOCX (LibreOffice); see :func:`unibridge.core.documents.convert_to_pdf`."""
    return core_documents.convert_to_pdf(docx)


# --- Services ------------------------------------------------------------------------------------


def require_editor(agreement: Agreement, user) -> None:
    """Raise PermissionDenied (403) unless the user may change the agreement."""
    if not is_editable(agreement, user):
        raise PermissionDenied(_("You may not change the documents of this agreement."))


def _lock(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def _next_version(agreement: Agreement) -> int:
    """The next version number; call with the agreement locked, so two uploads never clash."""
    last = AgreementDocument.objects.filter(agreement=agreement).aggregate(last=Max("version"))
    return (last["last"] or 0) + 1


def _add_version(
    *,
    agreement: Agreement,
    user,
    content: File | bytes,
    content_type: str,
    extension: str,
    original_name: str,
    title: str,
    source: str,
    source_hash: str = "",
) -> AgreementDocument:
    """Write the file and its row as the agreement's next version (inside a transaction)."""
    document = AgreementDocument(
        agreement=agreement,
        version=_next_version(agreement),
        title=title,
        source_hash=source_hash,
        content_type=content_type,
        source=source,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    with uploads.stored(document, content, extension=extension, original_name=original_name):
        save_record(instance=document, user=user)
    return document


def document_upload(
    *, agreement: Agreement, user, file: File, title: str = ""
) -> AgreementDocument:
    """Add an uploaded file as the agreement's next document version.

    The file is checked by its content (PDF, DOCX, ODT, JPEG or PNG, at most 20 MB); a
    refused file raises :class:`ValidationError` and leaves nothing behind.
    """
    require_editor(agreement, user)
    try:
        content_type, extension = uploads.check_upload(file)
    except ValidationError as error:
        raise ValidationError({"file": error}) from error
    with transaction.atomic():
        locked = _lock(agreement)
        return _add_version(
            agreement=locked,
            user=user,
            content=file,
            content_type=content_type,
            extension=extension,
            original_name=file.name or "",
            title=title.strip(),
            source=DocumentSource.UPLOADED,
        )


class GeneratedDocuments(NamedTuple):
    """What :func:`document_generate` wrote: the DOCX, and the PDF unless conversion failed."""

    docx: AgreementDocument
    pdf: AgreementDocument | None
    pdf_error: str = ""
    # nothing changed since this version: no new one was added
    unchanged: bool = False
    fallbacks: Fallbacks = Fallbacks()


def latest_generated(agreement: Agreement) -> AgreementDocument | None:
    """The newest generated DOCX of the agreement."""
    return (
        AgreementDocument.objects.filter(
            agreement=agreement, source=DocumentSource.GENERATED, content_type=uploads.DOCX_TYPE
        )
        .order_by("-version")
        .first()
    )


def generation_languages(agreement: Agreement) -> list[str]:
    """The languages a document of the agreement can be generated in alone."""
    return agreement_languages(collect(agreement))


def document_generate(
    *, agreement: Agreement, user, pdf: bool = True, language: str = ""
) -> GeneratedDocuments:
    """Generate the agreement's document from its type's template: a DOCX version and a PDF.

    ``language`` makes the version in that language alone (one of
    :func:`generation_languages`); by default it is English beside the parties' languages.
    When the newest generated version was made from the same template and the same texts,
    nothing is added: the result names that version with ``unchanged``.

    A broken template raises :class:`ValidationError` and writes nothing. When only the PDF
    conversion fails (LibreOffice missing, too slow), the DOCX is kept and the result says why
    the PDF is missing.
    """
    require_editor(agreement, user)
    languages = None
    if language:
        if language not in generation_languages(agreement):
            raise ValidationError(
                {
                    "language": _(
                        "The document of this agreement is written in %(languages)s; "
                        "“%(language)s” is not one of them."
                    )
                    % {
                        "languages": language_list(generation_languages(agreement)),
                        "language": language,
                    }
                },
                code="language",
            )
        languages = [language]
    try:
        rendered = render_agreement(agreement, languages=languages)
    except core_documents.DocumentError as error:
        raise ValidationError(str(error), code="template") from error
    latest = latest_generated(agreement)
    if latest is not None and latest.source_hash == rendered.source_hash:
        return GeneratedDocuments(latest, None, "", unchanged=True, fallbacks=rendered.fallbacks)
    docx = rendered.docx
    pdf_bytes, pdf_error = None, ""
    if pdf:
        try:
            pdf_bytes = convert_to_pdf(docx)
        except core_documents.ConversionError as error:
            pdf_error = str(error)
    base = uploads.safe_name(agreement.reference, default="agreement")
    title = str(_("Generated from the template"))
    if language:
        base = f"{base}-{language}"
        title = f"{title} ({cldr.language_name(language)})"
    with transaction.atomic():
        locked = _lock(agreement)
        docx_document = _add_version(
            agreement=locked,
            user=user,
            content=docx,
            content_type=uploads.DOCX_TYPE,
            extension="docx",
            original_name=f"{base}.docx",
            title=title,
            source=DocumentSource.GENERATED,
            source_hash=rendered.source_hash,
        )
        pdf_document = None
        if pdf_bytes is not None:
            pdf_document = _add_version(
                agreement=locked,
                user=user,
                content=pdf_bytes,
                content_type="application/pdf",
                extension="pdf",
                original_name=f"{base}.pdf",
                title=title,
                source=DocumentSource.GENERATED,
                source_hash=rendered.source_hash,
            )
    return GeneratedDocuments(docx_document, pdf_document, pdf_error, fallbacks=rendered.fallbacks)


@transaction.atomic
def document_mark_signed_original(
    *, document: AgreementDocument, user, signed: bool = True
) -> AgreementDocument:
    """Mark a version as the signed original (the one marked before loses the mark), or
    unmark it with ``signed=False``."""
    agreement = _lock(document.agreement)
    require_editor(agreement, user)
    locked = AgreementDocument.objects.select_for_update().get(pk=document.pk)
    if signed:
        for previous in AgreementDocument.objects.filter(
            agreement=agreement, is_signed_original=True
        ).exclude(pk=locked.pk):
            previous.is_signed_original = False
            save_record(instance=previous, user=user)
    if locked.is_signed_original != signed:
        locked.is_signed_original = signed
        save_record(instance=locked, user=user)
    document.is_signed_original = locked.is_signed_original
    return locked
