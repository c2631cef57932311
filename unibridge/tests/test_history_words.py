"""History tabs tell changes in words, in the reader's language and time zone (issue 9 §2):
choice labels, names of related records (only those the reader may see), lists as lists,
yes/no, dates, times to the minute in the reader's zone; never a bare id or a related
manager's name."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.tests.test_pages import make_agreement
from unibridge.core.services import save_record
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings import services as meetings
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits.tests.factories import VisitFactory

DECEMBER_NOON_UTC = datetime.datetime(2026, 12, 6, 13, 5, tzinfo=datetime.UTC)


def history(client, record, **cookies) -> str:
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get(record.get_absolute_url() + "history/")
    assert response.status_code == 200
    table = re.search(
        r'<table class="table table-vcenter history">.*?</table>', response.content.decode(), re.S
    )
    assert table, "the history table is missing"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.group(0)))


@pytest.fixture
def agreement(home, office_user):
    agreement = make_agreement(home, InstitutionFactory(name="AGH University of Krakow"), 1)
    agreement.status = AgreementStatus.IN_REVIEW
    agreement.cooperation_areas = ["joint_research", "student_exchange"]
    agreement.effective_date = datetime.date(2025, 4, 17)
    agreement.is_confidential = True
    agreement.termination_requested_by = agreement.parties.get(order=1).institution
    save_record(instance=agreement, user=office_user)
    return agreement


def test_a_status_change_reads_as_its_labels_not_its_codes(office_client, agreement):
    page = history(office_client, agreement)
    assert "Status : Draft → In review" in page
    assert "in_review" not in page


def test_the_history_speaks_the_readers_language(office_client, agreement):
    page = history(office_client, agreement, **{settings.LANGUAGE_COOKIE_NAME: "ru"})
    assert "Черновик → На согласовании" in page


def test_lists_booleans_dates_and_related_records_are_written_out(office_client, agreement):
    page = history(office_client, agreement)
    assert "Cooperation areas : — → Joint research Student exchange" in page
    assert "Confidential : no → yes" in page
    assert "Effective from : — → 17 Apr 2025" in page
    assert "Termination asked by : — → AGH University of Krakow" in page


def test_a_new_record_shows_its_values_and_not_its_reverse_relations_or_ids(office_client, home):
    visit = VisitFactory(host_institution=home, title="Logged visit")
    page = history(office_client, visit)
    assert "created" in page
    assert "Title : Logged visit" in page
    assert "visits.ChecklistItem.None" not in page
    assert ".None" not in page
    assert f"Host institution : {home}" in page


def test_a_related_record_the_reader_may_not_see_is_named_by_its_kind(
    office_client, viewer_client, office_user, economics
):
    secret = PersonFactory(
        name_native="Secret Owner", is_confidential=True, unit=economics,
        institution=economics.institution,
    )  # fmt: skip
    meeting = MeetingFactory()
    meetings.action_item_create(
        meeting=meeting, user=office_user, values={"description": "Send the draft", "owner": secret}
    )

    assert "Owner : Secret Owner" in history(office_client, meeting)
    page = history(viewer_client, meeting)
    assert "Secret Owner" not in page
    assert "Owner : a person you may not see" in page
    assert f"Owner : {secret.pk} " not in page


def test_times_are_shown_to_the_minute_in_the_readers_time_zone(office_client, office_user):
    meeting = MeetingFactory()
    meeting.starts_at = DECEMBER_NOON_UTC
    save_record(instance=meeting, user=office_user)
    LogEntry.objects.filter(content_type__model="meeting", object_id=meeting.pk).update(
        timestamp=DECEMBER_NOON_UTC
    )

    # 13:05 UTC is 18:05 in Almaty (the installation's zone) and 14:05 in Warsaw in December
    almaty = history(office_client, meeting)
    assert "6 Dec 2026, 18:05" in almaty
    assert "Starts at :" in almaty and "→ 6 Dec 2026, 18:05" in almaty
    warsaw = history(office_client, meeting, tz="Europe/Warsaw")
    assert "6 Dec 2026, 14:05" in warsaw
    assert "→ 6 Dec 2026, 14:05" in warsaw
    assert "18:05" not in warsaw


def count_queries(client, record) -> int:
    with CaptureQueriesContext(connection) as queries:
        history(client, record)
    return len(queries)


def test_the_history_tab_costs_the_same_queries_for_few_and_many_named_records(
    office_client, office_user, home, django_assert_num_queries
):
    meeting = MeetingFactory()

    def add(n):
        for number in range(n):
            owner = PersonFactory(name_native=f"Owner {number}", institution=home)
            item = meetings.action_item_create(
                meeting=meeting, user=office_user, values={"description": f"A{number}"}
            )
            meetings.action_item_update(item=item, user=office_user, values={"owner": owner})

    add(1)
    history(office_client, meeting)  # warm the content type cache
    few = count_queries(office_client, meeting)
    add(12)
    with django_assert_num_queries(few):
        page = history(office_client, meeting)
    assert "Owner : — → Owner 11" in page


def test_a_record_without_a_rule_of_its_own_is_hidden_with_the_records_it_names(
    office_user, viewer_user, economics
):
    """A visit participant is named by their person: hidden when the person is."""
    from unibridge.core.history import RelatedNames
    from unibridge.visits.models import VisitParticipant
    from unibridge.visits.tests.factories import ParticipantFactory

    secret = PersonFactory(name_native="Secret Member", is_confidential=True, unit=economics)
    hidden = ParticipantFactory(person=secret)
    shown = ParticipantFactory(person=PersonFactory(name_native="Open Member"))
    for user, expected in (
        (office_user, ["Secret Member", "Open Member"]),
        (viewer_user, ["a visit participant you may not see", "Open Member"]),
    ):
        names = RelatedNames(user)
        for participant in (hidden, shown):
            names.want(VisitParticipant, str(participant.pk))
        names.load()
        assert [names.name(VisitParticipant, p.pk) for p in (hidden, shown)] == expected
    assert RelatedNames(viewer_user).name(VisitParticipant, 10**9) == "a deleted visit participant"
