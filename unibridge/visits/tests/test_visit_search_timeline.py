"""Visits, meetings and action items in the global search and on the partner timeline."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.core import search
from unibridge.core.timeline import timeline_for
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.visits.tests.factories import at
from unibridge.visits.tests.test_visit_pages import make_partner, make_visit


@pytest.fixture
def partner(db):
    return make_partner()


def found(query: str, user, kinds=None) -> list:
    return [result.object for result in search.search(query, user, kinds=kinds)]


def test_a_visit_is_found_by_its_partner_in_any_script_title_and_purpose(
    office_user, home, partner
):
    visit = make_visit(home, partner, title="Delegation of mining engineers",
                       purpose="Hydrogen metallurgy round table")  # fmt: skip
    for query in ("AGH", "Краков", "Krakow", "mining engineers", "hydrogen"):
        assert visit in found(query, office_user, kinds=["visit"]), query


def test_an_outgoing_visit_is_found_by_its_host(office_user, home, partner):
    visit = make_visit(home, partner, direction="outgoing")
    assert found("AGH", office_user, kinds=["visit"]) == [visit]


def test_renaming_the_partner_updates_the_visits_index_entries(office_user, home, partner):
    incoming = make_visit(home, partner)
    outgoing = make_visit(home, partner, direction="outgoing")
    partner.acronym = "AGHUST"
    partner.save()
    assert set(found("AGHUST", office_user, kinds=["visit"])) == {incoming, outgoing}


def test_the_search_hides_confidential_visits_from_outsiders(
    office_user, viewer_user, home, partner
):
    visit = make_visit(home, partner, is_confidential=True)
    assert found("AGH", office_user, kinds=["visit"]) == [visit]
    assert found("AGH", viewer_user, kinds=["visit"]) == []


def test_meetings_and_action_items_are_found(office_user, home, partner):
    visit = make_visit(home, partner)
    meeting = MeetingFactory(visit=visit, title="Round table on hydrogen metallurgy")
    standalone = MeetingFactory(visit=None, partner=partner, title="Online seminar")
    item = ActionItemFactory(meeting=meeting, description="Draft the double-degree programme")
    assert meeting in found("hydrogen", office_user, kinds=["meeting"])
    assert standalone in found("Краков seminar", office_user, kinds=["meeting"])
    assert found("double-degree", office_user, kinds=["action"]) == [item]


def test_the_partner_timeline_shows_visits_meetings_decisions_and_action_items(
    office_user, home, partner
):
    partnership = PartnershipFactory(partner=partner)
    planned = make_visit(home, partner, title="Spring visit")
    done = make_visit(
        home,
        partner,
        title="Autumn visit",
        status="completed",
        start_date=datetime.date(2025, 10, 1),
        end_date=datetime.date(2025, 10, 3),
    )
    make_visit(home, partner, title="Winter visit", status="cancelled",
               cancellation_reason="Flights cancelled")  # fmt: skip
    meeting = MeetingFactory(visit=done, title="Round table", starts_at=at(done.start_date, 10))
    DecisionFactory(meeting=meeting, text="Open a joint laboratory")
    owner = PersonFactory(name_native="Jan Kowalski")
    ActionItemFactory(meeting=meeting, description="Send the draft MoU", owner=owner,
                      due_on=datetime.date(2025, 11, 1))  # fmt: skip
    make_visit(home, InstitutionFactory(), title="Another partner's visit")

    entries = timeline_for(partnership, office_user)
    titles = {entry.title for entry in entries}
    assert "Visit planned: Spring visit" in titles
    assert "Visit took place: Autumn visit" in titles
    assert "Visit cancelled: Winter visit" in titles
    assert "Round table" in titles
    assert "Open a joint laboratory" in titles
    assert "Due: Send the draft MoU" in titles
    assert not any("Another partner" in title for title in titles)
    cancelled = next(e for e in entries if e.title == "Visit cancelled: Winter visit")
    assert cancelled.detail == "Flights cancelled"
    spring = next(e for e in entries if e.title == "Visit planned: Spring visit")
    assert spring.url == planned.get_absolute_url()
    assert spring.when.date() == planned.start_date


def test_the_timeline_hides_what_the_user_may_not_see(viewer_user, home, partner):
    partnership = PartnershipFactory(partner=partner)
    secret = make_visit(home, partner, title="Secret visit", is_confidential=True)
    MeetingFactory(visit=secret, title="Secret meeting")
    titles = {entry.title for entry in timeline_for(partnership, viewer_user)}
    assert not any("Secret" in title for title in titles)


def _visit_with_outcomes(home, partner) -> None:
    visit = make_visit(home, partner, status="completed")
    meeting = MeetingFactory(visit=visit)
    DecisionFactory(meeting=meeting)
    ActionItemFactory(meeting=meeting)
    MeetingFactory(visit=None, partner=partner)


def test_the_visits_timeline_uses_the_same_number_of_queries_for_1_and_10_visits(
    office_user, home, partner
):
    from unibridge.visits.timeline import visit_entries

    partnership = PartnershipFactory(partner=partner)
    _visit_with_outcomes(home, partner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            list(visit_entries(partnership, office_user))
        return len(queries)

    few = count()
    for _ in range(9):
        _visit_with_outcomes(home, partner)
    assert count() == few <= 4


def test_the_partnership_timeline_page_shows_the_visits(office_client, home, partner):
    partnership = PartnershipFactory(partner=partner)
    make_visit(home, partner, title="Spring visit")
    response = office_client.get(f"{partnership.get_absolute_url()}timeline/")
    assert response.status_code == 200
    assert "Visit planned: Spring visit" in response.content.decode()
