"""Meeting services: a visit's meetings follow the visit; decisions keep their order."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unibridge.institutions.tests.factories import InstitutionFactory
from unibridge.meetings import services as meetings
from unibridge.meetings.models import Meeting
from unibridge.meetings.tests.factories import DecisionFactory, MeetingFactory
from unibridge.visits.tests.factories import VisitFactory, at


def make_visit(home, partner=None, *, units=(), confidential=False, **fields):
    """An incoming visit of ``partner`` (AGH by default) to ``home``."""
    visit = VisitFactory(
        visiting_institution=partner or InstitutionFactory(name="AGH University of Krakow"),
        host_institution=home,
        is_confidential=confidential,
        **fields,
    )
    visit.home_units.set(units)
    return visit


def standalone_meeting(partner=None, *, units=(), confidential=False, **fields):
    meeting = MeetingFactory(
        visit=None,
        partner=partner or InstitutionFactory(),
        is_confidential=confidential,
        **fields,
    )
    meeting.home_units.set(units)
    return meeting


def round_table(visit, **values) -> dict:
    """A meeting's values as the services take them (a visit's meeting)."""
    return {"title": "Round table", "starts_at": at(visit.start_date, 10), **values}


def test_a_visits_meeting_takes_the_visits_partner_and_confidentiality(
    home, engineering, coordinator_user
):
    agh = InstitutionFactory(name="AGH")
    visit = make_visit(home, agh, units=[engineering], confidential=True)
    meeting = meetings.meeting_create(
        user=coordinator_user, visit=visit, values=round_table(visit, participants=[])
    )
    meeting.refresh_from_db()
    assert meeting.partner == agh
    assert meeting.is_confidential is True


def test_a_visits_meeting_cannot_be_made_public_behind_the_visits_back(home, office_user):
    visit = make_visit(home, confidential=True)
    with pytest.raises(ValidationError) as error:
        meetings.meeting_create(
            user=office_user, visit=visit, values=round_table(visit, is_confidential=False)
        )
    assert error.value.message_dict == {"is_confidential": [str(meetings.VISIT_TAKES_IT)]}
    assert not Meeting.objects.exists()
    meeting = MeetingFactory(visit=visit, partner=visit.partner, is_confidential=True)
    with pytest.raises(ValidationError):
        meetings.meeting_update(
            meeting=meeting, user=office_user, values={"is_confidential": False}
        )
    meetings.meeting_update(meeting=meeting, user=office_user, values={"title": "Renamed"})
    assert Meeting.objects.get().is_confidential is True


def test_sync_follows_a_visit_made_confidential_later(home, office_user):
    visit = make_visit(home)
    first = MeetingFactory(visit=visit, partner=visit.partner)
    second = MeetingFactory(visit=visit, partner=visit.partner)
    visit.is_confidential = True
    visit.save()
    assert meetings.sync_visit_meetings(visit=visit, user=office_user) == 2
    assert set(Meeting.objects.values_list("pk", "is_confidential")) == {
        (first.pk, True),
        (second.pk, True),
    }
    assert meetings.sync_visit_meetings(visit=visit, user=office_user) == 0


def test_minutes_are_cleaned_by_the_service(home, office_user):
    visit = make_visit(home)
    meetings.meeting_create(
        user=office_user,
        visit=visit,
        values=round_table(visit, minutes="<p>Agreed</p><script>alert(1)</script>"),
    )
    assert Meeting.objects.get().minutes == "<p>Agreed</p>"


def test_a_viewer_cannot_save_a_meeting(home, viewer_user):
    visit = make_visit(home)
    with pytest.raises(PermissionDenied):
        meetings.meeting_create(user=viewer_user, visit=visit, values=round_table(visit))
    assert not Meeting.objects.exists()


def test_a_coordinator_may_not_add_a_meeting_to_another_units_visit(
    home, economics, coordinator_user
):
    visit = make_visit(home, units=[economics])
    with pytest.raises(PermissionDenied):
        meetings.meeting_create(user=coordinator_user, visit=visit, values=round_table(visit))
    assert not Meeting.objects.exists()


def test_the_default_time_zone_is_the_visits_then_the_sites(home, settings):
    visit = make_visit(home, time_zone="Europe/Warsaw")
    assert meetings.default_time_zone(visit) == "Europe/Warsaw"
    settings.TIME_ZONE = "Asia/Almaty"
    assert meetings.default_time_zone(None) == "Asia/Almaty"


# --- Decisions ------------------------------------------------------------------------------------


def texts(meeting) -> list[str]:
    return list(meeting.decisions.order_by("order", "pk").values_list("text", flat=True))


def test_decisions_are_added_at_the_end(office_user):
    meeting = standalone_meeting()
    for text in ("Exchange of students", "Joint laboratory", "Summer school"):
        meetings.decision_add(meeting=meeting, user=office_user, text=text)
    assert texts(meeting) == ["Exchange of students", "Joint laboratory", "Summer school"]


def test_an_empty_decision_is_refused(office_user):
    meeting = standalone_meeting()
    with pytest.raises(ValidationError) as error:
        meetings.decision_add(meeting=meeting, user=office_user, text="   ")
    assert "text" in error.value.error_dict
    assert not meeting.decisions.exists()


def test_decisions_move_up_and_down_and_stop_at_the_ends(office_user):
    meeting = standalone_meeting()
    a, b, c = (DecisionFactory(meeting=meeting, text=t, order=i) for i, t in enumerate("abc"))
    meetings.decision_move(decision=c, user=office_user, offset=-1)
    assert texts(meeting) == ["a", "c", "b"]
    meetings.decision_move(decision=a, user=office_user, offset=-1)
    assert texts(meeting) == ["a", "c", "b"]
    meetings.decision_move(decision=a, user=office_user, offset=1)
    assert texts(meeting) == ["c", "a", "b"]
    meetings.decision_move(decision=b, user=office_user, offset=1)
    assert texts(meeting) == ["c", "a", "b"]


def test_decisions_with_equal_orders_still_move(office_user):
    meeting = standalone_meeting()
    a = DecisionFactory(meeting=meeting, text="a", order=0)
    b = DecisionFactory(meeting=meeting, text="b", order=0)
    meetings.decision_move(decision=b, user=office_user, offset=-1)
    assert texts(meeting) == ["b", "a"]
    assert a.pk != b.pk


def test_a_decision_is_changed_and_removed(office_user):
    meeting = standalone_meeting()
    decision = DecisionFactory(meeting=meeting, text="Old")
    meetings.decision_update(decision=decision, user=office_user, text="New")
    assert texts(meeting) == ["New"]
    meetings.decision_delete(decision=decision, user=office_user)
    assert texts(meeting) == []


def test_only_the_meetings_editors_change_decisions(viewer_user, other_coordinator_user, home):
    visit = make_visit(home)
    meeting = MeetingFactory(visit=visit)
    decision = DecisionFactory(meeting=meeting, text="Kept")
    for user in (viewer_user, other_coordinator_user):
        with pytest.raises(PermissionDenied):
            meetings.decision_update(decision=decision, user=user, text="Changed")
    assert texts(meeting) == ["Kept"]


def test_the_partner_of_a_visits_meeting_is_the_visits(home):
    partner = InstitutionFactory()
    visit = make_visit(home, partner)
    meeting = MeetingFactory(visit=visit, partner=None)
    assert meetings.meeting_partner(meeting) == partner
    alone = standalone_meeting(partner=partner)
    assert meetings.meeting_partner(alone) == partner
