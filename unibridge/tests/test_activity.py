"""Recent activity (/activity/): the audit entries of the records the reader may see, newest
first, in sentences that link to the records (issue 9 §1)."""

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement
from unibridge.agreements.tests.test_pages import make_agreement
from unibridge.core.services import delete_record, save_record
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory

URL = "/activity/"
MOMENT = datetime.datetime(2026, 12, 6, 9, 5, tzinfo=datetime.UTC)  # 14:05 in Almaty


def activity(client, query: str = "") -> str:
    response = client.get(URL + query)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def sentences(page: str) -> list[str]:
    items = re.findall(r'<li class="list-group-item">(.*?)</li>', page)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def titled(home, number, title, **fields):
    """An agreement with this title (set without an audit entry of its own)."""
    agreement = make_agreement(home, InstitutionFactory(name="AGH"), number, **fields)
    Agreement.objects.filter(pk=agreement.pk).update(title=title)
    agreement.refresh_from_db()
    return agreement


@pytest.fixture
def anna(db):
    return UserFactory(username="anna", first_name="Anna", last_name="Kowalska", role=Role.OFFICE)


@pytest.fixture
def agreement(home, anna):
    agreement = titled(home, 171, "KA171 with AGH")
    agreement.status = AgreementStatus.IN_REVIEW
    save_record(instance=agreement, user=anna)
    LogEntry.objects.filter(content_type__model="agreement", object_id=agreement.pk).update(
        timestamp=MOMENT
    )
    return agreement


def test_a_change_is_told_in_a_sentence_that_links_to_the_record(office_client, agreement):
    page = activity(office_client)
    assert (
        "Anna Kowalska changed the status of agreement “MoU-2026-171 KA171 with AGH” from Draft "
        "to In review · 6 Dec 2026, 14:05"
    ) in sentences(page)
    assert f'<a href="{agreement.get_absolute_url()}">MoU-2026-171 KA171 with AGH</a>' in page


def test_the_sentence_is_in_the_readers_language_and_time_zone(office_client, agreement):
    office_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    office_client.cookies["tz"] = "Europe/Warsaw"
    told = " ".join(sentences(activity(office_client)))
    assert "Черновик" in told and "На согласовании" in told
    assert "10:05" in told  # 09:05 UTC is 10:05 in Warsaw in December
    assert "14:05" not in told


def test_the_newest_comes_first(office_client, anna, agreement):
    person = PersonFactory(name_native="Ewa Nowak")
    person.position = "Erasmus+ coordinator"
    save_record(instance=person, user=anna)
    told = sentences(activity(office_client))
    assert told[0].startswith("Anna Kowalska set the position of person “Ewa Nowak” to Erasmus+")
    assert told.index(next(t for t in told if "from Draft to In review" in t)) > 0


def test_a_creation_and_a_list_change_are_told_too(office_client, anna, home):
    partner = InstitutionFactory(name="Kaunas University of Technology")
    from unibridge.institutions.models import Partnership

    partnership = save_record(instance=Partnership(partner=partner), user=anna)
    partnership.cooperation_areas = ["joint_research", "student_exchange"]
    save_record(instance=partnership, user=anna)
    told = sentences(activity(office_client))
    assert any(
        t.startswith(
            "Anna Kowalska set the cooperation areas of partnership “Kaunas University of "
            "Technology” to Joint research, Student exchange"
        )
        for t in told
    )
    assert any(
        t.startswith("Anna Kowalska created partnership “Kaunas University of Technology”")
        for t in told
    )


def test_records_the_reader_may_not_see_are_left_out(
    office_client, viewer_client, coordinator_client, anna, home, engineering
):
    secret = titled(home, 9, "Secret memorandum", units=[engineering])
    secret.is_confidential = True
    secret.status = AgreementStatus.IN_REVIEW
    save_record(instance=secret, user=anna)
    public = titled(home, 10, "Open memorandum")
    public.notes = "Ready"
    save_record(instance=public, user=anna)

    assert "Secret memorandum" in activity(office_client)
    assert "Secret memorandum" in activity(coordinator_client)  # it involves their faculty
    page = activity(viewer_client)
    assert "Secret memorandum" not in page
    assert secret.get_absolute_url() not in page
    assert "Open memorandum" in page


def test_a_related_record_the_reader_may_not_see_is_not_named(
    office_client, viewer_client, anna, economics
):
    from unibridge.meetings.tests.factories import MeetingFactory

    hidden = PersonFactory(
        name_native="Secret Owner", is_confidential=True, unit=economics,
        institution=economics.institution,
    )  # fmt: skip
    meeting = MeetingFactory(title="Round table on metallurgy")
    from unibridge.meetings import services as meetings

    item = meetings.action_item_create(
        meeting=meeting, user=anna, values={"description": "Send the draft"}
    )
    meetings.action_item_update(item=item, user=anna, values={"owner": hidden})

    assert any("owner" in t and "to Secret Owner" in t for t in sentences(activity(office_client)))
    told = sentences(activity(viewer_client))
    assert any("to a person you may not see" in t for t in told)
    assert "Secret Owner" not in " ".join(told)


def test_deleted_records_are_not_told(office_client, anna):
    person = PersonFactory(name_native="Gone Person")
    person.position = "Dean"
    save_record(instance=person, user=anna)
    delete_record(instance=person, user=anna)
    assert "Gone Person" not in activity(office_client)


def test_the_page_is_paginated(office_client, anna):
    person = PersonFactory(name_native="Busy Person")
    for number in range(55):
        person.position = f"Position {number}"
        save_record(instance=person, user=anna)
    first = activity(office_client)
    assert len(sentences(first)) == 50
    assert "from Position 53 to Position 54" in first
    second = activity(office_client, "?page=2")
    assert "Page 2 of 2" in second
    assert "from Position 0 to Position 1" in second


def test_the_page_costs_the_same_queries_for_few_and_many_entries(office_client, anna, home):
    def add(n, start):
        for number in range(start, start + n):
            agreement = make_agreement(home, InstitutionFactory(), number)
            agreement.termination_requested_by = InstitutionFactory()
            save_record(instance=agreement, user=anna)
            person = PersonFactory(name_native=f"Person {number}")
            person.position = "Dean"
            save_record(instance=person, user=anna)

    add(1, 1)
    activity(office_client)  # warm the content type cache
    with CaptureQueriesContext(connection) as few:
        activity(office_client)
    add(12, 2)
    with CaptureQueriesContext(connection) as many:
        page = activity(office_client)
    assert len(many) == len(few)
    assert "Person 13" in page


def test_it_is_in_the_sidebar_and_needs_a_sign_in(office_client, client, db):
    assert reverse("core:activity") == URL
    page = activity(office_client)
    assert f'href="{URL}"' in page
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
