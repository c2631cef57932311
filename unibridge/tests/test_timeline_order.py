"""The partner timeline tells the story in the order things happened in the world, says when
an entry was recorded later, and can be narrowed to one kind (issue 9 §2)."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from unibridge.accounts.models import User
from unibridge.agreements.models import Signature
from unibridge.agreements.tests.test_pages import make_agreement
from unibridge.core.history import day
from unibridge.core.timeline import TimelineEntry, no_later_than_next, timeline_for
from unibridge.institutions.models import Partnership
from unibridge.institutions.tests.factories import InstitutionFactory, PartnershipFactory
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits.tests.factories import VisitFactory

SIGNED_ON = datetime.date(2025, 4, 17)


def timeline(client, partnership, query: str = "") -> str:
    response = client.get(f"{partnership.get_absolute_url()}timeline/{query}")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def titles(page: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", title).strip()
        for title in re.findall(r'<li class="timeline-entry mb-3">(.*?)</li>', page)
    ]


@pytest.fixture
def partnership(home):
    partner = InstitutionFactory(name="AGH University of Krakow")
    partnership = PartnershipFactory(partner=partner)
    agreement = make_agreement(home, partner, 7)
    Signature.objects.create(
        party=agreement.parties.get(order=1), signed_on=SIGNED_ON, signatory_name="J. Nowak"
    )
    visit = VisitFactory(
        title="AGH delegation",
        visiting_institution=partner,
        host_institution=home,
        start_date=datetime.date(2026, 5, 12),
        end_date=datetime.date(2026, 5, 14),
    )
    MeetingFactory(visit=visit, title="Round table on metallurgy")
    return partnership


def test_entries_are_ordered_by_when_they_happened_not_when_they_were_typed(
    office_client, partnership
):
    page = titles(timeline(office_client, partnership))
    signed = next(i for i, t in enumerate(page) if "MoU-2026-007 signed by AGH" in t)
    visit = next(i for i, t in enumerate(page) if "AGH delegation" in t)
    meeting = next(i for i, t in enumerate(page) if "Round table on metallurgy" in t)
    drafted = next(i for i, t in enumerate(page) if "MoU-2026-007 drafted" in t)
    # the latest first: the meeting (12 May 2026, 10:00) and the visit, then the signature of
    # April 2025, and the draft, typed in after it, kept before it in the agreement's story
    assert meeting < visit < signed < drafted


def test_an_entry_recorded_later_says_both_days(office_client, partnership):
    page = timeline(office_client, partnership)
    recorded = day(timezone.localdate())
    assert f"recorded on {recorded} for {day(SIGNED_ON)}" in page
    assert (
        f'<time datetime="{timezone.make_aware(datetime.datetime(2025, 4, 17)).isoformat()}">'
        in (page)
    )


def test_a_visit_recorded_ahead_of_its_days_says_nothing_of_it(office_client, partnership):
    partner = partnership.partner
    VisitFactory(
        title="Future delegation",
        visiting_institution=partner,
        start_date=timezone.localdate() + datetime.timedelta(days=40),
        end_date=timezone.localdate() + datetime.timedelta(days=42),
    )
    entry = next(e for e in titles(timeline(office_client, partnership)) if "Future" in e)
    assert "recorded on" not in entry


def test_the_kind_filter_keeps_one_kind_and_offers_every_kind(office_client, partnership):
    page = timeline(office_client, partnership, "?kind=visit")
    assert [t for t in titles(page) if t] and all("Visit" in t for t in titles(page))
    assert "MoU-2026-007" not in page
    for kind in ("agreement", "visit", "meeting"):
        assert f'href="?kind={kind}"' in page
    assert re.search(r'href="\?kind=meeting"[^>]*>Meeting</a>', page)  # the kinds' labels
    assert re.search(r'href="\?kind=visit"[^>]*aria-current="true"', page)


def test_an_unknown_kind_shows_everything(office_client, partnership):
    page = timeline(office_client, partnership, "?kind=nonsense")
    assert "MoU-2026-007 signed by AGH" in page
    assert "AGH delegation" in page
    assert re.search(r'href="\?"[^>]*aria-current="true"', page)


def test_pages_of_a_filtered_timeline_keep_the_filter(office_client, partnership, monkeypatch):
    from unibridge.institutions import views

    monkeypatch.setattr(views, "TIMELINE_PAGE_SIZE", 1)
    page = timeline(office_client, partnership, "?kind=agreement")
    assert 'href="?kind=agreement&amp;page=2"' in page


def test_a_step_without_a_world_day_is_kept_before_the_step_after_it():
    now = timezone.now()
    signed = timezone.make_aware(datetime.datetime(2025, 4, 17))
    steps = no_later_than_next(
        [
            TimelineEntry(when=now, kind="Agreement", title="drafted"),
            TimelineEntry(when=signed, recorded=now, kind="Agreement", title="signed"),
        ]
    )
    assert [(s.title, s.when, s.recorded) for s in steps] == [
        ("drafted", signed, now),
        ("signed", signed, now),
    ]


def test_the_demo_story_is_told_in_its_order(db, monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    call_command("load_demo", stdout=StringIO())
    office = User.objects.get(username="office")
    agh = Partnership.objects.get(partner__hei_id="agh.edu.pl")
    story = [
        (timezone.localtime(entry.when).date(), entry.title)
        for entry in reversed(timeline_for(agh, office))
    ]
    position = {title: index for index, (_day, title) in enumerate(story)}

    def at(fragment: str) -> tuple[int, datetime.date]:
        index = next(i for title, i in position.items() if fragment in title)
        return index, story[index][0]

    drafted, signed, in_force = (
        at("MoU-2026-001 drafted"),
        at("MoU-2026-001 signed by AGH"),
        at("MoU-2026-001 came into force"),
    )
    round_table, visit = at("Round table"), at("Visit took place")
    assert drafted[0] < round_table[0] < signed[0] < visit[0]
    assert signed[1] == in_force[1] == SIGNED_ON
    assert at("MoU-2026-001 sent for signature")[1] == SIGNED_ON - datetime.timedelta(days=1)
    assert at("Done: Prepare and submit the Erasmus+ KA171")[1] == datetime.date(2025, 5, 27)
    assert at("KA171-2026-001 came into force")[1] == datetime.date(2025, 6, 1)
