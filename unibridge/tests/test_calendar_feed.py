"""The private iCalendar feed: its token, its page, and the agreement events it carries."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ApprovalStepFactory,
)
from unibridge.core import calendar
from unibridge.institutions.tests.factories import PersonFactory


def feed_url(user) -> str:
    token = user.calendar_token or calendar.new_calendar_token(user)
    return f"/calendar/{token}.ics"


def events(user) -> dict[str, dict]:
    """The feed's events by UID (fetched without a session, as a calendar program does)."""
    response = Client().get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.content)
    return {
        str(event["uid"]): {
            "day": event.decoded("dtstart"),
            "summary": str(event["summary"]),
            "url": str(event.get("url", "")),
            "stamp": event.decoded("dtstamp"),
        }
        for event in parsed.walk("VEVENT")
    }


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def expiry_uid(agreement, day: datetime.date) -> str:
    return f"agreement-{agreement.uuid}-expiry-{day.isoformat()}@unibridge"


@pytest.fixture
def responsible(coordinator_user, engineering):
    return PersonFactory(name_native="Coordinator", user=coordinator_user, unit=engineering)


def active(reference: str, expiry: datetime.date | None, *, person=None, **fields):
    agreement = AgreementFactory(
        reference=reference,
        title=f"Memorandum {reference}",
        status=fields.pop("status", AgreementStatus.ACTIVE),
        effective_date=datetime.date(2020, 1, 1),
        expiry_date=expiry,
        **fields,
    )
    if person is not None:
        agreement.responsible_people.add(person)
    return agreement


# --- Token and page ------------------------------------------------------------------------------


def test_an_unknown_or_empty_token_is_not_found(db):
    assert Client().get("/calendar/not-a-token.ics").status_code == 404
    assert Client().get("/calendar/.ics").status_code == 404


def test_an_inactive_users_feed_is_not_found(office_user):
    url = feed_url(office_user)
    office_user.is_active = False
    office_user.save()
    assert Client().get(url).status_code == 404


def test_the_page_offers_to_make_a_feed_address(office_client, office_user):
    response = office_client.get("/calendar/")
    assert response.status_code == 200
    assert response.context["feed_url"] == ""
    response = office_client.post("/calendar/token/", follow=True)
    office_user.refresh_from_db()
    assert len(office_user.calendar_token) >= 43
    assert f"http://testserver/calendar/{office_user.calendar_token}.ics" in (
        response.content.decode()
    )


def test_the_page_needs_a_login(client, db):
    assert client.get("/calendar/").status_code == 302
    assert client.post("/calendar/token/").status_code == 302


def test_a_new_token_revokes_the_old_address(office_client, office_user):
    office_client.post("/calendar/token/")
    office_user.refresh_from_db()
    old = f"/calendar/{office_user.calendar_token}.ics"
    assert Client().get(old).status_code == 200
    assert office_client.get("/calendar/token/").status_code == 405
    office_client.post("/calendar/token/")
    office_user.refresh_from_db()
    assert Client().get(old).status_code == 404
    assert Client().get(f"/calendar/{office_user.calendar_token}.ics").status_code == 200


# --- Events --------------------------------------------------------------------------------------


def test_the_office_sees_every_active_agreements_expiry_in_the_next_two_years(office_user):
    soon = active("MoU-1", in_days(40))
    later = active("MoU-2", in_days(700))
    active("MoU-3", in_days(900))  # beyond the horizon
    active("MoU-4", None)  # no end
    active("MoU-5", in_days(20), status=AgreementStatus.DRAFT)
    found = events(office_user)
    assert set(found) == {expiry_uid(soon, in_days(40)), expiry_uid(later, in_days(700))}
    event = found[expiry_uid(soon, in_days(40))]
    assert event["day"] == in_days(40)
    assert event["summary"] == "Expires: MoU-1 Memorandum MoU-1"
    assert event["url"] == f"http://testserver/agreements/{soon.uuid}/"


def test_a_renewing_agreement_shows_its_next_expiry(office_user):
    today = timezone.localdate()
    first_end = today.replace(year=today.year - 3) + datetime.timedelta(days=10)
    renewing = active("MoU-1", first_end, renewal_years=1)
    assert set(events(office_user)) == {expiry_uid(renewing, renewing.next_expiry)}


def test_events_and_their_uids_are_the_same_on_every_download(office_user):
    active("MoU-1", in_days(40))
    active("MoU-2", in_days(400))
    assert events(office_user) == events(office_user)


def test_others_see_the_agreements_they_are_responsible_for(
    coordinator_user, responsible, engineering
):
    mine = active("MoU-1", in_days(40), person=responsible)
    active("MoU-2", in_days(40))  # not responsible
    assert set(events(coordinator_user)) == {expiry_uid(mine, in_days(40))}


def test_a_coordinator_never_sees_confidential_agreements_of_other_units(
    coordinator_user, responsible, engineering, economics
):
    own = active("MoU-1", in_days(40), person=responsible, is_confidential=True)
    AgreementPartyFactory(agreement=own, units=[engineering])
    other = active("MoU-2", in_days(50), person=responsible, is_confidential=True)
    AgreementPartyFactory(agreement=other, units=[economics])
    found = events(coordinator_user)
    assert set(found) == {expiry_uid(own, in_days(40))}
    assert "MoU-2" not in str(found)


def test_approvals_waiting_for_the_user_are_in_their_feed(db):
    legal = UserFactory(username="legal", role=Role.OFFICE)
    rector = UserFactory(username="rector", role=Role.OFFICE)
    agreement = AgreementFactory(reference="MoU-9", status=AgreementStatus.IN_REVIEW)
    decided_at = timezone.now() - datetime.timedelta(days=3)
    ApprovalStepFactory(
        agreement=agreement,
        order=1,
        approver=legal,
        decision=ApprovalDecision.APPROVED,
        decided_at=decided_at,
    )
    step = ApprovalStepFactory(agreement=agreement, order=2, approver=rector, name="Rector")
    later = ApprovalStepFactory(agreement=agreement, order=3, approver=legal)
    # submitted ten days ago; the step became the rector's when legal approved, three days ago
    agreement.approvals.update(created=timezone.now() - datetime.timedelta(days=10))
    uid = f"agreement-{agreement.uuid}-approval-{step.pk}@unibridge"
    found = events(rector)
    assert set(found) == {uid}
    assert found[uid]["summary"] == f"Approval waiting: MoU-9 {agreement.title} (Rector)"
    assert found[uid]["day"] == timezone.localdate(decided_at)
    assert later.pk and not any("approval" in key for key in events(legal))
