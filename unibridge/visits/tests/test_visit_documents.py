"""Visit documents: the generated visa invitation letters, programme and certificates of
attendance (DOCX text, PDF, templates), and the services keeping uploaded files and photos."""

import datetime
import hashlib
import io
from pathlib import Path

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from unibridge.core import documents as core_documents
from unibridge.core import testing
from unibridge.core.models import DocumentTemplate
from unibridge.core.testing import (
    docx_bytes,
    files_in,
    jpeg_bytes,
    odt_bytes,
    pdf_bytes,
    png_bytes,
    text_of_docx,
    text_of_pdf,
)
from unibridge.institutions.tests import factories as institution_factories
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.visits import document_services, documents
from unibridge.visits.choices import Direction, ParticipantSide, ProgrammeItemKind, VisitStatus
from unibridge.visits.models import VisitDocument
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
    at,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# The partner and the LibreOffice check every document test uses.
agh, soffice = institution_factories.agh, testing.soffice


@pytest.fixture
def visit(home, agh, engineering):
    """The AGH delegation's visit to the home university in Kazakhstan."""
    home.name_ru = "Карагандинский индустриальный университет"
    home.save()
    visit = VisitFactory(
        title="AGH delegation",
        visiting_institution=agh,
        host_institution=home,
        start_date=datetime.date(2026, 5, 12),
        end_date=datetime.date(2026, 5, 14),
        time_zone="Asia/Almaty",
        purpose="Round table on joint research in mining",
    )
    visit.home_units.set([engineering])
    contact = PersonFactory(
        name_native="Айгерим Сапарова",
        name_latin="Aigerim Saparova",
        position="Head of the International Office",
        email="io@example.kz",
        institution=home,
    )
    visit.responsible_people.set([contact])
    return visit


@pytest.fixture
def kowalski(visit, agh):
    return ParticipantFactory(
        visit=visit,
        person=PersonFactory(
            name_native="Jan Kowalski", title="Prof.", position="Dean", institution=agh
        ),
        role="head",
        needs_visa_invitation=True,
        nationality="PL",
        passport_number="EA1234567",
        date_of_birth=datetime.date(1970, 3, 1),
        order=0,
    )


@pytest.fixture
def nowak(visit, agh):
    """A member who needs a letter but has no passport number on record."""
    return ParticipantFactory(
        visit=visit,
        person=PersonFactory(name_native="Anna Nowak", institution=agh),
        needs_visa_invitation=True,
        nationality="PL",
        order=1,
    )


@pytest.fixture
def interpreter(visit, agh):
    return ParticipantFactory(
        visit=visit,
        person=PersonFactory(name_native="Olga Wiśniewska", institution=agh),
        role="interpreter",
        order=2,
    )


# --- Languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "kazakh_name", "expected"),
    [
        ("KZ", "", ["en", "ru"]),
        ("KZ", "Қарағанды индустриялық университеті", ["en", "ru", "kk"]),
        ("PL", "", ["en", "pl"]),
        ("RU", "", ["en", "ru"]),
        ("BY", "", ["en", "ru"]),
        ("KG", "", ["en", "ru"]),
        ("DE", "", ["en"]),
    ],
)
def test_the_languages_follow_the_host_country(country, kazakh_name, expected):
    host = InstitutionFactory.build(country=country, name_kk=kazakh_name)
    visit = VisitFactory.build(host_institution=host)
    assert documents.host_languages(visit) == expected


# --- Visa invitation letters -------------------------------------------------------------------


def test_the_visa_letter_has_the_member_passport_host_and_dates_in_both_languages(kowalski):
    text = text_of_docx(documents.render_visa_invitation_docx(kowalski))
    for expected in [
        "LETTER OF INVITATION",
        "ПРИГЛАСИТЕЛЬНОЕ ПИСЬМО",
        # the member as in the passport, nationality, passport, birth date, position
        "Full name (as in the passport): Jan Kowalski",
        "Фамилия и имя (как в паспорте): Jan Kowalski",
        "Nationality: Poland",
        "Гражданство: Польша",
        "Passport number: EA1234567",
        "Номер паспорта: EA1234567",
        "Date of birth: 1 March 1970",
        "Дата рождения: 1 марта 1970\u202fг.",
        "Position: Prof., Dean",
        "Institution: AGH University of Krakow",
        "Организация: Горно-металлургическая академия им. Станислава Сташица",
        # the host in English and Russian, inviting for the visit's dates and purpose
        "Karaganda Industrial University invites the person named below to an official visit "
        "in the period from 12 May 2026 to 14 May 2026.",
        "Карагандинский индустриальный университет приглашает нижеуказанное лицо с "
        "официальным визитом в период с 12 мая 2026\u202fг. по 14 мая 2026\u202fг..",
        "Purpose of the visit: Round table on joint research in mining",
        "Place of the visit: Karaganda Industrial University, Temirtau, Kazakhstan",
        # the host's contact and the signature of the responsible person
        "Contact at the host institution",
        "Aigerim Saparova, Head of the International Office",
        "Айгерим Сапарова, Head of the International Office",
        "io@example.kz",
        "М. П.",
    ]:
        assert expected in text, expected
    assert "Polish" not in text  # the host is in Kazakhstan: no Polish column


def test_a_host_in_poland_writes_the_letter_in_polish(visit, kowalski, agh, home):
    visit.direction = Direction.OUTGOING
    visit.host_institution, visit.visiting_institution = agh, home
    visit.save()
    text = text_of_docx(documents.render_visa_invitation_docx(kowalski))
    assert "LIST ZAPRASZAJĄCY" in text
    assert "Akademia Górniczo-Hutnicza zaprasza niżej wymienioną osobę" in text
    assert "AGH University of Krakow invites the person named below" in text
    assert "Numer paszportu: EA1234567" in text
    assert "Obywatelstwo: Polska" in text
    assert "w dniach 12 maja 2026 – 14 maja 2026" in text
    assert "Kraków, Polska" in text
    assert "ПРИГЛАСИТЕЛЬНОЕ" not in text


def test_a_kazakh_column_appears_when_the_host_has_a_kazakh_name(visit, kowalski, home):
    home.name_kk = "Қарағанды индустриялық университеті"
    home.save()
    text = text_of_docx(documents.render_visa_invitation_docx(kowalski))
    assert "ШАҚЫРУ ХАТЫ" in text
    assert "Қарағанды индустриялық университеті төменде көрсетілген тұлғаны" in text
    assert "Азаматтығы: Польша" in text
    assert "Паспорт нөмірі: EA1234567" in text


def test_a_chosen_signatory_signs_instead_of_the_responsible_person(visit, kowalski, home):
    rector = PersonFactory(
        name_native="Арман Жумабеков",
        name_latin="Arman Zhumabekov",
        position="Rector",
        institution=home,
    )
    data = documents.collect(visit, signatory=rector)
    text = text_of_docx(documents.render_visa_invitation_docx(kowalski, data=data))
    assert "Arman Zhumabekov, Rector" in text
    assert "Арман Жумабеков, Rector" in text


def test_a_member_without_passport_number_gets_an_error_naming_it(nowak):
    with pytest.raises(ValidationError) as caught:
        documents.render_visa_invitation_docx(nowak)
    [message] = caught.value.messages
    assert "Anna Nowak" in message
    assert "passport number" in message
    assert "nationality" not in message


def test_a_member_without_nationality_and_passport_gets_both_named(nowak):
    nowak.nationality = ""
    nowak.save()
    assert "nationality and passport number" in documents.visa_data_problem(nowak)


def test_letters_are_written_for_members_with_data_and_refused_for_the_others(
    office_user, kowalski, nowak, interpreter, media_root
):
    result = document_services.visa_invitations_generate(
        visit=kowalski.visit, user=office_user, pdf=False
    )
    [generated] = result.generated
    assert generated.participant == kowalski
    assert generated.pdf is None
    [problem] = result.problems
    assert "Anna Nowak" in problem and "passport number" in problem
    document = VisitDocument.objects.get()
    assert (document.kind, document.participant, document.source) == (
        "visa_invitation",
        kowalski,
        "generated",
    )
    assert document.language == "en+ru"
    assert document.content_type == DOCX_TYPE
    assert document.original_name == "Visa invitation - Jan Kowalski.docx"
    assert document.uploaded_by == office_user
    content = Path(document.file.path).read_bytes()
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert "EA1234567" in text_of_docx(content)
    assert files_in(media_root) == [Path(document.file.path)]


def test_generating_again_replaces_the_earlier_letters(
    office_user, kowalski, media_root, django_capture_on_commit_callbacks
):
    first = document_services.visa_invitations_generate(
        visit=kowalski.visit, user=office_user, pdf=False
    )
    kowalski.passport_number = "EB7654321"
    kowalski.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = document_services.visa_invitations_generate(
            visit=kowalski.visit, user=office_user, pdf=False
        )
    document = VisitDocument.objects.get()
    assert document == second.generated[0].docx != first.generated[0].docx
    assert "EB7654321" in text_of_docx(Path(document.file.path).read_bytes())
    assert files_in(media_root) == [Path(document.file.path)]


def test_no_member_needing_a_letter_is_a_clear_error(office_user, interpreter):
    with pytest.raises(ValidationError) as caught:
        document_services.visa_invitations_generate(
            visit=interpreter.visit, user=office_user, pdf=False
        )
    assert "No delegation member needs a visa invitation letter" in caught.value.messages[0]
    assert not VisitDocument.objects.exists()


def test_home_participants_get_no_letters(office_user, visit, home):
    ParticipantFactory(
        visit=visit,
        person=PersonFactory(institution=home),
        side=ParticipantSide.HOME,
        needs_visa_invitation=True,
        nationality="KZ",
        passport_number="N123",
    )
    with pytest.raises(ValidationError):
        document_services.visa_invitations_generate(visit=visit, user=office_user, pdf=False)


def test_a_cancelled_visit_gets_no_letters_or_certificates(office_user, kowalski):
    visit = kowalski.visit
    visit.status = VisitStatus.CANCELLED
    visit.save()
    for service in (
        document_services.visa_invitations_generate,
        document_services.attendance_certificates_generate,
    ):
        with pytest.raises(ValidationError, match="cancelled"):
            service(visit=visit, user=office_user, pdf=False)
    assert not VisitDocument.objects.exists()


def test_viewers_and_other_coordinators_may_not_generate(
    viewer_user, other_coordinator_user, kowalski
):
    for user in (viewer_user, other_coordinator_user):
        with pytest.raises(PermissionDenied):
            document_services.visa_invitations_generate(visit=kowalski.visit, user=user, pdf=False)
    assert not VisitDocument.objects.exists()


def test_coordinators_of_a_home_unit_generate(coordinator_user, kowalski):
    result = document_services.visa_invitations_generate(
        visit=kowalski.visit, user=coordinator_user, pdf=False
    )
    assert len(result.generated) == 1


# --- The programme ---------------------------------------------------------------------------


def test_the_programme_lists_items_by_day_in_the_hosts_zone(visit, home):
    rector = PersonFactory(name_native="Арман Жумабеков", name_latin="Arman Zhumabekov")
    ProgrammeItemFactory(
        visit=visit,
        kind=ProgrammeItemKind.ROUND_TABLE,
        title="Round table on mining",
        starts_at=at(visit.start_date, 10),
        ends_at=at(visit.start_date, 12, 30),
        place="Main building, room 201",
        responsible=rector,
    )
    ProgrammeItemFactory(
        visit=visit,
        kind=ProgrammeItemKind.LAB_TOUR,
        title="Metallurgy laboratories",
        starts_at=at(visit.end_date, 9),
        ends_at=at(visit.end_date, 10),
        online_link="https://meet.example.org/lab",
    )
    text = text_of_docx(documents.render_programme_docx(visit))
    for expected in [
        "PROGRAMME OF THE VISIT",
        "ПРОГРАММА ВИЗИТА",
        "Times are given in the time zone Asia/Almaty (UTC+05:00).",
        "Время указано по часовому поясу Asia/Almaty (UTC+05:00).",
        "Tuesday, 12 May 2026",
        "12 мая 2026\u202fг., вторник",
        "Thursday, 14 May 2026",
        "10:00–12:30 · Round table: Round table on mining",
        "10:00–12:30 · Круглый стол: Round table on mining",
        "Main building, room 201",
        "Responsible: Arman Zhumabekov",
        "Ответственный: Арман Жумабеков",
        "09:00–10:00 · Laboratory tour: Metallurgy laboratories",
        "онлайн: https://meet.example.org/lab",
        "Delegation: AGH University of Krakow",
        "Карагандинский индустриальный университет",
    ]:
        assert expected in text, expected
    assert text.index("Tuesday, 12 May 2026") < text.index("Thursday, 14 May 2026")


def test_programme_times_follow_a_daylight_saving_change(home, agh):
    """Warsaw moves from UTC+1 to UTC+2 on 29 March 2026: 10:00 stays 10:00 on both days."""
    visit = VisitFactory(
        host_institution=agh,
        visiting_institution=home,
        start_date=datetime.date(2026, 3, 28),
        end_date=datetime.date(2026, 3, 30),
        time_zone="Europe/Warsaw",
    )
    warsaw = visit.tz
    for day in (visit.start_date, visit.end_date):
        ProgrammeItemFactory(
            visit=visit,
            title=f"Meeting on {day}",
            starts_at=at(day, 10, tz=warsaw),
            ends_at=at(day, 11, tz=warsaw),
        )
    text = text_of_docx(documents.render_programme_docx(visit))
    assert "Europe/Warsaw (UTC+01:00 / UTC+02:00)" in text
    assert "sobota" in text and "poniedziałek" in text
    assert text.count("10:00–11:00") == 4  # two days, English and Polish


def test_an_empty_programme_says_so(visit):
    text = text_of_docx(documents.render_programme_docx(visit))
    assert "The programme has no items yet." in text
    assert "В программе пока нет мероприятий." in text


def test_the_programme_is_generated_as_docx_and_pdf(office_user, visit, soffice):
    ProgrammeItemFactory(visit=visit, title="Round table on mining")
    result = document_services.programme_generate(visit=visit, user=office_user)
    assert result.pdf_error == ""
    [generated] = result.generated
    assert generated.participant is None
    assert generated.docx.kind == generated.pdf.kind == "programme"
    assert generated.pdf.content_type == "application/pdf"
    assert generated.pdf.original_name == "Programme - AGH delegation.pdf"
    text = text_of_pdf(Path(generated.pdf.file.path).read_bytes())
    for expected in ["PROGRAMME OF THE VISIT", "Round table on mining", "ПРОГРАММА ВИЗИТА"]:
        assert expected in text, expected
    assert "Карагандинский индустриальный университет" in text


def test_without_libreoffice_the_docx_is_kept_and_the_reason_given(
    office_user, visit, monkeypatch, tmp_path
):
    monkeypatch.setenv("SOFFICE", str(tmp_path / "missing"))
    result = document_services.programme_generate(visit=visit, user=office_user)
    assert "LibreOffice" in result.pdf_error
    assert result.generated[0].pdf is None
    assert list(VisitDocument.objects.values_list("content_type", flat=True)) == [DOCX_TYPE]


# --- Certificates of attendance ----------------------------------------------------------------


def test_the_certificate_names_the_member_institution_dates_and_purpose(kowalski, interpreter):
    text = text_of_docx(documents.render_attendance_certificate_docx(interpreter))
    for expected in [
        "CERTIFICATE OF ATTENDANCE",
        "СЕРТИФИКАТ ОБ УЧАСТИИ",
        "Karaganda Industrial University certifies that the person named below took part in "
        "the visit in the period from 12 May 2026 to 14 May 2026.",
        "Карагандинский индустриальный университет подтверждает, что нижеуказанное лицо "
        "приняло участие в визите в период с 12 мая 2026\u202fг. по 14 мая 2026\u202fг..",
        "Full name: Olga Wiśniewska",
        "Role in the delegation: Interpreter",
        "Роль в делегации: Переводчик",
        "Institution: AGH University of Krakow",
        "Purpose of the visit: Round table on joint research in mining",
    ]:
        assert expected in text, expected
    assert "EA1234567" not in text  # a certificate shows no passport data


def test_every_delegation_member_gets_a_certificate(office_user, kowalski, nowak, interpreter):
    result = document_services.attendance_certificates_generate(
        visit=kowalski.visit, user=office_user, pdf=False
    )
    assert [item.participant for item in result.generated] == [kowalski, nowak, interpreter]
    assert result.problems == []
    assert VisitDocument.objects.filter(kind="attendance_certificate").count() == 3


def test_a_visit_without_delegation_gets_no_certificates(office_user, visit):
    with pytest.raises(ValidationError, match="no delegation members"):
        document_services.attendance_certificates_generate(visit=visit, user=office_user, pdf=False)


# --- Templates -------------------------------------------------------------------------------


def uploaded_template(kind: str, text: str, name: str = "Custom letter") -> DocumentTemplate:
    document = docx.Document()
    document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    template = DocumentTemplate(kind=kind, name=name)
    template.file.save("custom.docx", ContentFile(output.getvalue()), save=True)
    return template


def test_an_uploaded_template_in_use_replaces_the_built_in_one(kowalski):
    template = uploaded_template(
        "visa_invitation", "Dear consul, {{ member.name_latin }} {{ member.passport_number }}"
    )
    text = text_of_docx(documents.render_visa_invitation_docx(kowalski))
    assert text.strip() == "Dear consul, Jan Kowalski EA1234567"
    template.is_active = False
    template.save()
    assert "LETTER OF INVITATION" in text_of_docx(documents.render_visa_invitation_docx(kowalski))


def test_a_broken_template_is_a_clear_error_and_writes_nothing(office_user, kowalski, media_root):
    uploaded_template("attendance_certificate", "{{ member.pasport }}", name="Broken certificate")
    with pytest.raises(ValidationError) as caught:
        document_services.attendance_certificates_generate(
            visit=kowalski.visit, user=office_user, pdf=False
        )
    [message] = caught.value.messages
    assert "Broken certificate" in message
    assert "pasport" in message
    assert not VisitDocument.objects.exists()
    assert [path.name for path in files_in(media_root)] == ["custom.docx"]


@pytest.mark.parametrize("kind", ["visa_invitation", "visit_programme", "attendance_certificate"])
def test_the_built_in_templates_pass_the_administrators_check(kind):
    built_in = dict(documents.TEMPLATES.values())
    core_documents.validate_template(built_in[kind].read_bytes(), kind)


def test_an_uploaded_template_with_a_typo_fails_the_administrators_check():
    document = docx.Document()
    document.add_paragraph("{{ en.hots }}")
    output = io.BytesIO()
    document.save(output)
    with pytest.raises(core_documents.TemplateProblem, match="hots"):
        core_documents.validate_template(output.getvalue(), "visa_invitation")


# --- Uploads -----------------------------------------------------------------------------------


def upload(visit, user, name="programme.pdf", content=None, photo=False, title=""):
    return document_services.document_upload(
        visit=visit,
        user=user,
        file=SimpleUploadedFile(name, pdf_bytes() if content is None else content),
        title=title,
        photo=photo,
    )


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("notes.pdf", pdf_bytes, "application/pdf"),
        ("notes.docx", docx_bytes, DOCX_TYPE),
        ("notes.odt", odt_bytes, "application/vnd.oasis.opendocument.text"),
        ("scan.jpg", jpeg_bytes, "image/jpeg"),
        ("scan.png", png_bytes, "image/png"),
    ],
)
def test_each_document_type_can_be_uploaded(office_user, visit, name, make, content_type):
    content = make()
    document = upload(visit, office_user, name, content)
    assert (document.kind, document.source) == ("upload", "uploaded")
    assert document.content_type == content_type
    assert document.original_name == name
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()


def test_photos_are_jpeg_or_png(office_user, visit, media_root):
    assert upload(visit, office_user, "group.jpg", jpeg_bytes(), photo=True).kind == "photo"
    assert upload(visit, office_user, "group.png", png_bytes(), photo=True).kind == "photo"
    with pytest.raises(ValidationError) as caught:
        upload(visit, office_user, "minutes.pdf", pdf_bytes(), photo=True)
    assert "JPG, PNG" in caught.value.message_dict["file"][0]
    assert VisitDocument.objects.count() == 2
    assert len(files_in(media_root)) == 2


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.pdf", b"", "is empty"),
        ("photo.pdf", png_bytes(), "is named as a PDF document"),
        ("letter.pdf", b"I am not a PDF", "is named as a PDF document"),
        ("big.pdf", pdf_bytes() + b"\0" * (20 * 1024 * 1024), "limit of 20 MB"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_kept(
    office_user, visit, media_root, name, content, problem
):
    with pytest.raises(ValidationError) as caught:
        upload(visit, office_user, name, content)
    assert problem in caught.value.message_dict["file"][0]
    assert not VisitDocument.objects.exists()
    assert files_in(media_root) == []


@pytest.mark.parametrize(
    ("name", "shown"),
    [("../../etc/passwd.pdf", "passwd.pdf"), ("..\\x.pdf", "x.pdf"), ("/tmp/abs.pdf", "abs.pdf")],
)
def test_path_traversal_names_are_harmless(office_user, visit, media_root, name, shown):
    document = upload(visit, office_user, name)
    assert Path(document.file.path).resolve().is_relative_to(Path(media_root).resolve())
    assert ".." not in document.file.name
    assert shown not in document.file.name
    assert document.original_name == shown


def test_viewers_may_not_upload_or_delete(viewer_user, office_user, visit):
    with pytest.raises(PermissionDenied):
        upload(visit, viewer_user)
    document = upload(visit, office_user)
    with pytest.raises(PermissionDenied):
        document_services.document_delete(document=document, user=viewer_user)
    assert VisitDocument.objects.count() == 1


def test_deleting_removes_the_row_and_the_file_after_commit(
    office_user, visit, media_root, django_capture_on_commit_callbacks
):
    document = upload(visit, office_user)
    with django_capture_on_commit_callbacks(execute=True):
        document_services.document_delete(document=document, user=office_user)
    assert not VisitDocument.objects.exists()
    assert files_in(media_root) == []
