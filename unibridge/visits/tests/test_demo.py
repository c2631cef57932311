"""The demo story's visits: the AGH delegation (completed, with its round table, decisions,
action items, the memorandum and the news draft) and the planned outgoing visit to Freiberg."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from unibridge.agreements.demo import MEMORANDUM_TITLE
from unibridge.meetings.models import ActionItem
from unibridge.visits.demo import AGH_VISIT_TITLE, FREIBERG_VISIT_TITLE
from unibridge.visits.models import Visit


@pytest.fixture
def demo(db, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=StringIO())


def test_the_agh_visit_is_completed_with_its_round_table_and_the_memorandum(demo):
    visit = Visit.objects.get(title=AGH_VISIT_TITLE)
    assert visit.status == "completed"
    assert visit.visiting_institution.hei_id == "agh.edu.pl"
    assert visit.host_institution.is_home
    assert [a.title for a in visit.agreements.all()] == [MEMORANDUM_TITLE]
    assert visit.participants.filter(side="delegation", role="head").count() == 1
    assert visit.programme.filter(kind="round_table").exists()
    [round_table] = visit.meetings.all()
    assert round_table.decisions.count() == 3
    assert "<script" not in round_table.minutes
    assert not visit.checklist.filter(done=False).exists()


def test_its_action_items_are_done_open_and_one_overdue(demo):
    items = ActionItem.objects.filter(meeting__visit__title=AGH_VISIT_TITLE)
    assert {i.status for i in items} == {"done", "open"}
    overdue = ActionItem.objects.overdue(timezone.localdate())
    assert overdue.filter(meeting__visit__title=AGH_VISIT_TITLE).count() == 1


def test_the_news_draft_names_the_delegation_and_the_memorandum(demo):
    visit = Visit.objects.get(title=AGH_VISIT_TITLE)
    drafts = {d.language: d for d in visit.news_drafts.all()}
    assert set(drafts) == {"en", "ru", "kk", "pl"}
    english = drafts["en"].lead + drafts["en"].body
    assert "AGH University of Krakow" in english
    assert "Łęczycki" in english
    assert visit.agreements.get().reference in english


def test_the_freiberg_visit_is_outgoing_and_planned(demo):
    visit = Visit.objects.get(title=FREIBERG_VISIT_TITLE)
    assert visit.direction == "outgoing"
    assert visit.status == "planned"
    assert visit.host_institution.hei_id == "tu-freiberg.de"
    assert visit.checklist.exists()
    assert visit.start_date > timezone.localdate()


def test_loading_the_demo_twice_adds_no_visit(demo):
    call_command("load_demo", stdout=StringIO())
    assert Visit.objects.count() == 2
    assert ActionItem.objects.count() == 3
