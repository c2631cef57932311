"""Import of a legacy agreements register: files, matching, bad rows, pages and the command."""

import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from unibridge.agreements import import_values, importing
from unibridge.agreements.models import Agreement, AgreementType, Signature
from unibridge.agreements.tests.factories import AgreementFactory
from unibridge.core.models import Job
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory

TODAY = timezone.localdate()
IMPORT_URL = "agreements:agreement_import"


@pytest.fixture
def agh(db):
    return InstitutionFactory(
        name="Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        name_en="AGH University of Krakow",
        name_ru="Краковская горно-металлургическая академия",
        acronym="AGH",
        country="PL",
        city="Kraków",
    )


@pytest.fixture
def warsaw(db):
    return InstitutionFactory(
        name="Politechnika Warszawska",
        name_en="Warsaw University of Technology",
        name_ru="Варшавский политехнический университет",
        country="PL",
        city="Warszawa",
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def xlsx_bytes(*rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


RUSSIAN_REGISTER = csv_bytes(
    "№;Партнёр;Страна;Вид соглашения;Наименование;Дата подписания;Срок действия",
    "MoU-2021-007;Краковская горно-металлургическая академия;Польша;Меморандум;"
    "Меморандум о сотрудничестве;15.03.2021;15.03.2031",
    ";Politechnika Warszawska;PL;Erasmus+ KA171;Umowa Erasmus+ KA171;2022-09-01;2023-08-31",
)


def plan_of(data: bytes, file_format: str = "csv", **kwargs) -> importing.ImportPlan:
    return importing.plan_import(data, file_format=file_format, **kwargs)


def errors_by_row(plan: importing.ImportPlan) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for error in plan.errors:
        result.setdefault(error.row, []).append(error.column)
    return result


# --- Reading and matching -------------------------------------------------------------------------


def test_headers_in_russian_polish_and_english_are_recognised():
    mapping = importing.suggest_mapping(
        ["№", "Партнёр", "Вид соглашения", "Наименование", "Дата подписания", "Срок действия"]
    )
    assert mapping == {
        "reference": "№",
        "partner": "Партнёр",
        "agreement_type": "Вид соглашения",
        "title": "Наименование",
        "signed_on": "Дата подписания",
        "expiry_date": "Срок действия",
    }
    polish = importing.suggest_mapping(["Uczelnia partnerska", "Data zawarcia", "Tytuł", "Kraj"])
    assert polish == {
        "partner": "Uczelnia partnerska",
        "signed_on": "Data zawarcia",
        "title": "Tytuł",
        "country": "Kraj",
    }
    english = importing.suggest_mapping(["Partner", "Type", "Title", "Signed", "Valid until"])
    assert english["expiry_date"] == "Valid until" and english["signed_on"] == "Signed"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31.12.2027", datetime.date(2027, 12, 31)),
        ("1.9.2024", datetime.date(2024, 9, 1)),
        ("2027-12-31", datetime.date(2027, 12, 31)),
        ("2027-12-31 00:00:00", datetime.date(2027, 12, 31)),
        ("до 31.12.2027 г.", datetime.date(2027, 12, 31)),
        (datetime.datetime(2027, 12, 31, 0, 0), datetime.date(2027, 12, 31)),
    ],
)
def test_dates_are_read_as_dd_mm_yyyy_iso_or_real_dates(raw, expected):
    assert importing.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31.02.2021", "12/31/2027", "next year", "2027"])
def test_other_dates_are_refused(raw):
    with pytest.raises(ValueError):
        importing.parse_date(raw)


def test_partners_in_cyrillic_or_polish_are_found_in_the_directory(home, agh, warsaw):
    for name in (
        "Краковская горно-металлургическая академия",
        "Akademia Górniczo-Hutnicza",
        "AGH",
        "AGH University of Krakow",
    ):
        match, _how, _candidates = importing.find_partner(name, "PL", exclude=home)
        assert match == agh, name
    match, how, _candidates = importing.find_partner("Варшавский политехнический университет")
    assert (match, how) == (warsaw, "name")
    assert importing.find_partner("Uniwersytet Nieistniejący", "PL") == (None, "", [])


def test_types_are_found_by_code_prefix_or_name_in_any_language(db):
    lookup = import_values.type_lookup()
    for text, code in [
        ("MoU", "mou"),
        ("Меморандум", "mou"),
        ("Memorandum o współpracy", "mou"),
        ("Erasmus+ KA171", "erasmus-ka171"),
        ("KA131", "erasmus-ka131"),
        ("Рамочное соглашение", "framework"),
        ("joint-research", "joint-research"),
    ]:
        found = lookup.find(text)
        assert isinstance(found, AgreementType) and found.code == code, text
    assert lookup.find("Contract of sale") is None
    assert isinstance(lookup.find("Erasmus+"), list)  # KA131 or KA171: ambiguous


# --- Importing ------------------------------------------------------------------------------------


def test_it_imports_a_russian_csv_register(home, agh, warsaw, office_user):
    plan = plan_of(RUSSIAN_REGISTER)

    assert plan.errors == []
    assert plan.unresolved == []
    result = importing.apply(plan, office_user)

    assert result.created == 2
    mou = Agreement.objects.get(reference="MoU-2021-007")
    assert mou.agreement_type.code == "mou"
    assert mou.title == "Меморандум о сотрудничестве"
    assert (mou.effective_date, mou.expiry_date) == (
        datetime.date(2021, 3, 15),
        datetime.date(2031, 3, 15),
    )
    assert mou.status == "active"
    assert [p.institution for p in mou.parties.order_by("order")] == [home, agh]
    assert Signature.objects.filter(party__agreement=mou).count() == 2

    erasmus = Agreement.objects.get(parties__institution=warsaw)
    assert erasmus.agreement_type.code == "erasmus-ka171"
    assert erasmus.status == "expired"
    assert erasmus.reference == "KA171-2022-001"  # generated: none in the file
    # not sent through approval
    assert not erasmus.approvals.exists()

    entry = LogEntry.objects.get_for_object(mou).get(action=LogEntry.Action.CREATE)
    assert entry.actor == office_user


def test_imported_records_are_audited_and_found_by_the_search(home, agh, office_user):
    from unibridge.agreements.models import AgreementParty
    from unibridge.core import search

    person = PersonFactory(name_native="Иванов Ерлан", institution=home)
    data = csv_bytes(
        "Reference,Partner,Type,Title,Signed,Responsible",
        "Q-1,AGH,MoU,Quantum cooperation,01.02.2021,Ivanov Erlan",
    )
    importing.apply(plan_of(data), office_user)

    agreement = Agreement.objects.get(reference="Q-1")
    assert list(agreement.responsible_people.all()) == [person]
    for record in [agreement, *agreement.parties.all(), *Signature.objects.all()]:
        entry = LogEntry.objects.get_for_object(record).get(action=LogEntry.Action.CREATE)
        assert entry.actor == office_user, record
    assert AgreementParty.objects.filter(agreement=agreement).count() == 2
    # indexed with its parties' names, as a saved agreement is
    found = Agreement.objects.filter(search.matching("Górniczo-Hutnicza", Agreement))
    assert list(found) == [agreement]
    assert list(Agreement.objects.filter(search.matching("Quantum", Agreement))) == [agreement]


def test_writing_costs_a_fixed_number_of_queries_per_row(home, agh, office_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(rows: int, offset: int) -> int:
        lines = [f"R-{offset + i},AGH,MoU,Title {i},01.02.2021" for i in range(rows)]
        plan = plan_of(csv_bytes("Reference,Partner,Type,Title,Signed", *lines))
        with CaptureQueriesContext(connection) as captured:
            assert importing.apply(plan, office_user).created == rows
        return len(captured)

    per_row = (queries(20, 100) - queries(10, 0)) / 10
    # An agreement, two parties, two signatures and their audit entries; the search index
    # is brought up to date once for the whole import (it was 80 queries a row).
    assert per_row <= 20


def test_it_imports_a_polish_xlsx_register_with_real_date_cells(home, agh, warsaw, office_user):
    data = xlsx_bytes(
        [
            "Nr umowy",
            "Uczelnia partnerska",
            "Kraj",
            "Typ umowy",
            "Tytuł",
            "Data zawarcia",
            "Ważna do",
            "Uwagi",
        ],
        [
            "UM/2020/3",
            "Akademia Górniczo-Hutnicza",
            "Polska",
            "MoU",
            "Porozumienie o współpracy",
            datetime.date(2020, 1, 10),
            datetime.date(2099, 1, 9),
            "skan w archiwum",
        ],
        [
            "UM/2024/1",
            "Варшавский политехнический университет",
            "PL",
            "Erasmus+ KA171",
            "Umowa Erasmus+",
            "2024-06-01",
            "bezterminowo",
            None,
        ],
    )
    plan = plan_of(data, "xlsx")
    assert plan.errors == []

    importing.apply(plan, office_user)

    first = Agreement.objects.get(reference="UM/2020/3")
    assert first.parties.filter(institution=agh).exists()
    assert (first.effective_date, first.expiry_date) == (
        datetime.date(2020, 1, 10),
        datetime.date(2099, 1, 9),
    )
    assert first.status == "active" and first.notes == "skan w archiwum"
    second = Agreement.objects.get(reference="UM/2024/1")
    assert second.parties.filter(institution=warsaw).exists()
    assert second.expiry_date is None and second.status == "active"


def test_status_follows_the_dates(home, agh, office_user):
    future = (TODAY + datetime.timedelta(days=30)).strftime("%d.%m.%Y")
    data = csv_bytes(
        "Partner,Type,Title,Effective from,Valid until,Status",
        f"AGH,MoU,Active by dates,01.01.2020,01.01.2099,{''}",
        "AGH,MoU,Expired by dates,01.01.2010,01.01.2015,Active",
        f"AGH,MoU,Not yet in force,{future},01.01.2099,",
        "AGH,MoU,Terminated as given,01.01.2020,01.01.2099,Расторгнуто",
        "AGH,MoU,Without dates,,,",
    )
    plan = plan_of(data)
    assert plan.errors == []
    statuses = {item.title: item.status for item in plan.agreements}
    assert statuses == {
        "Active by dates": "active",
        "Expired by dates": "expired",
        "Not yet in force": "signing",
        "Terminated as given": "terminated",
        "Without dates": "active",
    }


def test_a_duration_in_years_sets_the_expiry_date(home, agh):
    data = csv_bytes("Partner,Type,Title,Signed,Valid until", "AGH,MoU,Five years,01.09.2020,5 лет")
    plan = plan_of(data)
    assert plan.errors == []
    assert plan.agreements[0].expiry_date == datetime.date(2025, 8, 31)


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_bad_row(home, agh, office_user):
    AgreementFactory(reference="MoU-2019-001")
    data = csv_bytes(
        "Reference,Partner,Type,Title,Signed,Valid until",
        "A-1,AGH,MoU,Good row,01.01.2020,01.01.2025",
        "A-2,AGH,MoU,Bad date,31.02.2021,01.01.2025",
        "A-3,AGH,MoU,Expiry first,01.01.2022,01.01.2021",
        "A-4,AGH,Contract of sale,Unknown type,01.01.2020,01.01.2025",
        "A-5,,MoU,No partner,01.01.2020,01.01.2025",
        "A-6,AGH,MoU,,01.01.2020,01.01.2025",
        "A-1,AGH,MoU,Duplicate in the file,01.01.2020,01.01.2025",
        "MoU-2019-001,AGH,MoU,Duplicate in the database,01.01.2020,01.01.2025",
    )
    before = Agreement.objects.count()
    plan = plan_of(data)

    assert errors_by_row(plan) == {
        3: ["Signed"],
        4: ["Valid until"],
        5: ["Type"],
        6: ["Partner"],
        7: ["Title"],
        8: ["Reference"],
        9: ["Reference"],
    }
    bad_date = plan.errors[0]
    assert bad_date.value == "31.02.2021" and "dd.mm.yyyy" in bad_date.message
    with pytest.raises(importing.ImportRejected, match="7 bad rows"):
        importing.apply(plan, office_user)
    assert Agreement.objects.count() == before


def test_unknown_and_ambiguous_partners_wait_for_a_decision(home, agh, office_user):
    krakow = InstitutionFactory(name="Politechnika Krakowska", country="PL")
    silesia = InstitutionFactory(name="Politechnika Śląska", country="PL")
    data = csv_bytes(
        "Partner,Country,Type,Title",
        "Politechnika,PL,MoU,Ambiguous",
        "Uniwersytet Nieistniejący,PL,MoU,Unknown",
        "Nowhere College,,MoU,Unknown without a country",
        "AGH,PL,MoU,Known",
    )
    plan = plan_of(data)
    assert plan.errors == []
    unresolved = {p.name: p for p in plan.unresolved}
    assert set(unresolved) == {"Politechnika", "Uniwersytet Nieistniejący", "Nowhere College"}
    assert set(unresolved["Politechnika"].candidates) == {krakow, silesia}
    assert unresolved["Uniwersytet Nieistniejący"].candidates == []
    assert not unresolved["Nowhere College"].can_create

    with pytest.raises(importing.ImportRejected, match="Choose what to do"):
        importing.apply(plan, office_user, {})
    with pytest.raises(importing.ImportRejected, match="no country"):
        importing.apply(
            plan,
            office_user,
            {
                unresolved["Politechnika"].key: str(silesia.pk),
                unresolved["Uniwersytet Nieistniejący"].key: "new",
                unresolved["Nowhere College"].key: "new",
            },
        )
    assert Agreement.objects.count() == 0

    result = importing.apply(
        plan,
        office_user,
        {
            unresolved["Politechnika"].key: str(silesia.pk),
            unresolved["Uniwersytet Nieistniejący"].key: "new",
            unresolved["Nowhere College"].key: "skip",
        },
    )
    assert (result.created, result.skipped, result.institutions_created) == (3, 1, 1)
    created = Institution.objects.get(name="Uniwersytet Nieistniejący")
    assert created.country.code == "PL"
    assert Agreement.objects.get(title="Unknown").parties.filter(institution=created).exists()
    assert Agreement.objects.get(title="Ambiguous").parties.filter(institution=silesia).exists()
    assert not Agreement.objects.filter(title="Unknown without a country").exists()


def test_a_responsible_person_of_the_home_institution_is_linked(home, agh, office_user):
    person = PersonFactory(name_native="Иванов Ерлан", institution=home)
    data = csv_bytes(
        "Partner,Type,Title,Ответственный",
        "AGH,MoU,With a known person,Ivanov Erlan",
        "AGH,MoU,With an unknown person,Петров Пётр",
    )
    plan = plan_of(data)
    assert [w.row for w in plan.warnings] == [3]
    importing.apply(plan, office_user)

    assert list(Agreement.objects.get(title="With a known person").responsible_people.all()) == [
        person
    ]
    unknown = Agreement.objects.get(title="With an unknown person")
    assert "Петров Пётр" in unknown.notes


def test_a_missing_type_takes_the_default_type(home, agh):
    data = csv_bytes("Partner,Title", "AGH,No type")
    assert [e.column for e in plan_of(data).errors] == [""]
    framework = AgreementType.objects.get(code="framework")
    plan = plan_of(data, default_type=framework)
    assert plan.errors == [] and plan.agreements[0].agreement_type == framework


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"%PDF-1.4\x00\x00", "x.csv", "binary"),
        (b"PK\x03\x04garbage", "x.xlsx", "cannot be read"),
        (csv_bytes("Colour,Size", "red,2"), "x.csv", "Choose the column"),
    ],
)
def test_unreadable_files_are_explained(home, data, name, message):
    with pytest.raises(importing.ImportFileError, match=message):
        importing.plan_import(data, file_format=importing.detect_format(name))


# --- Web pages ----------------------------------------------------------------------------------


def upload_and_map(client, data: bytes, columns: dict[str, str], name: str = "r.csv") -> str:
    """Upload a file and choose its columns; returns the preview page's address."""
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302, response.content.decode()
    # Choosing the columns queues the check in the task worker (immediate in tests).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(response["Location"], columns)
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def token_of(preview_url: str) -> str:
    return preview_url.rstrip("/").split("/")[-2]


def test_office_uploads_maps_confirms_and_imports(
    home, agh, office_client, office_user, media, django_capture_on_commit_callbacks
):
    data = csv_bytes(
        "№;Партнёр;Страна;Вид соглашения;Наименование;Дата подписания;Срок действия",
        "MoU-2021-007;Краковская горно-металлургическая академия;Польша;Меморандум;"
        "Меморандум о сотрудничестве;15.03.2021;15.03.2031",
        "L-2;Uniwersytet Nieistniejący;PL;MoU;Unknown partner;01.02.2022;01.02.2027",
    )
    assert office_client.get(reverse(IMPORT_URL)).status_code == 200
    response = office_client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("register.csv", data)}
    )
    assert response.status_code == 302
    columns_url = response["Location"]
    token = columns_url.rstrip("/").split("/")[-2]
    assert (media / "imports" / f"agreements-{token}.upload").exists()

    page = office_client.get(columns_url).content.decode()
    assert '<option value="Партнёр" selected>' in page
    assert "Краковская горно-металлургическая академия" in page  # the sample rows

    with django_capture_on_commit_callbacks(execute=True):  # the check runs in the worker
        response = office_client.post(
            columns_url,
            {
                "reference": "№",
                "partner": "Партнёр",
                "country": "Страна",
                "agreement_type": "Вид соглашения",
                "title": "Наименование",
                "signed_on": "Дата подписания",
                "expiry_date": "Срок действия",
            },
        )
    assert response.status_code == 302
    preview_url = reverse("agreements:agreement_import_preview", args=[token])
    assert response["Location"] == preview_url

    response = office_client.get(preview_url)
    page = response.content.decode()
    assert "Partners to confirm" in page and "Uniwersytet Nieistniejący" in page
    assert "runs in the background" in page
    assert Agreement.objects.count() == 0  # nothing written by the preview
    unknown = response.context["plan"].unresolved[0]

    # undecided: the page says so, writes nothing and queues nothing
    response = office_client.post(preview_url, {})
    assert response.status_code == 400
    assert "Choose what to do with this partner." in response.content.decode()
    assert Agreement.objects.count() == 0
    assert not Job.objects.filter(kind="agreement_import").exists()

    matched = response.context["plan"].matched[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            preview_url, {unknown.field_name: "new", matched.field_name: str(agh.pk)}
        )

    # The import ran as a background job (immediately in tests); its page tells the outcome.
    job = Job.objects.get(kind="agreement_import")
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.user, job.attempts) == (
        "agreement_import",
        "done",
        office_user,
        1,
    )
    assert job.title == "Import of 2 agreements from register.csv"
    assert job.params["mapping"]["partner"] == "Партнёр"
    assert job.params["decisions"] == {unknown.key: "new", matched.key: str(agh.pk)}
    assert job.message == (
        "2 agreements imported from register.csv. 1 institution added to the directory."
    )
    mou = AgreementType.objects.get(code="mou")  # two partners, one type
    assert job.result_url == f"{reverse('agreements:agreement_list')}?agreement_type={mou.pk}"
    page = office_client.get(job.get_absolute_url()).content.decode()
    assert job.message in page and f'href="{job.result_url}"' in page
    assert Agreement.objects.count() == 2
    created = Institution.objects.get(name="Uniwersytet Nieistniejący")
    assert Agreement.objects.get(reference="L-2").parties.filter(institution=created).exists()
    assert not (media / "imports" / f"agreements-{token}.upload").exists()
    assert LogEntry.objects.filter(actor=office_user).exists()

    # the upload is gone: confirming again answers with a message and queues nothing
    response = office_client.post(preview_url, {})
    assert response.status_code == 302 and response["Location"] == reverse(IMPORT_URL)
    assert Job.objects.filter(kind="agreement_import").count() == 1


def test_the_job_links_to_the_list_filtered_to_the_one_partner(
    home, agh, office_client, media, django_capture_on_commit_callbacks
):
    data = csv_bytes("Partner,Type,Title", "AGH,MoU,First", "AGH,Erasmus+ KA171,Second")
    preview_url = upload_and_map(
        office_client, data, {"partner": "Partner", "agreement_type": "Type", "title": "Title"}
    )
    plan = office_client.get(preview_url).context["plan"]
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(preview_url, {plan.partners[0].field_name: str(agh.pk)})
    job = Job.objects.get(kind="agreement_import")
    assert response["Location"] == job.get_absolute_url()
    assert job.status == "done"
    assert job.result_url == f"{reverse('agreements:agreement_list')}?partner={agh.uuid}"
    page = office_client.get(job.result_url).content.decode()
    assert "First" in page and "Second" in page


def test_a_row_that_became_bad_after_the_preview_fails_the_job_and_writes_nothing(
    home, agh, office_client, media, django_capture_on_commit_callbacks
):
    data = csv_bytes(
        "Reference,Partner,Country,Type,Title",
        "A-1,AGH,PL,MoU,First",
        "A-2,Uniwersytet Nieistniejący,PL,MoU,Second",
    )
    columns = {
        "reference": "Reference",
        "partner": "Partner",
        "country": "Country",
        "agreement_type": "Type",
        "title": "Title",
    }
    preview_url = upload_and_map(office_client, data, columns)
    plan = office_client.get(preview_url).context["plan"]
    assert plan.errors == []
    decisions = {p.field_name: str(agh.pk) if p.match else "new" for p in plan.partners}

    with django_capture_on_commit_callbacks() as queued:
        response = office_client.post(preview_url, decisions)
    AgreementFactory(reference="A-2")  # someone records it before the worker gets to the job
    before = Agreement.objects.count()
    for run in queued:
        run()

    job = Job.objects.get(kind="agreement_import")
    assert response["Location"] == job.get_absolute_url()
    assert job.status == "failed"
    assert "has changed" in job.message and "1 bad row; nothing was imported" in job.message
    assert "Row 3, column “Reference” (A-2)" in job.message
    assert "Another agreement already has the reference number “A-2”" in job.message
    page = office_client.get(job.get_absolute_url()).content.decode()
    assert "Another agreement already has the reference number" in page
    assert Agreement.objects.count() == before
    assert not Institution.objects.filter(name="Uniwersytet Nieistniejący").exists()
    assert not (media / "imports" / f"agreements-{token_of(preview_url)}.upload").exists()


def test_a_refusal_while_writing_fails_the_job_and_writes_nothing(
    home, agh, office_client, media, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import IntegrityError

    data = csv_bytes(
        "Partner,Country,Type,Title,Signed",
        "AGH,PL,MoU,First,01.02.2021",
        "Uniwersytet Nieistniejący,PL,MoU,Second,01.02.2021",
        "AGH,PL,MoU,Third,01.02.2021",
    )
    columns = {
        "partner": "Partner",
        "country": "Country",
        "agreement_type": "Type",
        "title": "Title",
        "signed_on": "Signed",
    }
    preview_url = upload_and_map(office_client, data, columns)
    plan = office_client.get(preview_url).context["plan"]
    decisions = {p.field_name: str(agh.pk) if p.match else "new" for p in plan.partners}

    write = importing._write_agreement
    calls = []

    def refuse_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise IntegrityError("UNIQUE constraint failed: agreements_agreement.reference")
        return write(*args, **kwargs)

    monkeypatch.setattr(importing, "_write_agreement", refuse_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(preview_url, decisions)

    job = Job.objects.get(kind="agreement_import")
    assert job.status == "failed"
    assert "The database refused the import" in job.message
    assert "nothing was imported" in job.message
    assert len(calls) == 3
    assert Agreement.objects.count() == 0
    assert Signature.objects.count() == 0
    assert not Institution.objects.filter(name="Uniwersytet Nieistniejący").exists()
    assert not LogEntry.objects.filter(content_type__model="agreement").exists()


def test_an_unexpected_failure_on_the_last_attempt_marks_the_job_failed(
    home, agh, office_user, media, monkeypatch, tmp_path
):
    from django.db import OperationalError

    from unibridge.agreements import tasks

    path = media / "imports" / "agreements-upload.upload"  # where the task may delete files
    path.parent.mkdir(parents=True)
    path.write_bytes(csv_bytes("Partner,Type,Title", "AGH,MoU,x"))
    job = Job.objects.create(
        user=office_user,
        kind="agreement_import",
        title="Import",
        params={
            "path": str(path),
            "name": "r.csv",
            "format": "csv",
            "mapping": {"partner": "Partner", "agreement_type": "Type", "title": "Title"},
            "default_type": None,
            "decisions": {},
            "language": "en",
        },
    )

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(importing, "apply", locked)
    with pytest.raises(OperationalError):
        tasks.import_agreements.call_local(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert "nothing was written" in job.message
    assert Agreement.objects.count() == 0
    assert not path.exists()


def test_bad_rows_are_listed_on_the_preview_without_an_import_button(
    home, agh, office_client, media, django_capture_on_commit_callbacks
):
    data = csv_bytes("Partner,Type,Title,Signed", "AGH,MoU,Bad,31.02.2021", "AGH,Nope,Bad type,")
    response = office_client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("bad.csv", data)}
    )
    columns_url = response["Location"]
    token = columns_url.rstrip("/").split("/")[-2]
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            columns_url,
            {
                "partner": "Partner",
                "agreement_type": "Type",
                "title": "Title",
                "signed_on": "Signed",
            },
        )
    response = office_client.get(response["Location"])
    page = response.content.decode()
    assert "2 bad rows: nothing will be imported" in page
    assert "31.02.2021" in page and "Unknown agreement type" in page
    assert 'name="confirm"' not in page
    # a forged confirmation writes nothing either
    office_client.post(reverse("agreements:agreement_import_preview", args=[token]), {})
    assert Agreement.objects.count() == 0


def test_the_columns_page_requires_partner_title_and_a_type(home, office_client, media):
    data = csv_bytes("Partner,Title,Kind of thing", "AGH,Memo,x")
    response = office_client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("r.csv", data)})
    columns_url = response["Location"]
    response = office_client.post(columns_url, {"partner": "Partner", "title": "Partner"})
    assert response.status_code == 400
    assert "more than one field" in response.content.decode()
    response = office_client.post(columns_url, {"partner": "Partner", "title": "Title"})
    assert response.status_code == 400
    assert "Choose the column of the type" in response.content.decode()


def test_a_file_that_cannot_be_read_is_refused_on_the_upload_page(home, office_client, media):
    response = office_client.post(
        reverse(IMPORT_URL), {"file": SimpleUploadedFile("r.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 400
    assert "Cannot tell the format" in response.content.decode()


@pytest.mark.parametrize("client_name", ["viewer_client", "coordinator_client"])
def test_only_the_office_may_import(request, client_name, home, media):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    data = csv_bytes("Partner,Type,Title", "AGH,MoU,x")
    response = client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("r.csv", data)})
    assert response.status_code == 403
    token = "0" * 32
    for name in ("columns", "preview"):
        url = reverse(f"agreements:agreement_import_{name}", args=[token])
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_forged_token_is_refused(office_client, media, db):
    url = reverse("agreements:agreement_import_preview", args=["not-a-token"])
    assert office_client.get(url).status_code == 302


# --- The command ---------------------------------------------------------------------------------


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("import_agreements", *args, stdout=out)
    return out.getvalue()


def test_the_command_imports_a_register(home, agh, warsaw, office_user, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(RUSSIAN_REGISTER)

    output = run_command(str(path), "--dry-run")
    assert "2 agreement(s) to import" in output
    assert Agreement.objects.count() == 0

    output = run_command(str(path), "--user", "office")
    assert "Imported 2 agreement(s)" in output
    agreement = Agreement.objects.get(reference="MoU-2021-007")
    assert LogEntry.objects.get_for_object(agreement).first().actor == office_user


def test_the_command_reports_bad_rows_and_writes_nothing(home, agh, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes("Partner,Kind,Title,Signed", "AGH,MoU,x,31.02.2021"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_agreements", str(path), "--map", "agreement_type=Kind", stdout=out)
    assert 'row 2, column "Signed" "31.02.2021": Not a date' in out.getvalue()
    assert Agreement.objects.count() == 0


def test_the_command_needs_a_decision_for_unknown_partners(home, agh, tmp_path):
    path = tmp_path / "unknown.csv"
    path.write_bytes(
        csv_bytes(
            "Partner,Country,Type,Title", "Uniwersytet Nieistniejący,PL,MoU,x", "AGH,PL,MoU,y"
        )
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 partner"):
        call_command("import_agreements", str(path), stdout=out)
    assert 'Partner "Uniwersytet Nieistniejący" (PL; rows 2) is undecided' in out.getvalue()
    assert Agreement.objects.count() == 0

    output = run_command(str(path), "--skip-unresolved")
    assert "Imported 1 agreement(s), skipped 1" in output

    Agreement.objects.all().delete()
    output = run_command(str(path), "--create-unknown")
    assert "created 1 institution(s)" in output
    assert Agreement.objects.count() == 2


def test_the_command_takes_a_decision_by_uuid(home, tmp_path):
    krakow = InstitutionFactory(name="Politechnika Krakowska", country="PL")
    InstitutionFactory(name="Politechnika Śląska", country="PL")
    path = tmp_path / "ambiguous.csv"
    path.write_bytes(csv_bytes("Partner,Type,Title", "Politechnika,MoU,x"))
    output = run_command(str(path), "--decide", f"Politechnika={krakow.uuid}")
    assert "Imported 1 agreement(s)" in output
    assert Agreement.objects.get().parties.filter(institution=krakow).exists()


def test_the_web_import_refuses_more_rows_than_its_limit(home, office_client, media, monkeypatch):
    from unibridge.agreements import import_views

    assert import_views.MAX_WEB_ROWS == 20_000
    monkeypatch.setattr(import_views, "MAX_WEB_ROWS", 2)
    data = csv_bytes("Partner,Type,Title", "AGH,MoU,a", "AGH,MoU,b", "AGH,MoU,c")
    response = office_client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("r.csv", data)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This file has more than 2 rows; the web import takes at most 2." in page
    assert "manage.py import_agreements" in page


def test_the_web_import_takes_more_than_a_thousand_rows(
    home, agh, office_client, media, django_capture_on_commit_callbacks
):
    data = csv_bytes("Partner,Type,Title", *(f"AGH,MoU,Agreement {i}" for i in range(1200)))
    preview_url = upload_and_map(
        office_client, data, {"partner": "Partner", "agreement_type": "Type", "title": "Title"}
    )
    plan = office_client.get(preview_url).context["plan"]
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(preview_url, {plan.partners[0].field_name: str(agh.pk)})
    job = Job.objects.get(kind="agreement_import")
    assert job.status == "done", job.message
    assert job.message == "1200 agreements imported from r.csv."
    assert Agreement.objects.count() == 1200
    # numbered in one run of the counter, none skipped or given twice
    references = set(Agreement.objects.values_list("reference", flat=True))
    assert len(references) == 1200 and f"MoU-{TODAY.year}-1200" in references


def test_the_preview_waits_for_the_worker_and_a_failed_check_returns_to_the_columns(
    home, office_client, media, django_capture_on_commit_callbacks
):
    data = csv_bytes("Partner,Type,Title", "AGH,MoU,x")
    response = office_client.post(reverse(IMPORT_URL), {"file": SimpleUploadedFile("r.csv", data)})
    columns_url = response["Location"]
    columns = {"partner": "Partner", "agreement_type": "Type", "title": "Title"}
    with django_capture_on_commit_callbacks() as queued:
        response = office_client.post(columns_url, columns)
    preview_url = response["Location"]
    job = Job.objects.get(kind="agreement_preview")
    assert job.status == "queued" and len(queued) == 1

    page = office_client.get(preview_url).content.decode()
    assert "The task worker is reading and checking r.csv" in page
    assert 'http-equiv="refresh"' in page and Agreement.objects.count() == 0

    home.is_home = False
    home.save()
    queued[0]()  # the worker gets to it: the check fails
    job.refresh_from_db()
    assert job.status == "failed"
    response = office_client.get(preview_url, follow=True)
    assert response.redirect_chain[-1][0] == columns_url
    assert "No home institution is recorded" in response.content.decode()
    assert (media / "imports" / f"agreements-{token_of(preview_url)}.upload").exists()
