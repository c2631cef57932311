"""Meeting pages: create from a visit or standalone, times in the meeting's zone, edit with
optimistic locking, delete, decisions, the list with filters, permissions per role, queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.meetings.models import Decision, Meeting
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.meetings.tests.test_meetings import make_visit, standalone_meeting
from unibridge.visits.tests.factories import ParticipantFactory, at

UTC = datetime.UTC


def form_data(**fields) -> dict:
    data = {
        "kind": "round_table",
        "title": "Round table on joint research",
        "starts": "2026-05-12T10:00",
        "ends": "2026-05-12T12:30",
        "time_zone": "Asia/Almaty",
        "place": "Senate hall",
        "online_link": "",
        "agenda": "Welcome\nJoint research\n\nStudent exchange",
        "minutes": "",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(queries)


# --- Creating from a visit ------------------------------------------------------------------------


def test_a_meeting_is_created_from_the_visit_in_the_hosts_time_zone(office_client, home):
    agh = InstitutionFactory(name="AGH University of Krakow")
    visit = make_visit(home, agh, time_zone="Europe/Warsaw", confidential=True)
    member = ParticipantFactory(visit=visit, person=PersonFactory(name_native="Anna Nowak"))
    rector = PersonFactory(name_native="Рахимов Ерлан", institution=home)
    url = f"/visits/{visit.uuid}/meetings/new/"

    page = office_client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["time_zone"].value() == "Europe/Warsaw"
    assert "Anna Nowak" in page.content.decode()  # the visit's people offered first

    response = office_client.post(
        url,
        form_data(
            time_zone="Europe/Warsaw",
            visit_participants=[member.person.pk],
            other_participants=[rector.pk],
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get()
    assert response["Location"] == meeting.get_absolute_url()
    # 10:00 in Warsaw in May (summer time, UTC+2) is 08:00 UTC
    assert meeting.starts_at == datetime.datetime(2026, 5, 12, 8, 0, tzinfo=UTC)
    assert meeting.ends_at == datetime.datetime(2026, 5, 12, 10, 30, tzinfo=UTC)
    assert meeting.visit == visit
    assert meeting.partner == agh
    assert meeting.is_confidential is True
    assert set(meeting.participants.all()) == {member.person, rector}


def test_the_meeting_form_shows_stored_times_in_the_meetings_zone(office_client, home):
    visit = make_visit(home, time_zone="Asia/Almaty")
    meeting = MeetingFactory(
        visit=visit,
        starts_at=datetime.datetime(2026, 5, 12, 5, 0, tzinfo=UTC),
        time_zone="Asia/Almaty",
    )
    form = office_client.get(meeting.get_absolute_url() + "edit/").context["form"]
    assert form["starts"].value() == datetime.datetime(2026, 5, 12, 10, 0)
    assert 'value="2026-05-12T10:00"' in str(form["starts"])


def test_times_across_a_clock_change_are_stored_in_utc(office_client, home):
    visit = make_visit(home, time_zone="Europe/Warsaw")
    url = f"/visits/{visit.uuid}/meetings/new/"
    # the clocks go forward on 29 March 2026: 10:00 is UTC+1 on the 28th, UTC+2 on the 30th
    office_client.post(url, form_data(time_zone="Europe/Warsaw", title="Before",
                                      starts="2026-03-28T10:00", ends=""))  # fmt: skip
    office_client.post(url, form_data(time_zone="Europe/Warsaw", title="After",
                                      starts="2026-03-30T10:00", ends=""))  # fmt: skip
    times = dict(Meeting.objects.values_list("title", "starts_at"))
    assert times["Before"].astimezone(UTC).hour == 9
    assert times["After"].astimezone(UTC).hour == 8


def test_a_time_skipped_by_the_clock_change_is_refused(office_client, home):
    visit = make_visit(home, time_zone="Europe/Warsaw")
    response = office_client.post(
        f"/visits/{visit.uuid}/meetings/new/",
        form_data(time_zone="Europe/Warsaw", starts="2026-03-29T02:30", ends=""),
    )
    assert response.status_code == 400
    assert "does not exist in Europe/Warsaw" in str(response.context["form"].errors["starts"])
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ends": "2026-05-12T09:00"}, "ends", "The end must come after the start."),
        ({"starts": "yesterday"}, "starts", "Enter a valid date/time."),
        ({"starts": ""}, "starts", "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "“Mars/Olympus” is not a time zone"),
        ({"online_link": "javascript:alert(1)"}, "online_link", "Enter a valid URL."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(office_client, home, fields, field, message):
    visit = make_visit(home)
    response = office_client.post(f"/visits/{visit.uuid}/meetings/new/", form_data(**fields))
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not Meeting.objects.exists()


def test_a_coordinator_adds_meetings_to_their_units_visits_only(
    coordinator_client, home, engineering, economics
):
    own = make_visit(home, units=[engineering])
    other = make_visit(home, units=[economics])
    assert (
        coordinator_client.post(f"/visits/{own.uuid}/meetings/new/", form_data()).status_code == 302
    )
    assert coordinator_client.get(f"/visits/{other.uuid}/meetings/new/").status_code == 403
    assert (
        coordinator_client.post(f"/visits/{other.uuid}/meetings/new/", form_data()).status_code
        == 403
    )
    assert Meeting.objects.count() == 1


def test_a_hidden_visit_answers_404_to_the_meeting_form(viewer_client, home):
    visit = make_visit(home, confidential=True)
    assert viewer_client.get(f"/visits/{visit.uuid}/meetings/new/").status_code == 404


# --- Standalone meetings --------------------------------------------------------------------------


def test_a_standalone_meeting_has_its_own_partner_units_and_confidentiality(
    office_client, home, engineering
):
    partner = InstitutionFactory(name="Warsaw University of Technology")
    PartnershipFactory(partner=partner)
    page = office_client.get("/meetings/new/")
    assert "Warsaw University of Technology" in page.content.decode()
    response = office_client.post(
        "/meetings/new/",
        form_data(
            kind="online",
            title="Online call",
            online_link="https://meet.example.org/abc",
            partner=partner.pk,
            home_units=[engineering.pk],
            is_confidential="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get()
    assert meeting.visit is None
    assert meeting.partner == partner
    assert list(meeting.home_units.all()) == [engineering]
    assert meeting.is_confidential is True
    assert meeting.time_zone == "Asia/Almaty"


def test_a_coordinator_must_include_one_of_their_units(coordinator_client, economics, engineering):
    response = coordinator_client.post("/meetings/new/", form_data(home_units=[economics.pk]))
    assert response.status_code == 400
    assert "one of your own units" in str(response.context["form"].errors["home_units"])
    ok = coordinator_client.post("/meetings/new/", form_data(home_units=[engineering.pk]))
    assert ok.status_code == 302


def test_viewers_cannot_create_meetings(viewer_client):
    assert viewer_client.get("/meetings/new/").status_code == 403
    assert viewer_client.post("/meetings/new/", form_data()).status_code == 403


# --- Detail, edit, delete -------------------------------------------------------------------------


def test_the_detail_page_shows_agenda_participants_minutes_decisions_and_items(office_client, home):
    visit = make_visit(home, time_zone="Asia/Almaty")
    meeting = MeetingFactory(
        visit=visit,
        title="Round table",
        starts_at=datetime.datetime(2026, 5, 12, 5, 0, tzinfo=UTC),
        agenda="Welcome\nJoint research",
        minutes="<p>We <strong>agreed</strong>.</p>",
    )
    meeting.participants.set(
        [
            PersonFactory(name_native="Рахимов Ерлан", institution=home),
            PersonFactory(name_native="Anna Nowak", institution=visit.partner),
        ]
    )
    DecisionFactory(meeting=meeting, text="Open a joint laboratory")
    ActionItemFactory(meeting=meeting, description="Draft the exchange agreement")
    page = office_client.get(meeting.get_absolute_url()).content.decode()
    for text in (
        "<li>Welcome</li>",
        "Рахимов Ерлан",
        "Anna Nowak",
        "<p>We <strong>agreed</strong>.</p>",
        "Open a joint laboratory",
        "Draft the exchange agreement",
        "(Asia/Almaty)",
    ):
        assert text in page
    assert "10:00" in page or "10 a.m." in page
    assert office_client.get(meeting.get_absolute_url() + "history/").status_code == 200
    assert office_client.get(meeting.get_absolute_url() + "nonsense/").status_code == 404


def test_the_detail_page_uses_the_same_queries_for_few_and_many_rows(office_client, home):
    visit = make_visit(home)
    meeting = MeetingFactory(visit=visit)

    def add(n):
        for _ in range(n):
            meeting.participants.add(PersonFactory(institution=home))
            DecisionFactory(meeting=meeting)
            ActionItemFactory(meeting=meeting, owner=PersonFactory())

    add(2)
    few = count_queries(office_client, meeting.get_absolute_url())
    add(12)
    assert count_queries(office_client, meeting.get_absolute_url()) == few


def test_an_edit_made_meanwhile_is_not_overwritten(office_client, home):
    visit = make_visit(home)
    meeting = MeetingFactory(visit=visit, title="Original")
    url = meeting.get_absolute_url() + "edit/"
    version = office_client.get(url).context["form"]["version"].value()
    Meeting.objects.filter(pk=meeting.pk).update(
        title="Changed by someone else", updated=meeting.updated + datetime.timedelta(seconds=5)
    )
    response = office_client.post(url, form_data(title="Mine", version=version))
    assert response.status_code == 409
    assert Meeting.objects.get().title == "Changed by someone else"


def test_an_edit_changes_the_meeting_and_keeps_it_with_the_visit(office_client, home):
    visit = make_visit(home, confidential=True)
    meeting = MeetingFactory(visit=visit, partner=visit.partner, is_confidential=True)
    url = meeting.get_absolute_url() + "edit/"
    version = office_client.get(url).context["form"]["version"].value()
    response = office_client.post(
        url, form_data(title="Renamed", version=version, is_confidential="")
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Renamed"
    assert meeting.is_confidential is True


def edit_page(client, meeting):
    """The meeting's edit address and the version its form was opened with."""
    url = meeting.get_absolute_url() + "edit/"
    return url, client.get(url).context["form"]["version"].value()


def test_an_edit_with_the_end_before_the_start_gets_the_services_error_and_stores_nothing(
    office_client, home
):
    meeting = MeetingFactory(visit=make_visit(home), title="Original")
    url, version = edit_page(office_client, meeting)
    response = office_client.post(
        url, form_data(title="Mine", ends="2026-05-12T09:00", version=version)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends"] == ["The end must come after the start."]
    stored = Meeting.objects.get()
    assert (stored.title, stored.ends_at, stored.updated) == (
        "Original",
        meeting.ends_at,
        meeting.updated,
    )


def test_an_edit_to_a_zone_whose_clocks_skip_the_start_is_refused_at_the_start(office_client, home):
    meeting = MeetingFactory(visit=make_visit(home), title="Original")
    url, version = edit_page(office_client, meeting)
    response = office_client.post(
        url,
        form_data(time_zone="Europe/Warsaw", starts="2026-03-29T02:30", ends="", version=version),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["starts"] == [
        "2026-03-29 02:30 does not exist in Europe/Warsaw: the clocks are put forward then."
    ]
    assert Meeting.objects.get().time_zone == meeting.time_zone


def test_an_edit_keeps_the_participants_the_editor_may_not_see(
    coordinator_client, home, engineering, economics
):
    meeting = MeetingFactory(visit=make_visit(home, units=[engineering]))
    secret = PersonFactory(name_native="Secret Guest", is_confidential=True, unit=economics)
    shown = PersonFactory(name_native="Anna Nowak")
    meeting.participants.set([secret, shown])
    url, version = edit_page(coordinator_client, meeting)
    response = coordinator_client.post(
        url, form_data(title="Renamed", other_participants=[], version=version)
    )
    assert response.status_code == 302
    assert list(meeting.participants.all()) == [secret]


def test_a_standalone_meetings_edit_leaving_out_the_coordinators_units_is_refused(
    coordinator_client, engineering, economics
):
    meeting = standalone_meeting(units=[engineering, economics])
    url, version = edit_page(coordinator_client, meeting)
    response = coordinator_client.post(
        url, form_data(home_units=[economics.pk], partner=meeting.partner.pk, version=version)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["home_units"] == [
        "Include at least one of your own units, or you could not change it later."
    ]
    assert set(meeting.home_units.all()) == {engineering, economics}


def test_deleting_a_visits_meeting_returns_to_the_visits_meetings(office_client, home):
    visit = make_visit(home)
    meeting = MeetingFactory(visit=visit)
    DecisionFactory(meeting=meeting)
    url = meeting.get_absolute_url() + "delete/"
    assert office_client.get(url).status_code == 200
    response = office_client.post(url)
    assert response.status_code == 303
    assert response["Location"] == f"/visits/{visit.uuid}/meetings/"
    assert not Meeting.objects.exists()
    assert not Decision.objects.exists()


def test_the_visits_meetings_tab_lists_its_meetings(office_client, home):
    visit = make_visit(home)
    meeting = MeetingFactory(visit=visit, title="Round table with the rector")
    ActionItemFactory(meeting=meeting)
    page = office_client.get(f"/visits/{visit.uuid}/meetings/").content.decode()
    assert "Round table with the rector" in page
    assert f"/visits/{visit.uuid}/meetings/new/" in page


# --- Decisions on the page ------------------------------------------------------------------------


def test_decisions_are_added_changed_moved_and_deleted(office_client):
    meeting = standalone_meeting()
    base = meeting.get_absolute_url()
    assert office_client.post(base + "decisions/add/", {"text": "First"}).status_code == 303
    assert office_client.post(base + "decisions/add/", {"text": "Second"}).status_code == 303
    first, second = meeting.decisions.order_by("order")
    office_client.post(base + f"decisions/{second.pk}/move/", {"direction": "up"})
    assert [d.text for d in meeting.decisions.order_by("order")] == ["Second", "First"]
    response = office_client.post(base + f"decisions/{first.pk}/edit/", {"text": "First, changed"})
    assert response.status_code == 303
    office_client.post(base + f"decisions/{second.pk}/delete/")
    assert [d.text for d in meeting.decisions.all()] == ["First, changed"]


def test_an_empty_decision_gets_a_clear_error(office_client):
    meeting = standalone_meeting()
    response = office_client.post(meeting.get_absolute_url() + "decisions/add/", {"text": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    bad_move = office_client.post(
        meeting.get_absolute_url() + f"decisions/{DecisionFactory(meeting=meeting).pk}/move/",
        {"direction": "sideways"},
    )
    assert bad_move.status_code == 400


def test_decisions_of_another_meeting_are_404(office_client):
    meeting, other = standalone_meeting(), standalone_meeting()
    decision = DecisionFactory(meeting=other)
    url = meeting.get_absolute_url() + f"decisions/{decision.pk}/edit/"
    assert office_client.get(url).status_code == 404


# --- The meetings list ----------------------------------------------------------------------------


def test_the_list_filters_by_partner_kind_and_date(office_client, home):
    agh, pw = InstitutionFactory(name="AGH"), InstitutionFactory(name="PW")
    may = standalone_meeting(
        agh, title="May round table", starts_at=at(datetime.date(2026, 5, 12), 10)
    )
    june = standalone_meeting(pw, title="June call", kind="online",
                              starts_at=at(datetime.date(2026, 6, 2), 10))  # fmt: skip
    visit_meeting = MeetingFactory(visit=make_visit(home, agh), partner=agh, title="Visit talk")

    def titles(params) -> set[str]:
        response = office_client.get("/meetings/", params)
        assert response.status_code == 200
        return {row[0].title for row in response.context["rows"]}

    assert titles({}) == {may.title, june.title, visit_meeting.title}
    assert titles({"partner": agh.uuid}) == {may.title, visit_meeting.title}
    assert titles({"kind": "online"}) == {june.title}
    assert titles({"date_from": "2026-06-01"}) == {june.title}
    assert titles({"date_to": "2026-05-31", "partner": agh.uuid}) == {
        may.title,
        visit_meeting.title,
    }


def test_the_list_uses_the_same_queries_for_3_and_30_meetings(office_client, home):
    def add(n):
        for _ in range(n):
            standalone_meeting()
            MeetingFactory(visit=make_visit(home))

    add(2)
    few = count_queries(office_client, "/meetings/")
    add(14)
    assert count_queries(office_client, "/meetings/") == few


# --- Permissions per role -------------------------------------------------------------------------


@pytest.fixture
def confidential_meeting(home, engineering):
    visit = make_visit(home, units=[engineering], confidential=True)
    return MeetingFactory(visit=visit, partner=visit.partner, is_confidential=True, title="Secret")


@pytest.fixture
def public_meeting(home, engineering):
    visit = make_visit(home, units=[engineering])
    return MeetingFactory(visit=visit, partner=visit.partner, title="Public")


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "see_secret", "edit_public"),
    [
        ("admin_user", 200, 200),
        ("office_user", 200, 200),
        ("coordinator_user", 200, 200),
        ("other_coordinator_user", 404, 403),
        ("viewer_user", 404, 403),
    ],
)
def test_meeting_pages_follow_the_visit_per_role(
    request, client, role, see_secret, edit_public, confidential_meeting, public_meeting
):
    client = client_for(client, request.getfixturevalue(role))
    secret = confidential_meeting.get_absolute_url()
    public = public_meeting.get_absolute_url()
    assert client.get(secret).status_code == see_secret
    assert client.get(secret + "edit/").status_code == (see_secret if see_secret == 404 else 200)
    assert client.get(public).status_code == 200
    assert client.get(public + "edit/").status_code == edit_public
    assert client.get(public + "delete/").status_code == edit_public
    decision_status = client.post(public + "decisions/add/", {"text": "x"}).status_code
    assert decision_status == (303 if edit_public == 200 else 403)
    listed = {row[0].title for row in client.get("/meetings/").context["rows"]}
    assert ("Secret" in listed) == (see_secret == 200)


def test_a_standalone_meeting_is_editable_by_the_coordinators_of_its_units(
    coordinator_client, other_coordinator_user, client, engineering
):
    meeting = standalone_meeting(units=[engineering], confidential=True)
    response = coordinator_client.get(meeting.get_absolute_url() + "edit/")
    assert response.status_code == 200
    assert response.context["form"].instance == meeting
    other = client_for(client, other_coordinator_user)
    assert other.get(meeting.get_absolute_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    meeting = standalone_meeting()
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_editing_the_visit_makes_its_meetings_confidential_too(office_client, home, engineering):
    """The visit's edit page keeps its meetings in step (sync_visit_meetings)."""
    from unibridge.visits.tests.test_visit_pages import make_visit, visit_form_data

    partner = InstitutionFactory()
    visit = make_visit(home, partner, units=[engineering])
    meeting = MeetingFactory(visit=visit)
    assert not meeting.is_confidential
    data = visit_form_data(
        partner,
        is_confidential="on",
        home_units=[engineering.pk],
        version=visit.updated.isoformat(),
    )
    response = office_client.post(visit.get_absolute_url() + "edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    meeting.refresh_from_db()
    assert meeting.is_confidential
