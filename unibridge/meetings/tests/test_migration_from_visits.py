"""An installation made before the split keeps its meetings: the rows, their links and their
content types (with the audit entries and permissions on them) end up under the meetings app."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

BEFORE = [("visits", "0003_text_limits"), ("meetings", None)]
MODELS = ("meeting", "decision", "actionitem")


def migrate(targets):
    """Migrate to ``targets``; the historical models of the whole project at that point."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    untouched = [node for node in latest() if node[0] not in {app for app, _name in targets}]
    named = [node for node in targets if node[1] is not None]
    return executor.loader.project_state(untouched + named).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def table_names() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def before_the_split(transactional_db):
    """The schema as it was before the split; the latest one again afterwards."""
    # institutions and people did not change: made with today's factories
    world = {
        "partner": InstitutionFactory(),
        "home": InstitutionFactory(is_home=True),
        "unit": UnitFactory(),
        "people": PersonFactory.create_batch(2),
    }
    world["apps"] = migrate(BEFORE)
    yield world
    migrate(latest())


def test_meetings_rows_links_and_content_types_move_to_the_meetings_app(before_the_split):
    old = before_the_split["apps"]
    partner, home = before_the_split["partner"], before_the_split["home"]
    first, second = before_the_split["people"]
    assert "visits_meeting" in table_names()
    visit = old.get_model("visits", "Visit").objects.create(
        title="AGH delegation",
        visiting_institution_id=partner.pk,
        host_institution_id=home.pk,
        start_date=datetime.date(2026, 5, 12),
        end_date=datetime.date(2026, 5, 14),
        time_zone="Asia/Almaty",
    )
    meeting = old.get_model("visits", "Meeting").objects.create(
        visit=visit,
        title="Round table",
        starts_at=datetime.datetime(2026, 5, 12, 5, 0, tzinfo=datetime.UTC),
        time_zone="Asia/Almaty",
        minutes="<p>Agreed</p>",
    )
    meeting.participants.set([first.pk, second.pk])
    meeting.home_units.set([before_the_split["unit"].pk])
    decision = old.get_model("visits", "Decision").objects.create(
        meeting=meeting, text="Open a joint lab", order=1
    )
    item = old.get_model("visits", "ActionItem").objects.create(
        meeting=meeting, description="Send the draft", owner_id=first.pk
    )
    ContentType = old.get_model("contenttypes", "ContentType")
    types = {
        model: ContentType.objects.get_or_create(app_label="visits", model=model)[0].pk
        for model in MODELS
    }
    Permission = old.get_model("auth", "Permission")
    permission = Permission.objects.create(
        content_type_id=types["meeting"], codename="view_meeting_test", name="Can view (test)"
    )
    LogEntry = old.get_model("auditlog", "LogEntry")
    entry = LogEntry.objects.create(
        content_type_id=types["decision"],
        object_pk=str(decision.pk),
        object_id=decision.pk,
        object_repr="Open a joint lab",
        action=0,
        changes={},
    )

    new = migrate(latest())

    tables = table_names()
    assert {"meetings_meeting", "meetings_decision", "meetings_actionitem"} <= tables
    assert {"meetings_meeting_participants", "meetings_meeting_home_units"} <= tables
    assert not {t for t in tables if t.startswith("visits_") and "meeting" in t}
    assert "visits_decision" not in tables and "visits_actionitem" not in tables
    moved = new.get_model("meetings", "Meeting").objects.get()
    assert (moved.pk, moved.uuid, moved.title, moved.minutes, moved.visit_id) == (
        meeting.pk,
        meeting.uuid,
        "Round table",
        "<p>Agreed</p>",
        visit.pk,
    )
    assert set(moved.participants.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert list(moved.home_units.values_list("pk", flat=True)) == [before_the_split["unit"].pk]
    assert list(moved.decisions.values_list("pk", "text", "order")) == [
        (decision.pk, "Open a joint lab", 1)
    ]
    assert list(moved.action_items.values_list("uuid", "description", "owner_id")) == [
        (item.uuid, "Send the draft", first.pk)
    ]
    ContentType = new.get_model("contenttypes", "ContentType")
    assert {
        model: ContentType.objects.get(app_label="meetings", model=model).pk for model in MODELS
    } == types
    assert not ContentType.objects.filter(app_label="visits", model__in=MODELS).exists()
    assert (
        new.get_model("auth", "Permission").objects.get(pk=permission.pk).content_type_id
        == (types["meeting"])
    )
    assert (
        new.get_model("auditlog", "LogEntry").objects.get(pk=entry.pk).content_type_id
        == (types["decision"])
    )


def test_migrating_back_returns_the_tables_and_types_to_visits(before_the_split):
    migrate(latest())
    ContentType = before_the_split["apps"].get_model("contenttypes", "ContentType")
    ids = {
        m: ContentType.objects.get_or_create(app_label="meetings", model=m)[0].pk for m in MODELS
    }

    old = migrate(BEFORE)

    assert "visits_meeting" in table_names() and "meetings_meeting" not in table_names()
    ContentType = old.get_model("contenttypes", "ContentType")
    assert {m: ContentType.objects.get(app_label="visits", model=m).pk for m in MODELS} == ids
