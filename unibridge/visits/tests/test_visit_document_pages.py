"""The documents tab of a visit and its actions: generate, upload, download, delete, and who
may do what (outsiders get 404, readers 403)."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from unibridge.core.testing import (
    assert_accessible,
    files_in,
    jpeg_bytes,
    log_in,
    messages_of,
    pdf_bytes,
    png_bytes,
    text_of_docx,
)
from unibridge.institutions.tests.factories import PersonFactory
from unibridge.visits import document_services
from unibridge.visits.models import VisitDocument
from unibridge.visits.tests import test_visit_documents as base
from unibridge.visits.tests.factories import ParticipantFactory, VisitFactory

# The same visit, members and LibreOffice check as the service tests.
agh, visit, kowalski, nowak, soffice = base.agh, base.visit, base.kowalski, base.nowak, base.soffice


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch, tmp_path, request):
    """Pages make DOCX only (LibreOffice is slow); the test that needs PDFs asks for soffice."""
    if "soffice" not in request.fixturenames:
        monkeypatch.setenv("SOFFICE", str(tmp_path / "no-soffice"))


@pytest.fixture
def confidential(visit):
    visit.is_confidential = True
    visit.save()
    return visit


def tab_url(visit) -> str:
    return f"/visits/{visit.uuid}/documents/"


def upload_url(visit) -> str:
    return f"/visits/{visit.uuid}/documents/upload/"


def generate_url(visit, what: str) -> str:
    return f"/visits/{visit.uuid}/documents/generate/{what}/"


def download_url(document) -> str:
    return f"/visits/{document.visit.uuid}/documents/{document.uuid}/download/"


def delete_url(document) -> str:
    return f"/visits/{document.visit.uuid}/documents/{document.uuid}/delete/"


def upload(visit, user, name="notes.pdf", content=None, photo=False):
    return document_services.document_upload(
        visit=visit,
        user=user,
        file=SimpleUploadedFile(name, pdf_bytes() if content is None else content),
        photo=photo,
    )


# --- Generating -------------------------------------------------------------------------------


def test_generating_letters_reports_written_and_refused_members(
    office_client, kowalski, nowak, visit
):
    response = office_client.post(generate_url(visit, "visa-invitations"), follow=True)
    assert response.redirect_chain[-1][0] == tab_url(visit)
    shown = messages_of(response)
    assert any("Anna Nowak" in m and "passport number" in m for m in shown)
    assert "Visa invitation letters: 1 DOCX and 0 PDF file were generated." in shown
    assert any(m.startswith("No PDF was made") and "LibreOffice" in m for m in shown)
    [letter] = VisitDocument.objects.all()
    assert letter.participant == kowalski
    page = response.content.decode()
    assert "Visa invitation - Jan Kowalski.docx" in page
    assert download_url(letter) in page


def test_generating_the_letters_makes_a_pdf_with_the_passport(
    office_client, kowalski, visit, soffice
):
    response = office_client.post(generate_url(visit, "visa-invitations"), follow=True)
    assert "Visa invitation letters: 1 DOCX and 1 PDF file were generated." in messages_of(response)
    pdf = VisitDocument.objects.get(content_type="application/pdf")
    assert pdf.original_name == "Visa invitation - Jan Kowalski.pdf"
    content = b"".join(office_client.get(download_url(pdf)).streaming_content)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages
    )
    for expected in ["Jan Kowalski", "EA1234567", "Karaganda Industrial University"]:
        assert expected in text, expected
    assert "Карагандинский индустриальный университет" in text


def test_the_chosen_signatory_signs_the_certificates(office_client, kowalski, visit, home):
    rector = PersonFactory(
        name_native="Арман Жумабеков", name_latin="Arman Zhumabekov", institution=home
    )
    ParticipantFactory(visit=visit, person=rector, side="home")  # hosts take part
    office_client.post(generate_url(visit, "certificates"), {"signatory": rector.pk})
    certificate = VisitDocument.objects.get(kind="attendance_certificate")
    assert "Arman Zhumabekov" in text_of_docx(Path(certificate.file.path).read_bytes())


def test_a_signatory_from_elsewhere_is_refused(office_client, kowalski, visit, home):
    stranger = PersonFactory(name_native="Somebody Else")
    PersonFactory(name_native="Not In The Visit", institution=home)
    response = office_client.post(
        generate_url(visit, "certificates"), {"signatory": stranger.pk}, follow=True
    )
    assert any("Select a valid choice" in m for m in messages_of(response))
    assert not VisitDocument.objects.exists()


def test_generating_the_programme_without_items_still_makes_a_document(office_client, visit):
    response = office_client.post(generate_url(visit, "programme"), follow=True)
    assert "Visit programme: 1 DOCX and 0 PDF file were generated." in messages_of(response)
    assert VisitDocument.objects.get().kind == "programme"


def test_nobody_needing_a_letter_is_reported(office_client, visit, agh):
    ParticipantFactory(visit=visit, person=PersonFactory(institution=agh))
    response = office_client.post(generate_url(visit, "visa-invitations"), follow=True)
    [message] = messages_of(response)
    assert "No delegation member needs a visa invitation letter" in message


@pytest.mark.parametrize("what", ["visa-invitations", "programme", "certificates"])
def test_viewers_may_not_generate(viewer_client, kowalski, visit, what):
    assert viewer_client.post(generate_url(visit, what)).status_code == 403
    assert not VisitDocument.objects.exists()


@pytest.mark.parametrize("what", ["visa-invitations", "programme", "certificates"])
def test_outsiders_get_404_for_generating_in_confidential_visits(
    viewer_client, other_coordinator_user, client, kowalski, confidential, what
):
    assert viewer_client.post(generate_url(confidential, what)).status_code == 404
    client.force_login(other_coordinator_user)
    assert client.post(generate_url(confidential, what)).status_code == 404


def test_generating_needs_post(office_client, visit):
    assert office_client.get(generate_url(visit, "programme")).status_code == 405


# --- Uploading -----------------------------------------------------------------------------------


def test_office_uploads_a_file(office_client, office_user, visit, media_root):
    response = office_client.post(
        upload_url(visit),
        {"file": SimpleUploadedFile("Signed programme.pdf", pdf_bytes()), "title": "Signed"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == tab_url(visit)
    assert "“Signed programme.pdf” was added." in messages_of(response)
    document = VisitDocument.objects.get()
    assert (document.kind, document.title, document.uploaded_by) == (
        "upload",
        "Signed",
        office_user,
    )
    assert Path(document.file.path).resolve().is_relative_to(Path(media_root).resolve())


def test_a_photo_is_kept_as_a_photo(office_client, visit):
    office_client.post(
        upload_url(visit),
        {"file": SimpleUploadedFile("group.jpg", jpeg_bytes()), "is_photo": "on"},
    )
    assert VisitDocument.objects.get().kind == "photo"


def test_a_png_renamed_to_pdf_is_refused(office_client, visit, media_root):
    response = office_client.post(
        upload_url(visit), {"file": SimpleUploadedFile("minutes.pdf", png_bytes())}, follow=True
    )
    [message] = messages_of(response)
    assert "minutes.pdf" in message and "PNG" in message
    assert not VisitDocument.objects.exists()
    assert files_in(media_root) == []


def test_an_empty_file_is_refused(office_client, visit):
    response = office_client.post(
        upload_url(visit), {"file": SimpleUploadedFile("empty.pdf", b"")}, follow=True
    )
    assert messages_of(response)
    assert not VisitDocument.objects.exists()


def test_viewers_may_not_upload(viewer_client, visit):
    response = viewer_client.post(
        upload_url(visit), {"file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 403
    assert viewer_client.post(upload_url(visit), {}).status_code == 403
    assert not VisitDocument.objects.exists()


def test_coordinators_upload_to_visits_of_their_units(coordinator_client, visit):
    coordinator_client.post(upload_url(visit), {"file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert VisitDocument.objects.count() == 1


def test_outsiders_get_404_for_uploads_to_confidential_visits(viewer_client, confidential):
    response = viewer_client.post(
        upload_url(confidential), {"file": SimpleUploadedFile("a.pdf", pdf_bytes())}
    )
    assert response.status_code == 404


# --- Downloading and deleting --------------------------------------------------------------


def test_a_download_has_safe_headers(office_client, office_user, visit):
    content = pdf_bytes()
    document = upload(visit, office_user, "Программа визита.pdf", content)
    response = office_client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")


def test_viewers_download_files_of_visits_they_see(viewer_client, office_user, visit):
    document = upload(visit, office_user)
    response = viewer_client.get(download_url(document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_outsiders_get_404_for_files_of_confidential_visits(
    viewer_client, coordinator_client, office_user, other_coordinator_user, client, confidential
):
    document = upload(confidential, office_user)
    assert viewer_client.get(download_url(document)).status_code == 404
    client.force_login(other_coordinator_user)
    assert client.get(download_url(document)).status_code == 404
    response = coordinator_client.get(download_url(document))
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_a_file_is_found_only_under_its_own_visit(office_client, office_user, visit):
    document = upload(visit, office_user)
    other = VisitFactory()
    url = f"/visits/{other.uuid}/documents/{document.uuid}/download/"
    assert office_client.get(url).status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, office_user, visit):
    document = upload(visit, office_user)
    response = client.get(download_url(document))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_missing_file_is_404(office_client, office_user, visit):
    document = upload(visit, office_user)
    Path(document.file.path).unlink()
    assert office_client.get(download_url(document)).status_code == 404


def test_editors_delete_a_file(office_client, office_user, visit):
    document = upload(visit, office_user, "old.pdf")
    response = office_client.post(delete_url(document), follow=True)
    assert "“old.pdf” was deleted." in messages_of(response)
    assert not VisitDocument.objects.exists()


def test_viewers_may_not_delete_and_outsiders_get_404(
    viewer_client, office_user, visit, confidential
):
    document = upload(visit, office_user)
    assert viewer_client.post(delete_url(document)).status_code == 404  # confidential
    visit.is_confidential = False
    visit.save()
    assert viewer_client.post(delete_url(document)).status_code == 403
    assert VisitDocument.objects.count() == 1


# --- The tab -----------------------------------------------------------------------------------


def test_the_tab_groups_the_files_with_forms_for_editors(
    office_client, office_user, kowalski, nowak
):
    visit = kowalski.visit
    document_services.visa_invitations_generate(visit=visit, user=office_user, pdf=False)
    document_services.attendance_certificates_generate(visit=visit, user=office_user, pdf=False)
    photo = upload(visit, office_user, "group.png", png_bytes(), photo=True)
    file = upload(visit, office_user, "minutes.pdf")
    page = office_client.get(tab_url(visit)).content.decode()
    for heading in [
        "Visa invitation letters",
        "Certificates of attendance",
        "Programme",
        "Uploaded files",
        "Photos",
    ]:
        assert f">{heading}</h2>" in page, heading
    assert "Visa invitation - Jan Kowalski.docx" in page
    assert "Certificate of attendance - Anna Nowak.docx" in page
    assert "No programme document yet." in page
    assert photo.sha256[:12] in page
    assert download_url(file) in page
    assert delete_url(file) in page
    # buttons for editors, and the warning about the member whose letter cannot be written
    assert "Generate visa invitation letters" in page
    assert "Generate programme" in page
    assert "Generate certificates of attendance" in page
    assert "passport number is missing" in page
    assert upload_url(visit) in page
    assert page.index("Uploaded files") < page.index("minutes.pdf") < page.index(">Photos<")


def test_the_tab_has_no_forms_for_viewers(viewer_client, office_user, visit):
    document = upload(visit, office_user)
    page = viewer_client.get(tab_url(visit)).content.decode()
    assert download_url(document) in page
    assert delete_url(document) not in page
    assert upload_url(visit) not in page
    assert "Generate visa invitation letters" not in page


def test_outsiders_get_404_for_the_tab_of_a_confidential_visit(viewer_client, confidential):
    assert viewer_client.get(tab_url(confidential)).status_code == 404


def test_the_tab_uses_the_same_number_of_queries_for_few_and_many_files(
    office_client, office_user, visit, agh, django_assert_num_queries
):
    def add_member(number: int):
        return ParticipantFactory(
            visit=visit,
            person=PersonFactory(name_native=f"Member {number}", institution=agh),
            needs_visa_invitation=True,
            nationality="PL",
            passport_number=f"P{number}",
            date_of_birth=datetime.date(1980, 1, 1),
            order=number,
        )

    def fill(count: int) -> None:
        for _ in range(count):
            upload(visit, office_user)
            upload(visit, office_user, "photo.png", png_bytes(), photo=True)
        document_services.visa_invitations_generate(visit=visit, user=office_user, pdf=False)
        document_services.attendance_certificates_generate(visit=visit, user=office_user, pdf=False)

    add_member(1)
    fill(1)
    with CaptureQueriesContext(connection) as few:
        assert office_client.get(tab_url(visit)).status_code == 200
    for number in range(2, 7):
        add_member(number)
    fill(5)
    assert VisitDocument.objects.count() == 2 + 10 + 6 + 6
    with django_assert_num_queries(len(few.captured_queries)):
        assert office_client.get(tab_url(visit)).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_tab_is_accessible_and_its_buttons_work_in_a_browser(page, office_user, kowalski):
    visit = kowalski.visit
    upload(visit, office_user, "minutes.pdf")
    document_services.visa_invitations_generate(visit=visit, user=office_user, pdf=False)
    log_in(page, "office")
    page.goto(tab_url(visit))
    assert_accessible(page)
    page.get_by_role("button", name="Generate programme").click()
    page.get_by_text("Visit programme: 1 DOCX and 0 PDF file were generated.").wait_for()
    assert page.get_by_role("link", name="Download Programme - AGH delegation.docx").count() == 1
    assert_accessible(page)


def test_a_host_person_who_takes_no_part_in_the_visit_cannot_sign(
    office_client, kowalski, visit, home
):
    # the choice is bounded to the visit's people: a university has thousands of staff
    outsider = PersonFactory(name_native="Not In The Visit", institution=home)
    response = office_client.post(
        generate_url(visit, "certificates"), {"signatory": outsider.pk}, follow=True
    )
    assert any("Select a valid choice" in m for m in messages_of(response))
    assert not VisitDocument.objects.exists()
