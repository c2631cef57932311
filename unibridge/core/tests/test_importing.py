"""The import pipeline every importer shares: reading within limits, headers, apply, audit.

The records written are core's own DocumentTemplate (audited, with a uuid and timestamps),
so the pipeline is tried without any app's importer.
"""

import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core import importing
from unibridge.core.importing import Change, ImportFileError, ImportPlan, ImportRejected, RowError
from unibridge.core.models import DocumentTemplate, TemplateKind
from unibridge.core.services import acting_as
from unibridge.core.tabular import TooManyRows


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def template(name: str, **values) -> DocumentTemplate:
    values = {"kind": TemplateKind.AGREEMENT, "file": f"templates/{name}.docx", **values}
    return DocumentTemplate(name=name, **values)


# --- Reading -------------------------------------------------------------------------------------


def test_a_table_has_its_headers_and_records_by_spreadsheet_row():
    table = importing.read_table(csv_bytes("Name;Kind", "A;x", ";", "B;y"), file_format="csv")
    assert table.headers == ["Name", "Kind"]
    assert table.records == [(2, {"Name": "A", "Kind": "x"}), (4, {"Name": "B", "Kind": "y"})]


def test_reading_stops_at_the_row_limit_the_caller_gives(settings):
    settings.IMPORT_MAX_ROWS = 100
    data = csv_bytes("Name", *(f"n{i}" for i in range(6)))
    with pytest.raises(TooManyRows) as caught:
        importing.read_table(data, file_format="csv", max_rows=5)
    assert caught.value.limit == 5
    assert len(importing.read_table(data, file_format="csv", max_rows=6).records) == 6


def test_the_setting_caps_a_higher_limit_and_json_too(settings):
    settings.IMPORT_MAX_ROWS = 3
    data = json.dumps([{"name": str(i)} for i in range(4)]).encode()
    with pytest.raises(TooManyRows) as caught:
        importing.read_table(data, file_format="json", formats=("json",), max_rows=10)
    assert caught.value.limit == 3


def test_too_many_columns_are_refused(settings):
    settings.IMPORT_MAX_COLUMNS = 2
    with pytest.raises(ImportFileError, match="more than 2 columns"):
        importing.read_table(csv_bytes("a,b,c", "1,2,3"), file_format="csv")
    data = json.dumps([{"a": 1, "b": 2}, {"c": 3}]).encode()
    with pytest.raises(ImportFileError, match="more than 2 columns"):
        importing.read_table(data, file_format="json", formats=("json",))


def test_a_format_the_importer_does_not_take_is_refused():
    with pytest.raises(ImportFileError, match="choose CSV or XLSX"):
        importing.read_table(b"[]", file_format="json")
    with pytest.raises(ImportFileError, match="choose JSON, CSV or XLSX"):
        importing.read_table(b"", file_format="pdf", formats=("json", "csv", "xlsx"))


def test_a_json_file_that_is_not_a_list_gets_the_importers_message():
    with pytest.raises(ImportFileError, match=r"^A list of things, please\.$"):
        importing.read_table(
            b'{"a": 1}',
            file_format="json",
            formats=("json",),
            not_a_list="A list of things, please.",
        )


def test_a_repeated_header_is_refused():
    with pytest.raises(ImportFileError, match="“Name” appears more than once"):
        importing.read_table(csv_bytes("Name,Kind,Name", "a,b,c"), file_format="csv")


# --- Headers and rows ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("E-mail domains", "e_mail  domains"),
        ("Партнёр", "партнер"),
        ("Name (EN)", "name_en"),
        ("Erasmus+ code", "erasmus code"),
        ("Kraków", "krakow"),
    ],
)
def test_headers_are_compared_folded(one, other):
    assert importing.header_key(one) == importing.header_key(other)


def test_the_numero_sign_is_not_taken_for_no():
    assert importing.header_key("№") != importing.header_key("No")
    assert importing.header_key("№ договора") == importing.header_key("№  Договора")


def test_a_mapping_finds_its_header_by_the_same_key_or_says_what_the_file_has():
    headers = ["Partner Name", "Kraj"]
    assert importing.find_header("partner_name", "partner", headers) == "Partner Name"
    with pytest.raises(ImportFileError, match="“Country” given for country is not in the file"):
        importing.find_header("Country", "country", headers)
    with pytest.raises(ImportFileError, match=r"Unknown field.*colour"):
        importing.check_fields({"colour": "Kraj", "name": ""}, ["name", "country"])
    assert importing.check_fields({"name": "Kraj", "country": ""}, ["name", "country"]) == {
        "name": "Kraj"
    }


def test_a_field_reads_the_first_of_its_headers_that_has_a_value():
    records = [
        (2, {"Name": "", "Title": "T", "Kind": " "}),
        (3, {"Name": "N", "Title": "T"}),
        (4, 5),
    ]
    rows = importing.source_rows(records, {"name": ["Name", "Title"], "kind": ["Kind"]})
    assert (rows[0].values, rows[0].columns) == ({"name": "T"}, {"name": "Title", "kind": "Kind"})
    assert rows[1].values == {"name": "N"}
    assert rows[2].problem == "This item is not an object with named values."


def test_the_error_report_names_row_column_and_value():
    plan = ImportPlan(
        rows=3,
        errors=[RowError(2, "Date", "Not a date.", "31.02.2021"), RowError(3, "", "Empty.")],
    )
    assert importing.error_report(plan) == [
        "The file has 2 bad rows; nothing was imported.",
        "Row 2, column “Date” (31.02.2021): Not a date.",
        "Row 3: Empty.",
    ]
    assert importing.error_report(plan, limit=1)[-1] == "and 1 more problem."


# --- Writing -------------------------------------------------------------------------------------


def test_bulk_writes_are_audited_as_the_acting_user(db):
    user = UserFactory(username="importer")
    stored = template("Old")
    stored.save()
    before = DocumentTemplate.objects.get(pk=stored.pk)
    changed = DocumentTemplate.objects.get(pk=stored.pk)
    changed.name = "Renamed"
    progress = []
    with acting_as(user):
        importing.bulk_write(
            DocumentTemplate,
            create=[template("First"), template("Second", is_active=False)],
            update=[Change(before, changed, ("name",))],
            progress=lambda stage, done, total: progress.append((stage, done, total)),
        )

    assert progress == [("write", 2, 3), ("write", 3, 3)]
    first = DocumentTemplate.objects.get(name="First")
    entry = LogEntry.objects.get_for_object(first).get()
    assert (entry.action, entry.actor, entry.actor_email) == (
        LogEntry.Action.CREATE,
        user,
        user.email,
    )
    assert entry.changes_dict["name"] == ["None", "First"]
    assert "file" not in entry.changes_dict  # auditlog's exclude_fields of the model
    assert "uploaded_by" not in entry.changes_dict  # empty: not listed
    update = LogEntry.objects.get_for_object(stored).get(action=LogEntry.Action.UPDATE)
    assert update.changes_dict == {"name": ["Old", "Renamed"]}
    stored.refresh_from_db()
    assert stored.name == "Renamed" and stored.updated > before.updated


def test_bulk_writes_validate_new_records_when_asked(db):
    with pytest.raises(ValidationError) as caught:
        importing.bulk_write(
            DocumentTemplate, create=[template("Bad", kind="nope")], validate_exclude=()
        )
    assert "kind" in caught.value.message_dict
    assert not DocumentTemplate.objects.exists()


def test_a_plan_with_bad_rows_writes_nothing(db):
    plan = ImportPlan(rows=1, errors=[RowError(2, "Name", "Empty.")])
    calls = []
    with pytest.raises(ImportRejected, match="1 bad row; nothing was imported"):
        importing.apply_plan(plan, None, calls.append)
    assert calls == []


def test_applying_is_all_or_nothing_audit_entries_included(db):
    user = UserFactory(username="importer")
    earlier = LogEntry.objects.count()

    def write(actor):
        assert actor == user
        importing.bulk_write(DocumentTemplate, create=[template("One"), template("Two")])
        assert LogEntry.objects.count() == earlier + 2  # written, then rolled back
        raise IntegrityError("UNIQUE constraint failed: core_documenttemplate.uuid")

    with pytest.raises(ImportRejected) as caught:
        importing.apply_plan(ImportPlan(rows=2), user, write)
    assert str(caught.value) == (
        "The database refused the import (UNIQUE constraint failed: "
        "core_documenttemplate.uuid); nothing was imported."
    )
    assert not DocumentTemplate.objects.exists()
    assert LogEntry.objects.count() == earlier


def test_a_validation_error_while_writing_is_a_refusal_in_the_importers_words(db):
    def write(actor):
        importing.bulk_write(
            DocumentTemplate, create=[template("Bad", kind="nope")], validate_exclude=()
        )

    with pytest.raises(ImportRejected, match=r"^Refused: .*nope.*; check the file\.$"):
        importing.apply_plan(
            ImportPlan(), None, write, refused="Refused: %(error)s; check the file."
        )
    assert not DocumentTemplate.objects.exists()


def test_an_anonymous_import_is_recorded_without_an_actor(db):
    def write(actor):
        assert actor is None
        importing.bulk_write(DocumentTemplate, create=[template("One")])
        return "written"

    assert importing.apply_plan(ImportPlan(rows=1), None, write) == "written"
    entry = LogEntry.objects.get_for_object(DocumentTemplate.objects.get())
    assert entry.get().actor is None
    assert entry.get().timestamp <= timezone.now()
