"""Agreement documents: uploaded versions, downloads, the signed original, the generated
bilingual document (DOCX and PDF) and templates that break."""

import datetime
import hashlib
import io
from pathlib import Path

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from unibridge.agreements import document_wording, documents
from unibridge.agreements.models import AgreementDocument, AgreementType
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    CooperationConditionFactory,
    SignatureFactory,
    SubjectAreaFactory,
)
from unibridge.core import documents as core_documents
from unibridge.core import testing
from unibridge.core.models import DocumentTemplate
from unibridge.core.testing import (
    docx_bytes,
    files_in,
    jpeg_bytes,
    messages_of,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    text_of_docx,
)
from unibridge.institutions.tests import factories as institution_factories
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

# The partner and the LibreOffice check every document test uses.
agh, soffice = institution_factories.agh, testing.soffice


@pytest.fixture
def agreement(home, agh, engineering):
    """A memorandum with mobility conditions between the home university and AGH."""
    home.name_ru = "Карагандинский индустриальный университет"
    home.save()
    agreement = AgreementFactory(
        agreement_type=AgreementType.objects.get(code="erasmus-ka171"),
        reference="KA171-2026-007",
        title="Memorandum of cooperation with AGH",
        title_ru="Меморандум о сотрудничестве с AGH",
        cooperation_areas=["joint_research", "student_exchange"],
        effective_date=datetime.date(2026, 3, 1),
        expiry_date=datetime.date(2031, 2, 28),
        renewal_years=5,
        notice_days=180,
    )
    rector = PersonFactory(
        name_native="Арман Жумабеков", name_latin="Arman Zhumabekov", institution=home
    )
    dean = PersonFactory(name_native="Tomasz Niedoba", institution=agh)
    AgreementPartyFactory(
        agreement=agreement,
        institution=home,
        units=[engineering],
        signatory=rector,
        signatory_position="Rector",
        order=0,
    )
    agh_party = AgreementPartyFactory(
        agreement=agreement, institution=agh, signatory=dean, signatory_position="Dean", order=1
    )
    SignatureFactory(
        party=agh_party,
        signed_on=datetime.date(2026, 2, 20),
        place="Kraków",
        signatory_name="Tomasz Niedoba",
        signatory_position="Dean",
    )
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    SubjectAreaFactory(condition=condition, isced_code="0724", clarification="Mining")
    return agreement


@pytest.fixture
def confidential(agreement):
    agreement.is_confidential = True
    agreement.save()
    return agreement


def tab_url(agreement) -> str:
    return f"/agreements/{agreement.uuid}/documents/"


def upload_url(agreement) -> str:
    return f"/agreements/{agreement.uuid}/documents/upload/"


def download_url(document) -> str:
    return f"/agreements/{document.agreement.uuid}/documents/{document.uuid}/download/"


def upload(agreement, user, name="agreement.pdf", content=None, title=""):
    return documents.document_upload(
        agreement=agreement,
        user=user,
        file=SimpleUploadedFile(name, pdf_bytes() if content is None else content),
        title=title,
    )


# --- Uploads -------------------------------------------------------------------------------------


def test_office_uploads_a_pdf_as_version_1(office_client, office_user, agreement, media_root):
    content = pdf_bytes()
    response = office_client.post(
        upload_url(agreement),
        {"file": SimpleUploadedFile("Draft.pdf", content, "application/pdf"), "title": "Draft"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == tab_url(agreement)
    assert "“Draft.pdf” was added as version 1." in messages_of(response)
    document = AgreementDocument.objects.get()
    assert document.version == 1
    assert document.title == "Draft"
    assert document.original_name == "Draft.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by == office_user
    assert document.source == "uploaded"
    assert Path(document.file.path).read_bytes() == content
    assert Path(document.file.path).resolve().is_relative_to(Path(media_root).resolve())


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("memo.docx", docx_bytes, "application/vnd.openxmlformats-officedocument"),
        ("memo.odt", odt_bytes, "application/vnd.oasis.opendocument.text"),
        ("scan.jpg", jpeg_bytes, "image/jpeg"),
        ("scan.png", png_bytes, "image/png"),
    ],
)
def test_each_accepted_type_can_be_uploaded(office_user, agreement, name, make, content_type):
    document = upload(agreement, office_user, name, make())
    assert document.content_type.startswith(content_type)
    assert document.original_name == name


def test_versions_are_numbered_per_agreement(office_user, agreement, home, agh):
    other = AgreementFactory()
    assert [upload(agreement, office_user).version for _ in range(3)] == [1, 2, 3]
    assert upload(other, office_user).version == 1


def test_a_png_named_pdf_is_refused_and_nothing_is_kept(office_client, agreement, media_root):
    response = office_client.post(
        upload_url(agreement),
        {"file": SimpleUploadedFile("contract.pdf", png_bytes(), "application/pdf")},
        follow=True,
    )
    [message] = messages_of(response)
    assert "contract.pdf" in message
    assert "PNG" in message
    assert not AgreementDocument.objects.exists()
    assert files_in(media_root) == []


def test_a_text_file_named_pdf_is_refused(office_user, agreement, media_root):
    with pytest.raises(ValidationError) as caught:
        upload(agreement, office_user, "contract.pdf", b"I am not a PDF")
    assert "contract.pdf" in caught.value.message_dict["file"][0]
    assert not AgreementDocument.objects.exists()
    assert files_in(media_root) == []


def test_an_empty_file_is_refused(office_client, agreement):
    response = office_client.post(
        upload_url(agreement), {"file": SimpleUploadedFile("empty.pdf", b"")}, follow=True
    )
    assert messages_of(response)
    assert not AgreementDocument.objects.exists()


def test_a_file_over_20_mb_is_refused(office_client, agreement, media_root):
    content = pdf_bytes() + b"\0" * (20 * 1024 * 1024)
    response = office_client.post(
        upload_url(agreement), {"file": SimpleUploadedFile("big.pdf", content)}, follow=True
    )
    [message] = messages_of(response)
    assert "limit of 20 MB" in message
    assert not AgreementDocument.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("..\\x.pdf", "x.pdf"), ("/tmp/abs.pdf", "abs.pdf")],
)
def test_path_traversal_names_are_harmless(office_user, agreement, media_root, name, shown):
    document = upload(agreement, office_user, name)
    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(media_root).resolve() / "documents")
    assert ".." not in document.file.name
    assert shown not in document.file.name
    assert document.original_name == shown


def test_a_failed_row_write_removes_the_stored_file(
    office_user, agreement, media_root, monkeypatch
):
    first = upload(agreement, office_user)
    # A version clash the agreement's lock normally prevents: the row is refused.
    monkeypatch.setattr(documents, "_next_version", lambda agreement: 1)
    with pytest.raises(ValidationError):
        upload(agreement, office_user)
    assert list(AgreementDocument.objects.all()) == [first]
    assert files_in(media_root) == [Path(first.file.path)]


def test_viewers_may_not_upload(viewer_client, viewer_user, agreement):
    response = viewer_client.post(
        upload_url(agreement), {"file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        upload(agreement, viewer_user)
    assert not AgreementDocument.objects.exists()


def test_an_upload_without_a_file_is_403_for_viewers(viewer_client, agreement):
    assert viewer_client.post(upload_url(agreement), {}).status_code == 403


def test_coordinators_upload_to_agreements_of_their_units(coordinator_user, agreement):
    assert upload(agreement, coordinator_user).version == 1


def test_outsiders_get_404_for_uploads_to_confidential_agreements(viewer_client, confidential):
    response = viewer_client.post(
        upload_url(confidential), {"file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 404


# --- Downloads ---------------------------------------------------------------------------------


def test_office_downloads_a_version_with_safe_headers(office_client, office_user, agreement):
    content = pdf_bytes()
    document = upload(agreement, office_user, "Договор AGH.pdf", content)
    response = office_client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20AGH.pdf" in disposition


def test_viewers_download_documents_of_agreements_they_see(viewer_client, office_user, agreement):
    document = upload(agreement, office_user)
    response = viewer_client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_viewers_get_404_for_documents_of_confidential_agreements(
    viewer_client, coordinator_client, office_user, confidential
):
    document = upload(confidential, office_user)
    assert viewer_client.get(download_url(document)).status_code == 404
    response = coordinator_client.get(download_url(document))
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_document_is_found_only_under_its_own_agreement(office_client, office_user, agreement):
    document = upload(agreement, office_user)
    other = AgreementFactory()
    url = f"/agreements/{other.uuid}/documents/{document.uuid}/download/"
    assert office_client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, office_user, agreement):
    document = upload(agreement, office_user)
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_missing_file_is_404(office_client, office_user, agreement):
    document = upload(agreement, office_user)
    Path(document.file.path).unlink()
    assert office_client.get(download_url(document)).status_code == 404


# --- The signed original -----------------------------------------------------------------------


def signed_url(document) -> str:
    return f"/agreements/{document.agreement.uuid}/documents/{document.uuid}/signed-original/"


def test_marking_another_version_moves_the_signed_original(office_client, office_user, agreement):
    first, second = upload(agreement, office_user), upload(agreement, office_user)
    response = office_client.post(signed_url(first), {"signed": "1"}, follow=True)
    assert "Version 1 is now the signed original." in messages_of(response)
    office_client.post(signed_url(second), {"signed": "1"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_signed_original, second.is_signed_original) == (False, True)
    office_client.post(signed_url(second), {"signed": "0"})
    second.refresh_from_db()
    assert not second.is_signed_original


def test_the_database_allows_one_signed_original_per_agreement(office_user, agreement):
    first, second = upload(agreement, office_user), upload(agreement, office_user)
    AgreementDocument.objects.filter(pk=first.pk).update(is_signed_original=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementDocument.objects.filter(pk=second.pk).update(is_signed_original=True)


def test_viewers_may_not_mark_the_signed_original(viewer_client, office_user, agreement):
    document = upload(agreement, office_user)
    assert viewer_client.post(signed_url(document), {"signed": "1"}).status_code == 403
    document.refresh_from_db()
    assert not document.is_signed_original


# --- The documents tab ------------------------------------------------------------------------


def test_the_tab_lists_versions_with_forms_for_editors(office_client, office_user, agreement):
    document = upload(agreement, office_user, "Signed scan.pdf", title="Signed")
    documents.document_mark_signed_original(document=document, user=office_user)
    page = office_client.get(tab_url(agreement)).content.decode()
    assert "Signed scan.pdf" in page
    assert document.sha256[:12] in page
    assert download_url(document) in page
    assert "Signed original" in page
    assert upload_url(agreement) in page
    assert "Generate DOCX and PDF" in page


def test_the_tab_has_no_forms_for_viewers(viewer_client, office_user, agreement):
    upload(agreement, office_user)
    page = viewer_client.get(tab_url(agreement)).content.decode()
    assert "Download" in page
    assert upload_url(agreement) not in page
    assert "Generate DOCX and PDF" not in page


def test_the_tab_uses_the_same_number_of_queries_for_1_and_6_versions(
    office_client, office_user, agreement
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office_client.get(tab_url(agreement)).status_code == 200
        return len(queries)

    upload(agreement, office_user)
    few = count()
    for _ in range(5):
        upload(agreement, office_user)
    assert count() == few


# --- The generated document ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("countries", "kazakh", "expected"),
    [
        (["KZ", "PL"], False, ["en", "ru", "pl"]),
        (["KZ", "PL"], True, ["en", "ru", "kk", "pl"]),
        (["PL", "BY"], False, ["en", "pl", "ru"]),
        (["KZ", "RU", "KG"], False, ["en", "ru"]),
        (["KZ", "DE"], False, ["en", "ru"]),
    ],
)
def test_the_document_languages_follow_the_parties_countries(countries, kazakh, expected):
    institutions = [InstitutionFactory.build(country=country) for country in countries]
    assert document_wording.document_languages(institutions, with_kazakh=kazakh) == expected


def test_the_docx_has_both_languages_parties_dates_signatories_and_conditions(agreement):
    text = text_of_docx(documents.render_agreement_docx(agreement))
    for expected in [
        "KA171-2026-007",
        # the parties in English, Russian and Polish
        "Karaganda Industrial University",
        "Карагандинский индустриальный университет",
        "AGH University of Krakow",
        "Горно-металлургическая академия им. Станислава Сташица",
        "Akademia Górniczo-Hutnicza",
        # the titles and the wording of each language
        "Memorandum of cooperation with AGH",
        "Меморандум о сотрудничестве с AGH",
        "Strony",
        "Стороны",
        # dates, renewal and notice
        "1 March 2026",
        "1 марта 2026\u202fг.",
        "28 February 2031",
        "28 февраля 2031\u202fг.",  # CLDR: a narrow no-break space
        "5 years",
        "5 лет",
        "180 дней",
        "180 dni",
        # signatories and the recorded signature
        "Arman Zhumabekov",
        "Арман Жумабеков",
        "Tomasz Niedoba",
        "20 февраля 2026\u202fг.",
        # a condition with its ISCED code, in each language
        "0724 (Mining)",
        "Мобильность студентов для обучения",
        "2026/2027 – 2028/2029",
        # units and areas of cooperation
        "Faculty of Engineering",
        "Совместные исследования",
        "Wspólne badania",
    ]:
        assert expected in text, expected


def test_an_agreement_without_end_is_indefinite(agreement):
    agreement.expiry_date = None
    agreement.save()
    text = text_of_docx(documents.render_agreement_docx(agreement))
    assert "indefinite" in text
    assert "бессрочно" in text
    assert "bezterminowo" in text


def test_a_kazakh_column_appears_when_the_records_have_kazakh_names(agreement, home):
    home.name_kk = "Қарағанды индустриялық университеті"
    home.save()
    text = text_of_docx(documents.render_agreement_docx(agreement))
    assert "Қарағанды индустриялық университеті" in text
    assert "Тараптар" in text


def test_generating_without_pdf_writes_a_docx_version(office_user, agreement):
    upload(agreement, office_user)
    result = documents.document_generate(agreement=agreement, user=office_user, pdf=False)
    assert result.pdf is None
    document = result.docx
    assert (document.version, document.source) == (2, "generated")
    assert document.original_name == "KA171-2026-007.docx"
    content = Path(document.file.path).read_bytes()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert "Akademia Górniczo-Hutnicza" in text_of_docx(content)


def test_generate_makes_a_docx_and_a_pdf(office_client, agreement, soffice):
    response = office_client.post(f"/agreements/{agreement.uuid}/documents/generate/", follow=True)
    assert "version 1 (DOCX) and 2 (PDF)" in " ".join(messages_of(response))
    docx_version, pdf_version = agreement.documents.order_by("version")
    assert docx_version.original_name == "KA171-2026-007.docx"
    assert pdf_version.content_type == "application/pdf"
    pdf = PdfReader(io.BytesIO(b"".join(office_client.get(download_url(pdf_version)))))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for expected in ["KA171-2026-007", "AGH University of Krakow", "Akademia Górniczo-Hutnicza"]:
        assert expected in text, expected
    assert "Карагандинский индустриальный университет" in text
    assert "0724" in text


def test_without_libreoffice_the_docx_is_kept_and_the_pdf_problem_shown(
    office_client, agreement, monkeypatch, tmp_path
):
    monkeypatch.setenv("SOFFICE", str(tmp_path / "missing"))
    response = office_client.post(f"/agreements/{agreement.uuid}/documents/generate/", follow=True)
    assert response.status_code == 200
    assert any("No PDF was made" in m and "LibreOffice" in m for m in messages_of(response))
    assert list(agreement.documents.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ]


def broken_template(agreement, text: str) -> DocumentTemplate:
    document = docx.Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    template = DocumentTemplate(kind="agreement", name="Broken memo")
    template.file.save("broken.docx", ContentFile(output.getvalue()), save=True)
    agreement.agreement_type.document_template = template
    agreement.agreement_type.save()
    return template


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{ agreement.title", "syntax error"),
        ("{{ reference|shout }}", "shout"),
        ("{{ agreement.titel }}", "titel"),
    ],
)
def test_a_broken_template_is_a_clear_error_and_writes_nothing(
    office_client, agreement, media_root, text, problem
):
    broken_template(agreement, text)
    response = office_client.post(f"/agreements/{agreement.uuid}/documents/generate/", follow=True)
    assert response.status_code == 200
    [message] = messages_of(response)
    assert "Broken memo" in message
    assert problem in message
    assert not AgreementDocument.objects.exists()
    assert [p.name for p in files_in(media_root)] == ["broken.docx"]


def test_an_uploaded_template_is_used_when_in_use(office_user, agreement):
    template = broken_template(agreement, "Custom {{ reference }} {{ en.parties[1].name }}")
    text = text_of_docx(documents.render_agreement_docx(agreement))
    assert text.strip() == "Custom KA171-2026-007 AGH University of Krakow"
    template.is_active = False
    template.save()
    assert "Strony" in text_of_docx(documents.render_agreement_docx(agreement))


def test_the_built_in_template_passes_its_own_check():
    core_documents.validate_template(documents.BUILT_IN_TEMPLATE.read_bytes(), "agreement")


def test_viewers_may_not_generate(viewer_client, agreement):
    response = viewer_client.post(f"/agreements/{agreement.uuid}/documents/generate/")
    assert response.status_code == 403
    assert not AgreementDocument.objects.exists()


def test_the_unit_of_a_party_is_named_in_the_document(agreement, agh):
    unit = UnitFactory(institution=agh, name="Wydział Inżynierii", name_en="Faculty of Mining")
    agreement.parties.get(institution=agh).units.set([unit])
    text = text_of_docx(documents.render_agreement_docx(agreement))
    assert "Faculty of Mining" in text
    assert "Wydział Inżynierii" in text


def test_the_demo_agreements_generate(db, settings, media_root):
    from django.core.management import call_command

    from unibridge.agreements.demo import KA171_TITLE, MEMORANDUM_TITLE
    from unibridge.agreements.models import Agreement

    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=io.StringIO())
    memorandum = text_of_docx(
        documents.render_agreement_docx(Agreement.objects.get(title=MEMORANDUM_TITLE))
    )
    ka171 = text_of_docx(documents.render_agreement_docx(Agreement.objects.get(title=KA171_TITLE)))
    assert "Меморандум о сотрудничестве между Карагандинским" in memorandum
    assert "Memorandum o współpracy" in memorandum
    assert "Zbigniew Łęczycki" in memorandum
    assert "0724" in ka171
