"""Import of institutions: the world universities JSON, CSV and XLSX; command and web flow."""

import io
import json
import sys
import types
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django_countries import countries
from openpyxl import Workbook

import unibridge.core
from unibridge.accounts.tests.factories import UserFactory
from unibridge.core.models import Job
from unibridge.institutions import importing, services
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory

WORLD_FILE = Path(importing.__file__).parent / "data" / "world_universities_and_domains.json"
IMPORT_URL = "institutions:institution_import"
CONFIRM_URL = "institutions:institution_import_confirm"


def world_items() -> list[dict]:
    return json.loads(WORLD_FILE.read_text(encoding="utf-8"))


def world_slice(names: list[str]) -> bytes:
    items = [item for item in world_items() if item["name"] in names]
    return json.dumps(items).encode()


def import_file(data: bytes, file_format: str, mapping=None, user=None):
    plan = importing.plan_import(data, file_format=file_format, mapping=mapping)
    assert plan.errors == []
    return importing.apply(plan, user)


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messages_by_row(plan) -> dict[int, list[tuple[str, str]]]:
    result: dict[int, list[tuple[str, str]]] = {}
    for error in plan.errors:
        result.setdefault(error.row, []).append((error.column, error.message))
    return result


@pytest.fixture
def kosovo():
    """The world file lists five universities in Kosovo (XK), a code django-countries leaves out.

    settings.COUNTRIES_OVERRIDE should name it (see test_kosovo_is_a_known_country); until it
    does, the test that imports the whole file adds it for itself.
    """
    if "XK" in countries:
        yield
        return
    with override_settings(COUNTRIES_OVERRIDE={"XK": "Kosovo"}):
        del countries.countries
        yield
    del countries.countries


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- JSON (world universities) ----------------------------------------------------------------


def test_it_imports_a_slice_of_the_world_file(db):
    data = world_slice(
        ["AGH University of Science and Technology", "Jagiellonian University Cracow"]
    )
    result = import_file(data, "json")

    assert result.created == 2
    agh = Institution.objects.get(name="AGH University of Science and Technology")
    assert agh.country.code == "PL"
    assert "agh.edu.pl" in agh.email_domains
    assert agh.website.startswith("http")
    assert agh.kind == "university"
    assert agh.hei_id is None
    assert agh.is_home is False


def test_the_whole_world_file_imports_and_a_second_run_changes_nothing(db, kosovo):
    data = WORLD_FILE.read_bytes()

    result = import_file(data, "json")
    assert result.created == 10251
    assert Institution.objects.count() == 10251

    plan = importing.plan_import(data, file_format="json")
    assert plan.errors == []
    assert (len(plan.to_create), len(plan.to_update), plan.unchanged) == (0, 0, 10251)


def test_kosovo_is_a_known_country():
    """Five universities of the world file are in Kosovo; settings must name XK as a country.

    Needs ``COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}`` in unibridge/settings.py.
    """
    assert "XK" in countries


def test_a_world_row_without_a_known_country_is_a_bad_row(db):
    item = {"name": "Atlantis University", "domains": ["atlantis.edu"], "web_pages": [],
            "country": "Atlantis", "alpha_two_code": "QQ", "state-province": None}  # fmt: skip
    plan = importing.plan_import(json.dumps([item]).encode(), file_format="json")

    assert [(e.row, e.column) for e in plan.errors] == [(1, "alpha_two_code")]
    assert "Unknown country" in plan.errors[0].message


# --- CSV and XLSX ---------------------------------------------------------------------------------


def test_it_imports_csv_with_a_column_mapping_and_normalises_values(db):
    data = csv_bytes(
        "Uczelnia;Nazwa po angielsku;Kraj;Miasto;WWW;Domeny;SCHAC;Kod Erasmus;PIC;ROR",
        "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie;AGH University of Krakow;"
        "Polska;Kraków;www.agh.edu.pl;AGH.edu.pl | student.agh.edu.pl;AGH.EDU.PL;pl krakow02;"
        "999975817;https://ror.org/00bas1c41",
        bom=True,
    )
    mapping = {"name": "Uczelnia", "name_en": "Nazwa po angielsku", "website": "WWW",
               "hei_id": "SCHAC", "ror_id": "ROR"}  # fmt: skip

    result = import_file(data, "csv", mapping)

    assert result.created == 1
    agh = Institution.objects.get()
    assert agh.name == "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie"
    assert agh.name_en == "AGH University of Krakow"
    assert agh.country.code == "PL"
    assert agh.city == "Kraków"
    assert agh.website == "https://www.agh.edu.pl"
    assert agh.email_domains == ["agh.edu.pl", "student.agh.edu.pl"]
    assert agh.hei_id == "agh.edu.pl"
    assert agh.erasmus_code == "PL KRAKOW02"
    assert agh.pic == "999975817"
    assert agh.ror_id == "00bas1c41"


def test_it_recognises_common_headers_without_a_mapping(db):
    data = csv_bytes(
        "Name\tСтрана\tWebsite\tDomains\tAliases",
        "Карагандинский технический университет\tКазахстан\thttps://kstu.kz\tkstu.kz\tКарГТУ|KSTU",
        "Politechnika Krakowska\tPL\thttps://pk.edu.pl\tpk.edu.pl;pk.edu",
    )
    rowset = importing.read_rows(data, file_format="csv")
    assert rowset.columns["country"] == ["Страна"]

    import_file(data, "csv")

    kstu = Institution.objects.get(country="KZ")
    assert kstu.name == "Карагандинский технический университет"
    assert kstu.aliases == ["КарГТУ", "KSTU"]
    assert Institution.objects.get(country="PL").email_domains == ["pk.edu.pl", "pk.edu"]


def test_it_accepts_countries_as_codes_or_names_in_several_languages(db):
    data = csv_bytes(
        "name,country",
        "Uniwersytet Warszawski,Poland",
        "Uniwersytet Jagielloński,POL",
        "Uniwersytet Wrocławski,Polska",
        "Astana IT University,kz",
        "Harvard University,United States",
    )
    import_file(data, "csv")

    assert sorted(Institution.objects.values_list("country", flat=True)) == [
        "KZ", "PL", "PL", "PL", "US",
    ]  # fmt: skip


def test_it_imports_xlsx_with_a_column_mapping(db):
    data = xlsx_bytes(
        [
            ["University", "Country", "Type", "PIC", "Domains", "Notes"],
            ["Politechnika Śląska", "PL", "University", 999864749, "polsl.pl", "ignored"],
            [None, None, None, None, None, None],
            ["Institute of Metallurgy", "Kazakhstan", "research institute", None, None, None],
        ]
    )
    rowset = importing.read_rows(data, file_format="xlsx", mapping={"name": "University"})
    assert rowset.ignored_columns == ["Notes"]
    assert [row.number for row in rowset.rows] == [2, 4]

    import_file(data, "xlsx", {"name": "University"})

    polsl = Institution.objects.get(country="PL")
    assert (polsl.name, polsl.pic, polsl.email_domains) == (
        "Politechnika Śląska",
        "999864749",
        ["polsl.pl"],
    )
    assert Institution.objects.get(country="KZ").kind == "research_institute"


# --- Re-running: matching updates and never duplicates --------------------------------------------


def test_importing_the_same_file_again_creates_nothing_and_changes_nothing(db):
    data = world_slice(["AGH University of Science and Technology", "Keio University"])
    import_file(data, "json")
    count = Institution.objects.count()

    plan = importing.plan_import(data, file_format="json")

    assert (len(plan.to_create), len(plan.to_update), plan.unchanged) == (0, 0, count)
    assert Institution.objects.count() == count


def test_a_row_matches_by_identifier_and_updates_the_institution(db):
    stored = InstitutionFactory(name="AGH", country="PL", pic="999975817", city="Kraków")
    data = csv_bytes(
        "name,country,pic,website", "AGH University of Krakow,PL,999975817,https://agh.edu.pl"
    )

    result = import_file(data, "csv")

    assert (result.created, result.updated) == (0, 1)
    stored.refresh_from_db()
    assert stored.name == "AGH University of Krakow"
    assert stored.aliases == ["AGH"]  # the former name stays findable
    assert stored.website == "https://agh.edu.pl"
    assert stored.city == "Kraków"  # not in the file: unchanged


def test_a_row_matches_by_email_domain(db):
    stored = InstitutionFactory(
        name="Uniwersytet Jagielloński", country="PL", email_domains=["uj.edu.pl"]
    )
    data = csv_bytes(
        "name,country,domains,city", "Jagiellonian University,PL,uj.edu.pl;student.uj.edu.pl,Kraków"
    )

    plan = importing.plan_import(data, file_format="csv")

    assert len(plan.to_update) == 1 and not plan.to_create
    update = plan.to_update[0]
    assert update.original.pk == stored.pk
    assert update.matched_by == "domain"
    assert update.changes["email_domains"] == (["uj.edu.pl"], ["uj.edu.pl", "student.uj.edu.pl"])


def test_a_row_matches_by_website_host_or_hei_id(db):
    by_host = InstitutionFactory(name="Uni A", country="DE", website="https://www.uni-a.de/")
    by_hei = InstitutionFactory(name="Uni B", country="DE", hei_id="uni-b.de")
    data = csv_bytes("name,country,domains", "University A,DE,uni-a.de", "University B,DE,uni-b.de")

    plan = importing.plan_import(data, file_format="csv")

    assert {item.original.pk for item in plan.to_update} == {by_host.pk, by_hei.pk}
    assert not plan.to_create


def test_a_row_matches_by_folded_name_and_country(db):
    stored = InstitutionFactory(name="Politechnika Łódzka", country="PL", city="")
    data = csv_bytes(
        "name,country,city", "POLITECHNIKA LODZKA,Poland,Łódź", "Politechnika Łódzka,DE,Berlin"
    )

    plan = importing.plan_import(data, file_format="csv")

    assert [item.original.pk for item in plan.to_update] == [stored.pk]
    assert plan.to_update[0].matched_by == "name"
    assert plan.to_update[0].changes == {"city": ("", "Łódź")}
    # Same name, other country: another institution.
    assert [item.institution.country.code for item in plan.to_create] == ["DE"]


def test_a_cyrillic_row_matches_the_institution_by_its_other_names(home):
    data = csv_bytes(
        "name,country,website", "Karaganda Industrial University,KZ,https://tttu.edu.kz"
    )

    plan = importing.plan_import(data, file_format="csv")

    assert plan.to_update[0].original.pk == home.pk
    assert plan.to_update[0].changes == {
        "website": ("", "https://tttu.edu.kz")
    }  # the name is known
    importing.apply(plan, None)
    home.refresh_from_db()
    assert home.name == "Карагандинский индустриальный университет"
    assert home.is_home is True


def test_empty_cells_never_blank_stored_values(db):
    stored = InstitutionFactory(
        name="Uniwersytet Śląski", country="PL", city="Katowice", acronym="UŚ", pic="999888777"
    )
    data = csv_bytes("name,country,city,acronym,pic", "Uniwersytet Śląski,PL,,,999888777")

    plan = importing.plan_import(data, file_format="csv")

    assert plan.unchanged == 1 and not plan.to_update
    stored.refresh_from_db()
    assert (stored.city, stored.acronym) == ("Katowice", "UŚ")


def test_an_import_never_sets_the_home_flag(db):
    data = csv_bytes("name,country,is_home", "Fake Home University,PL,true")
    rowset = importing.read_rows(data, file_format="csv")
    assert rowset.ignored_columns == ["is_home"]

    import_file(data, "csv")

    assert Institution.objects.get().is_home is False


# --- Bad rows: nothing written, every problem reported -------------------------------------------


BAD_FILE = (
    "name,country,hei_id,pic,ror_id",
    "Good University,PL,good.edu.pl,,",  # row 2: fine
    "Bad PIC University,PL,,12345,",  # row 3
    "Bad ROR University,PL,,,https://ror.org/00bas1c42",  # row 4: wrong check digits
    "Nowhere University,Atlantis,,,",  # row 5
    "Copy University,PL,good.edu.pl,,",  # row 6: hei_id of row 2
    ",PL,missing.edu.pl,,",  # row 7: no name
)


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_bad_row(db):
    InstitutionFactory()
    count = Institution.objects.count()

    plan = importing.plan_import(csv_bytes(*BAD_FILE), file_format="csv")

    errors = messages_by_row(plan)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert errors[3][0][0] == "pic" and "9 digits" in errors[3][0][1]
    assert errors[4][0][0] == "ror_id" and "check digits" in errors[4][0][1]
    assert errors[5][0][0] == "country" and "Atlantis" in errors[5][0][1]
    assert errors[6][0][0] == "hei_id" and "row 2" in errors[6][0][1]
    assert errors[7][0][0] == "name"
    assert plan.bad_rows == 5
    with pytest.raises(importing.ImportRejected):
        importing.apply(plan, None)
    assert Institution.objects.count() == count


def test_errors_name_the_files_own_column_headers(db):
    data = xlsx_bytes([["Uczelnia", "Kraj", "Numer PIC"], ["Uniwersytet", "PL", "12"]])

    plan = importing.plan_import(
        data, file_format="xlsx", mapping={"name": "Uczelnia", "pic": "Numer PIC"}
    )

    assert [(e.row, e.column) for e in plan.errors] == [(2, "Numer PIC")]


def test_two_rows_matching_the_same_institution_are_an_error(db):
    InstitutionFactory(name="Uniwersytet Gdański", country="PL", email_domains=["ug.edu.pl"])
    data = csv_bytes(
        "name,country,domains", "Uniwersytet Gdański,PL,", "University of Gdańsk,PL,ug.edu.pl"
    )

    plan = importing.plan_import(data, file_format="csv")

    assert [(e.row, "row 2" in e.message.lower()) for e in plan.errors] == [(3, True)]


def test_identifiers_of_two_different_institutions_in_one_row_are_an_error(db):
    InstitutionFactory(name="A", pic="999000111")
    InstitutionFactory(name="B", hei_id="b.edu.pl")
    data = csv_bytes("name,country,pic,hei_id", "A,PL,999000111,b.edu.pl")

    plan = importing.plan_import(data, file_format="csv")

    assert len(plan.errors) == 1 and "different institutions" in plan.errors[0].message


def test_an_empty_row_in_json_is_a_bad_row_but_empty_csv_lines_are_skipped(db):
    plan = importing.plan_import(b'[{"name": "X", "alpha_two_code": "PL"}, 5]', file_format="json")
    assert [(e.row, e.column) for e in plan.errors] == [(2, "")]

    plan = importing.plan_import(csv_bytes("name,country", "", "Y,PL", ",,"), file_format="csv")
    assert plan.errors == [] and plan.rows == 1


# --- Files that cannot be read -----------------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"


@pytest.mark.parametrize(
    ("data", "file_format", "expected"),
    [
        (PNG, "csv", "binary data"),
        (PNG, "xlsx", "not an XLSX"),
        (b"\xff\xfeN\x00a\x00", "csv", "binary data"),
        (b"name,country\nUniversit\xe9,FR\n", "csv", "not UTF-8"),
        (b'[{"name": "A",}]', "json", "not valid JSON"),
        (b'{"name": "A"}', "json", "list of institutions"),
        (b"PK\x03\x04garbage", "xlsx", "cannot be read"),
        (b"colour,size\nred,1\n", "csv", "None of the columns"),
        (b"", "csv", "empty"),
    ],
)
def test_unreadable_files_get_a_clear_error(db, data, file_format, expected):
    with pytest.raises(importing.ImportFileError, match=expected):
        importing.read_rows(data, file_format=file_format)


def test_an_unknown_mapping_field_or_missing_column_is_a_clear_error(db):
    data = csv_bytes("name,country", "A,PL")
    with pytest.raises(importing.ImportFileError, match=r"Unknown field.*colour"):
        importing.read_rows(data, file_format="csv", mapping={"colour": "name"})
    with pytest.raises(
        importing.ImportFileError, match="“Kraj” given for country is not in the file"
    ):
        importing.read_rows(data, file_format="csv", mapping={"country": "Kraj"})


def test_the_format_follows_the_file_name():
    assert importing.detect_format("world.JSON") == "json"
    assert importing.detect_format("partners.csv") == "csv"
    assert importing.detect_format("partners.xlsx") == "xlsx"
    with pytest.raises(importing.ImportFileError):
        importing.detect_format("partners.pdf")


def test_apply_refuses_to_overwrite_a_record_changed_after_the_check(db):
    stored = InstitutionFactory(name="Uniwersytet Opolski", country="PL", city="")
    plan = importing.plan_import(
        csv_bytes("name,country,city", "Uniwersytet Opolski,PL,Opole"), file_format="csv"
    )
    stored.acronym = "UO"
    stored.save()  # someone edits it in the meantime

    with pytest.raises(importing.ImportRejected, match="changed by someone else"):
        importing.apply(plan, None)

    stored.refresh_from_db()
    assert (stored.city, stored.acronym) == ("", "UO")


# --- Speed: one pass over the database -----------------------------------------------------------


def test_planning_reads_the_database_once_and_applying_writes_in_batches(
    db, django_assert_max_num_queries, monkeypatch
):
    # The search index has its own budget; this counts the import's own queries.
    monkeypatch.setattr(services, "_after_import", lambda created_ids, updated_ids: None)
    for n in range(30):
        InstitutionFactory(name=f"Existing {n}", email_domains=[f"e{n}.edu.pl"])
    lines = ["name,country,domains,city"]
    lines += [f"Existing {n},PL,e{n}.edu.pl,Gdańsk" for n in range(30)]
    lines += [f"New {n},PL,n{n}.edu.pl," for n in range(30)]
    data = csv_bytes(*lines)

    with django_assert_max_num_queries(2):
        plan = importing.plan_import(data, file_format="csv")
    with django_assert_max_num_queries(10):
        importing.apply(plan, None)

    assert Institution.objects.filter(city="Gdańsk").count() == 30
    assert Institution.objects.count() == 60


# --- Audit trail and search ---------------------------------------------------------------------


def test_imported_records_have_audit_entries_naming_the_user(db, office_user):
    stored = InstitutionFactory(name="Old Name", country="PL", email_domains=["old.edu.pl"])
    data = csv_bytes("name,country,domains", "New Name,PL,old.edu.pl", "Brand New,PL,new.edu.pl")

    result = import_file(data, "csv", user=office_user)

    created = Institution.objects.get(pk=result.created_ids[0])
    entry = LogEntry.objects.get_for_object(created).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == office_user
    assert entry.changes_dict["name"] == ["None", "Brand New"]
    assert entry.changes_dict["email_domains"] == ["None", '["new.edu.pl"]']

    update = LogEntry.objects.get_for_object(stored).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == office_user
    assert update.changes_dict == {
        "name": ["Old Name", "New Name"],
        "aliases": ["[]", '["Old Name"]'],
    }


def test_after_import_asks_the_search_index_to_reindex(db, monkeypatch):
    calls = []
    search = types.ModuleType("unibridge.core.search")
    search.reindex = lambda model, ids: calls.append((model, sorted(ids)))
    monkeypatch.setitem(sys.modules, "unibridge.core.search", search)
    monkeypatch.setattr(unibridge.core, "search", search, raising=False)

    result = import_file(csv_bytes("name,country", "A,PL", "B,PL"), "csv")

    assert calls == [(Institution, sorted(result.created_ids))]


# --- Management command ---------------------------------------------------------------------------


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_institutions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_imports_a_file_and_prints_a_summary(db, tmp_path):
    path = tmp_path / "world.json"
    path.write_bytes(world_slice(["AGH University of Science and Technology", "Keio University"]))

    out, err = run_command(str(path))

    assert "Created 3, updated 0, unchanged 0" in out
    assert err == ""  # no progress display when stderr is not a terminal
    out, _err = run_command(str(path))
    assert "Created 0, updated 0, unchanged 3" in out
    assert Institution.objects.count() == 3


def test_command_with_bad_rows_lists_them_writes_nothing_and_fails(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(*BAD_FILE))
    out = io.StringIO()

    with pytest.raises(CommandError, match="5 bad row"):
        call_command("import_institutions", str(path), stdout=out, stderr=io.StringIO())

    report = out.getvalue()
    for row, column in [(3, "pic"), (4, "ror_id"), (5, "country"), (6, "hei_id"), (7, "name")]:
        assert f'row {row}, column "{column}"' in report
    assert Institution.objects.count() == 0


def test_command_exits_with_a_non_zero_status_on_bad_rows(db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes(*BAD_FILE))

    with pytest.raises(SystemExit) as exit_info:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["manage.py", "import_institutions", str(path)])

    assert exit_info.value.code == 1


def test_command_dry_run_writes_nothing(db, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_bytes(csv_bytes("Uczelnia,Kraj", "Uniwersytet Warszawski,PL"))

    out, _err = run_command(str(path), "--dry-run", "--map", "name=Uczelnia")

    assert "Would create 1" in out
    assert Institution.objects.count() == 0


def test_command_reads_xlsx_with_mapping_and_records_the_user(db, tmp_path, office_user):
    path = tmp_path / "partners.xlsx"
    path.write_bytes(xlsx_bytes([["Uczelnia", "Kraj"], ["Uniwersytet Warszawski", "Polska"]]))

    run_command(str(path), "--map", "name=Uczelnia", "--user", "office")

    institution = Institution.objects.get()
    assert LogEntry.objects.get_for_object(institution).get().actor == office_user


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.csv"], "No such file"),
        (["{dir}"], "Cannot read"),
        (["{dir}/partners.pdf"], "Cannot tell the format"),
        (["{dir}/ok.csv", "--map", "colour=Name"], "Unknown field"),
        (["{dir}/ok.csv", "--map", "name"], "field=Column header"),
        (["{dir}/ok.csv", "--format", "xlsx"], "not an XLSX"),
        (["{dir}/ok.csv", "--user", "nobody"], "No user named"),
    ],
)
def test_command_explains_what_is_wrong(db, tmp_path, args, expected):
    (tmp_path / "ok.csv").write_bytes(csv_bytes("name,country", "A,PL"))
    (tmp_path / "partners.pdf").write_bytes(b"%PDF-1.4")
    args = [arg.format(dir=tmp_path) for arg in args]

    with pytest.raises(CommandError, match=expected):
        run_command(*args)
    assert Institution.objects.count() == 0


# --- Web flow ------------------------------------------------------------------------------------


def upload(client, data: bytes, name: str, **fields):
    """Upload a file; its check runs as a job (at once in tests): the preview page, or the form."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse(IMPORT_URL),
            {"file": SimpleUploadedFile(name, data), "file_format": "", **fields},
        )
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def test_office_uploads_previews_and_confirms_an_import(
    office_client, office_user, media, django_capture_on_commit_callbacks
):
    stored = InstitutionFactory(
        name="Uniwersytet Gdański", country="PL", email_domains=["ug.edu.pl"]
    )
    data = csv_bytes(
        "Uczelnia,Kraj,Domeny",
        "Uniwersytet Gdański,PL,ug.edu.pl;ug.gda.pl",
        "Nowa Uczelnia,PL,nowa.pl",
    )

    assert office_client.get(reverse(IMPORT_URL)).status_code == 200
    response = upload(office_client, data, "partners.csv", map_name="Uczelnia")

    # The file was checked by a background job; the preview page shows what it found.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nowa Uczelnia" in page
    assert "ug.gda.pl" in page and "→" in page
    assert "every 2s" not in page  # the check has ended: the page no longer polls
    token = response.context["token"]
    stored_file = media / "imports" / f"{token}.upload"
    assert stored_file.exists()
    assert Institution.objects.count() == 1  # nothing written by the preview
    preview = Job.objects.get(kind="institution_preview")
    assert (preview.status, preview.user, preview.result["counts"]) == (
        "done",
        office_user,
        [1, 1, 0],
    )
    assert preview.message == "Checked partners.csv: 1 to create, 1 to update, 0 unchanged."

    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse(CONFIRM_URL), {"token": token, "confirm": ""})

    # The import runs as a background job (immediately in tests); its page tells the outcome.
    assert response.status_code == 302
    job = Job.objects.get(kind="institution_import")
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.user, job.attempts) == ("done", office_user, 1)
    assert job.message == "Imported partners.csv: 1 created, 1 updated, 0 unchanged."
    page = office_client.get(job.get_absolute_url()).content.decode()
    assert job.message in page and 'href="/institutions/"' in page
    assert not stored_file.exists()
    assert Institution.objects.count() == 2
    stored.refresh_from_db()
    assert stored.email_domains == ["ug.edu.pl", "ug.gda.pl"]
    new = Institution.objects.get(name="Nowa Uczelnia")
    assert LogEntry.objects.get_for_object(new).get().actor == office_user
    # The token cannot be used twice.
    response = office_client.post(reverse(CONFIRM_URL), {"token": token}, follow=True)
    assert "expired" in response.content.decode()


def test_an_import_whose_data_changed_since_the_preview_fails_and_writes_nothing(
    office_client, media, django_capture_on_commit_callbacks
):
    token = upload(office_client, csv_bytes("name,country", "Nowa,PL"), "a.csv").context["token"]
    InstitutionFactory(name="Nowa", country="PL")  # someone records it meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse(CONFIRM_URL), {"token": token})

    job = Job.objects.get(kind="institution_import")
    assert response["Location"] == job.get_absolute_url()
    assert job.status == "failed"
    assert "changed since you checked" in job.message
    assert Institution.objects.count() == 1
    assert not (media / "imports" / f"{token}.upload").exists()


def test_a_job_page_is_404_for_other_users_but_not_for_the_office(
    coordinator_client, office_client, coordinator_user
):
    job = Job.objects.create(user=coordinator_user, kind="x", title="Coordinator's job")
    assert coordinator_client.get(job.get_absolute_url()).status_code == 200
    assert office_client.get(job.get_absolute_url()).status_code == 200
    other = Job.objects.create(user=UserFactory(), kind="x", title="Someone else's job")
    assert coordinator_client.get(other.get_absolute_url()).status_code == 404


def test_an_unfinished_job_page_polls_with_htmx_and_refreshes_without_javascript(
    office_client, office_user
):
    job = Job.objects.create(user=office_user, kind="x", title="Waiting job")
    page = office_client.get(job.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'http-equiv="refresh"' in page
    partial = office_client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Waiting" in partial


def test_a_preview_with_bad_rows_shows_every_error_and_no_import_button(office_client, media):
    response = upload(office_client, csv_bytes(*BAD_FILE), "bad.csv")

    page = response.content.decode()
    assert response.status_code == 200
    assert "5 bad rows" in page
    assert "9 digits" in page and "Atlantis" in page and "row 2" in page
    assert 'name="token"' not in page
    assert not (media / "imports").exists() or not any((media / "imports").iterdir())
    assert Institution.objects.count() == 0


def test_the_upload_form_explains_unreadable_files(office_client, media):
    response = upload(office_client, PNG, "partners.csv")

    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("This file is not CSV")
    assert Institution.objects.count() == 0


def test_uploads_over_20_mb_are_refused(office_client, media):
    big = b"name,country\n" + b"x" * (20 * 1024 * 1024)

    response = upload(office_client, big, "big.csv")

    assert "limit of 20 MB" in response.context["form"].errors["file"][0]


def test_an_upload_can_be_cancelled(office_client, media):
    response = upload(office_client, csv_bytes("name,country", "A,PL"), "a.csv")
    token = response.context["token"]

    response = office_client.post(reverse(CONFIRM_URL), {"token": token, "cancel": ""})

    assert response.status_code == 302
    assert not (media / "imports" / f"{token}.upload").exists()
    assert Institution.objects.count() == 0


def test_a_forged_token_imports_nothing(office_client, media):
    response = office_client.post(reverse(CONFIRM_URL), {"token": "../../etc/passwd"})

    assert response.status_code == 302
    assert response["Location"] == reverse(IMPORT_URL)


def test_another_users_upload_cannot_be_confirmed(office_client, admin_client_, media):
    token = upload(office_client, csv_bytes("name,country", "A,PL"), "a.csv").context["token"]

    admin_client_.post(reverse(CONFIRM_URL), {"token": token})

    assert Institution.objects.count() == 0


@pytest.mark.parametrize("client_name", ["viewer_client", "coordinator_client"])
def test_only_the_office_may_import(request, client_name, media):
    client = request.getfixturevalue(client_name)

    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, csv_bytes("name,country", "A,PL"), "a.csv").status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "0" * 32}).status_code == 403
    preview_url = reverse("institutions:institution_import_preview", args=["0" * 32])
    assert client.get(preview_url).status_code == 403
    assert Institution.objects.filter(name="A").count() == 0


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse(IMPORT_URL))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_unexpected_failure_on_the_last_attempt_marks_the_job_failed(
    office_user, media, monkeypatch, tmp_path
):
    from django.db import OperationalError

    from unibridge.institutions import tasks

    path = tmp_path / "upload.csv"
    path.write_bytes(csv_bytes("name,country", "Nowa,PL"))
    job = Job.objects.create(
        user=office_user,
        kind="institution_import",
        title="Import",
        params={
            "path": str(path),
            "name": "a.csv",
            "format": "csv",
            "mapping": {},
            "counts": [1, 0, 0],
            "language": "en",
        },
    )

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "institutions_import", locked)
    with pytest.raises(OperationalError):
        tasks.import_institutions.call_local(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 1)
    assert "nothing was written" in job.message
    assert Institution.objects.count() == 0
