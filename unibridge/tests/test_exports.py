"""List exports: XLSX and CSV of exactly the rows, columns and order the list page shows."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from unibridge.agreements.models import Agreement, AgreementParty, AgreementType
from unibridge.core import crud, exports
from unibridge.institutions.tables import INSTITUTION_COLUMNS, PARTNERSHIP_COLUMNS
from unibridge.institutions.tests.factories import InstitutionFactory, PartnershipFactory

TODAY = timezone.localdate().isoformat()


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def xlsx_rows(response) -> list[list]:
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    text = content(response).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def page_rows(client, url: str) -> list[list[str]]:
    """The rows the list page shows for this URL, as text (empty cells as "")."""
    response = client.get(url)
    assert response.status_code == 200
    return [[str(value) for value, _url in cells] for _obj, cells in response.context["rows"]]


def labels(columns) -> list[str]:
    return [str(column.label) for column in columns]


@pytest.fixture
def institutions(home):
    InstitutionFactory(name="Warsaw University of Technology", acronym="WUT", city="Warszawa")
    InstitutionFactory(name="Uniwersytet Łódzki", name_en="", acronym="UŁ", city="Łódź")
    InstitutionFactory(name="Université de Lyon", country="FR", city="Lyon")
    InstitutionFactory(
        name="Казахский национальный университет", name_en="", country="KZ", city="Алматы"
    )


# --- Formats -----------------------------------------------------------------------------------


def test_xlsx_export_has_the_columns_and_rows_of_the_filtered_sorted_list(
    office_client, institutions
):
    query = "country=PL&sort=-name"
    response = office_client.get(f"/institutions/?{query}&export=xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="institutions-{TODAY}.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = xlsx_rows(response)
    assert rows[0] == labels(INSTITUTION_COLUMNS)
    as_text = [[value if value is not None else "" for value in row] for row in rows[1:]]
    assert as_text == page_rows(office_client, f"/institutions/?{query}")
    assert [row[0] for row in rows[1:]] == ["Warsaw University of Technology", "Uniwersytet Łódzki"]


def test_csv_export_has_the_columns_and_rows_of_the_filtered_sorted_list(
    office_client, institutions
):
    query = "sort=-city"
    response = office_client.get(f"/institutions/?{query}&export=csv")
    assert response["Content-Disposition"] == f'attachment; filename="institutions-{TODAY}.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response)
    assert rows[0] == labels(INSTITUTION_COLUMNS)
    assert rows[1:] == page_rows(office_client, f"/institutions/?{query}")


def test_cyrillic_and_polish_names_survive_both_formats(office_client, institutions):
    names = {"Казахский национальный университет", "Uniwersytet Łódzki"}
    xlsx = {row[0] for row in xlsx_rows(office_client.get("/institutions/?export=xlsx"))}
    assert names <= xlsx
    csv_names = {row[0] for row in csv_rows(office_client.get("/institutions/?export=csv"))}
    assert names <= csv_names
    assert "Алматы" in {row[3] for row in csv_rows(office_client.get("/institutions/?export=csv"))}


def test_headers_are_in_the_readers_language(office_client, institutions):
    response = office_client.get("/institutions/?export=csv", HTTP_ACCEPT_LANGUAGE="ru")
    with translation.override("ru"):
        russian = labels(INSTITUTION_COLUMNS)
    with translation.override("en"):
        assert russian != labels(INSTITUTION_COLUMNS), "the catalogue translates the labels"
    assert csv_rows(response)[0] == russian


def test_export_has_every_row_not_just_the_first_page(office_client, home):
    for i in range(crud.PAGE_SIZE + 5):
        InstitutionFactory(name=f"Partner {i:03d}")
    assert len(page_rows(office_client, "/institutions/")) == crud.PAGE_SIZE
    assert len(csv_rows(office_client.get("/institutions/?export=csv"))) == crud.PAGE_SIZE + 7
    assert len(xlsx_rows(office_client.get("/institutions/?export=xlsx"))) == crud.PAGE_SIZE + 7


def test_lists_are_joined_and_dates_stay_dates(office_client, engineering, economics):
    partnership = PartnershipFactory(
        partner=InstitutionFactory(name="Politechnika Gdańska"),
        started_on=datetime.date(2019, 9, 1),
    )
    partnership.home_units.set([engineering, economics])
    rows = xlsx_rows(office_client.get("/partnerships/?export=xlsx"))
    since = rows[1][labels(PARTNERSHIP_COLUMNS).index("Since")]
    assert since == datetime.datetime(2019, 9, 1)
    units = rows[1][labels(PARTNERSHIP_COLUMNS).index("Home units")]
    assert set(units.split(", ")) == {"Faculty of Engineering", "Faculty of Economics"}
    csv_row = csv_rows(office_client.get("/partnerships/?export=csv"))[1]
    assert csv_row[labels(PARTNERSHIP_COLUMNS).index("Since")] == "2019-09-01"


def test_agreements_export_keeps_dates_typed_and_text_as_shown(office_client, home):
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference="MoU-2026-001",
        title="Memorandum",
        effective_date=datetime.date(2026, 1, 15),
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    partner = InstitutionFactory(name="Uniwersytet Jagielloński")
    AgreementParty.objects.create(agreement=agreement, institution=partner, order=1)
    response = office_client.get("/agreements/?export=xlsx")
    assert response["Content-Disposition"] == f'attachment; filename="agreements-{TODAY}.xlsx"'
    header, row = xlsx_rows(response)
    values = dict(zip(header, row, strict=True))
    assert values["Reference"] == "MoU-2026-001"
    assert values["Partners"] == "Uniwersytet Jagielloński"
    assert values["Effective from"] == datetime.datetime(2026, 1, 15)
    assert values["Expires on"] == "no end"


def test_cell_values_keep_numbers_and_dates_and_join_lists():
    aware = timezone.make_aware(datetime.datetime(2026, 3, 1, 12, 30), datetime.UTC)
    assert exports.cell_value(Decimal("1.50")) == Decimal("1.50")
    assert exports.cell_value(42) == 42
    assert exports.cell_value(None) == ""
    assert exports.cell_value(["a", "b"]) == "a, b"
    assert exports.cell_value(aware) == timezone.localtime(aware).replace(tzinfo=None)
    assert exports.cell_value(datetime.date(2026, 3, 1)) == datetime.date(2026, 3, 1)


def test_text_that_looks_like_a_formula_stays_text(office_client, home):
    InstitutionFactory(name='=HYPERLINK("http://evil.example","click")')
    rows = xlsx_rows(office_client.get("/institutions/?export=xlsx&sort=name"))
    assert rows[1][0] == '=HYPERLINK("http://evil.example","click")'
    workbook = openpyxl.load_workbook(
        io.BytesIO(content(office_client.get("/institutions/?export=xlsx&sort=name")))
    )
    assert workbook.active["A2"].data_type == "s"
    csv_name = csv_rows(office_client.get("/institutions/?export=csv&sort=name"))[1][0]
    assert csv_name == '\'=HYPERLINK("http://evil.example","click")'


# --- Permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_a_confidential_partnership_is_not_in_a_viewers_export(
    viewer_client, office_client, export_format
):
    PartnershipFactory(partner=InstitutionFactory(name="Open Partner"))
    PartnershipFactory(partner=InstitutionFactory(name="Secret Partner"), is_confidential=True)
    read = xlsx_rows if export_format == "xlsx" else csv_rows
    url = f"/partnerships/?export={export_format}"
    assert [row[0] for row in read(viewer_client.get(url))[1:]] == ["Open Partner"]
    assert [row[0] for row in read(office_client.get(url))[1:]] == [
        "Open Partner",
        "Secret Partner",
    ]


def test_export_requires_login(client, institutions):
    response = client.get("/institutions/?export=csv")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Requests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["pdf", "", "XLSX"])
def test_an_unknown_export_format_is_a_bad_request(office_client, institutions, value):
    response = office_client.get(f"/institutions/?export={value}")
    assert response.status_code == 400
    assert "xlsx or csv" in response.content.decode()


def test_an_xlsx_longer_than_the_cap_is_refused_with_a_message(
    office_client, institutions, monkeypatch
):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)
    response = office_client.get("/institutions/?country=PL&export=xlsx&page=2", follow=True)
    assert response.redirect_chain == [("?country=PL", 302)]
    assert "at most 1 rows" in response.content.decode()
    # the CSV streams and has no cap
    assert len(csv_rows(office_client.get("/institutions/?country=PL&export=csv"))) == 3


def test_the_list_page_links_to_both_exports_with_its_filters(office_client, institutions):
    html = office_client.get("/institutions/?country=PL&sort=-name&page=1").content.decode()
    assert 'href="?country=PL&amp;sort=-name&amp;export=xlsx"' in html
    assert 'href="?country=PL&amp;sort=-name&amp;export=csv"' in html


# --- Query counts ------------------------------------------------------------------------------


def make_partnerships(n: int, unit, start: int = 0) -> None:
    for i in range(start, start + n):
        partnership = PartnershipFactory(partner=InstitutionFactory(name=f"Partner {i:03d}"))
        partnership.home_units.set([unit])


def export_queries(client, url: str) -> int:
    """Queries of the whole download: the body of a streamed response is read inside."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        content(response)
    return len(queries)


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_query_count_does_not_grow_with_rows_within_a_chunk(
    office_client, engineering, monkeypatch, export_format
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 20)
    url = f"/partnerships/?export={export_format}"
    make_partnerships(3, engineering)
    few = export_queries(office_client, url)
    make_partnerships(15, engineering, start=3)
    assert export_queries(office_client, url) == few


@pytest.mark.parametrize("export_format", ["xlsx", "csv"])
def test_each_further_chunk_costs_the_same_few_queries(
    office_client, engineering, monkeypatch, export_format
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    url = f"/partnerships/?export={export_format}"
    make_partnerships(5, engineering)
    one_chunk = export_queries(office_client, url)
    make_partnerships(5, engineering, start=5)
    two_chunks = export_queries(office_client, url)
    make_partnerships(5, engineering, start=10)
    three_chunks = export_queries(office_client, url)
    # a chunk loads its partnerships, then their home units
    assert two_chunks - one_chunk == three_chunks - two_chunks == 2
