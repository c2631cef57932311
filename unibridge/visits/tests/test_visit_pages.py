"""The visits list, create/edit/delete pages, the status, the overview, home and partner pages."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unibridge.agreements.models import Agreement, AgreementParty, AgreementType
from unibridge.institutions.models import Person
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.models import ChecklistItem, ChecklistTemplateItem, Visit
from unibridge.visits.tests.factories import VisitFactory

# --- Helpers shared by the other test modules of the visits' core pages ---------------------------


def make_partner(**fields) -> "InstitutionFactory":
    values = {
        "name": "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        "name_en": "AGH University of Krakow",
        "name_ru": "Горно-металлургическая академия",
        "acronym": "AGH",
        "city": "Kraków",
        "country": "PL",
    }
    values.update(fields)
    return InstitutionFactory(**values)


def make_visit(home, partner, *, units=(), direction="incoming", **fields) -> Visit:
    if direction == "incoming":
        fields.setdefault("visiting_institution", partner)
        fields.setdefault("host_institution", home)
    else:
        fields.setdefault("visiting_institution", home)
        fields.setdefault("host_institution", partner)
    visit = VisitFactory(direction=direction, **fields)
    visit.home_units.set(units)
    return visit


def make_agreement(home, partner, number: int) -> Agreement:
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference=f"MoU-2026-{number:03d}",
        title=f"Memorandum {number}",
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    AgreementParty.objects.create(agreement=agreement, institution=partner, order=1)
    return agreement


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    return len(queries)


def visit_form_data(institution, **overrides) -> dict:
    data = {
        "direction": "incoming",
        "partner": [institution.pk],
        "title": "AGH delegation",
        "start_date": "2026-05-12",
        "end_date": "2026-05-14",
        "time_zone": "Asia/Almaty",
        "purpose": "Round table on joint research",
        "goals": "Sign a memorandum\nPlan exchanges",
    }
    data.update(overrides)
    return data


@pytest.fixture
def partner(db):
    return make_partner()


# --- The list ------------------------------------------------------------------------------------


def test_list_uses_the_same_number_of_queries_for_3_and_30_visits(office_client, home, engineering):
    for _ in range(3):
        make_visit(home, InstitutionFactory(), units=[engineering])
    few = count_queries(office_client, "/visits/")
    for _ in range(27):
        make_visit(home, InstitutionFactory(), units=[engineering])
    assert count_queries(office_client, "/visits/") == few


def test_list_filters_by_direction_status_partner_country_unit_and_dates(
    office_client, home, engineering, economics, partner
):
    german = InstitutionFactory(country="DE")
    incoming = make_visit(home, partner, units=[engineering], title="From AGH")
    outgoing = make_visit(
        home,
        german,
        direction="outgoing",
        units=[economics],
        title="To Germany",
        status="confirmed",
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2026, 9, 5),
    )

    def titles(params) -> list[str]:
        response = office_client.get("/visits/", params)
        assert response.status_code == 200
        return sorted(row[0].title for row in response.context["rows"])

    assert titles({}) == sorted([incoming.title, outgoing.title])
    assert titles({"direction": "outgoing"}) == [outgoing.title]
    assert titles({"status": "confirmed"}) == [outgoing.title]
    assert titles({"partner": str(partner.uuid)}) == [incoming.title]
    # the partner of an outgoing visit is its host
    assert titles({"partner": str(german.uuid)}) == [outgoing.title]
    assert titles({"country": "DE"}) == [outgoing.title]
    assert titles({"country": "PL"}) == [incoming.title]
    assert titles({"unit": str(engineering.uuid)}) == [incoming.title]
    assert titles({"date_from": "2026-08-01"}) == [outgoing.title]
    assert titles({"date_to": "2026-05-12"}) == [incoming.title]
    assert titles({"date_from": "2026-05-14", "date_to": "2026-05-14"}) == [incoming.title]


def test_list_searches_partner_names_in_any_script(office_client, home, partner):
    visit = make_visit(home, partner, title="Delegation visit")
    make_visit(home, InstitutionFactory(name="Other", city="Berlin", country="DE"))
    for query in ("AGH", "Krakow", "Краков", "Горно-металлургическая"):
        response = office_client.get("/visits/", {"q": query})
        assert [row[0] for row in response.context["rows"]] == [visit], query


def test_list_sorts_by_start_date_and_title(office_client, home, partner):
    early = make_visit(home, partner, title="B early", start_date=datetime.date(2026, 1, 5),
                       end_date=datetime.date(2026, 1, 6))  # fmt: skip
    late = make_visit(home, partner, title="A late")
    response = office_client.get("/visits/")
    assert [row[0] for row in response.context["rows"]] == [late, early]
    response = office_client.get("/visits/", {"sort": "title"})
    assert [row[0] for row in response.context["rows"]] == [late, early]
    response = office_client.get("/visits/", {"sort": "start"})
    assert [row[0] for row in response.context["rows"]] == [early, late]


def test_list_exports_csv_and_xlsx_with_its_filters(office_client, home, partner, engineering):
    make_visit(home, partner, units=[engineering], title="From AGH")
    make_visit(home, InstitutionFactory(country="DE"), title="From Germany")
    response = office_client.get("/visits/", {"country": "PL", "export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    text = text.decode("utf-8-sig")
    assert "From AGH" in text and "From Germany" not in text
    assert "Faculty of Engineering" in text
    response = office_client.get("/visits/", {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_list_shows_the_add_button_to_writers_only(office_client, viewer_client, home):
    assert 'href="/visits/new/"' in office_client.get("/visits/").content.decode()
    assert 'href="/visits/new/"' not in viewer_client.get("/visits/").content.decode()


# --- Create --------------------------------------------------------------------------------------


def test_new_visit_form_prefills_the_partner_from_its_page(office_client, home, partner):
    response = office_client.get(f"/visits/new/?partner={partner.uuid}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="partner" value="{partner.pk}" checked' in html


def test_a_bad_partner_parameter_is_ignored_not_a_500(office_client, home):
    response = office_client.get("/visits/new/?partner=not-a-uuid")
    assert response.status_code == 200
    # the form is offered with no partner chosen
    assert not response.context["form"].initial.get("partner")
    assert 'name="title"' in response.content.decode()


def test_creating_an_incoming_visit_makes_the_partner_visit_the_home_institution(
    office_client, home, partner, engineering
):
    response = office_client.post(
        "/visits/new/", visit_form_data(partner, home_units=[engineering.pk])
    )
    assert response.status_code == 303, response.content.decode()[:3000]
    visit = Visit.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    assert visit.visiting_institution == partner
    assert visit.host_institution == home
    assert visit.status == "planned"
    assert list(visit.home_units.all()) == [engineering]


def test_creating_an_outgoing_visit_makes_the_partner_the_host(office_client, home, partner):
    partner_unit = UnitFactory(institution=partner, name="Faculty of Metals Engineering")
    response = office_client.post(
        "/visits/new/",
        visit_form_data(partner, direction="outgoing", host_unit=partner_unit.pk,
                        time_zone="Europe/Warsaw"),
    )  # fmt: skip
    assert response.status_code == 303
    visit = Visit.objects.get()
    assert (visit.visiting_institution, visit.host_institution) == (home, partner)
    assert visit.host_unit == partner_unit


def test_the_host_unit_must_belong_to_the_host_institution(
    office_client, home, partner, engineering
):
    response = office_client.post(
        "/visits/new/", visit_form_data(partner, direction="outgoing", host_unit=engineering.pk)
    )
    assert response.status_code == 400
    assert "The host unit must belong to the host institution" in response.content.decode()
    assert not Visit.objects.exists()


def test_creating_a_visit_refuses_bad_input_with_reasons(office_client, home, partner):
    data = visit_form_data(partner, end_date="2026-05-10", time_zone="Mars/Olympus")
    response = office_client.post("/visits/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The last day cannot come before the first day." in html
    assert "is not a time zone" in html
    response = office_client.post("/visits/new/", visit_form_data(partner, partner=[]))
    assert response.status_code == 400
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"end_date": "2026-05-10"}, "end_date", "The last day cannot come before the first day."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "“Mars/Olympus” is not a time zone; use a "
         "name such as Asia/Almaty or Europe/Warsaw."),
    ],
)  # fmt: skip
def test_the_services_refusals_of_a_new_visit_are_shown_at_their_fields(
    office_client, home, partner, fields, field, message
):
    response = office_client.post("/visits/new/", visit_form_data(partner, **fields))
    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert not Visit.objects.exists()


def test_a_host_unit_of_the_wrong_side_is_refused_at_the_host_unit(
    office_client, home, partner, engineering
):
    response = office_client.post(
        "/visits/new/", visit_form_data(partner, direction="outgoing", host_unit=engineering.pk)
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["host_unit"]
    assert not Visit.objects.exists()


def test_an_edit_with_the_last_day_first_is_refused_at_the_end_date_and_changes_nothing(
    office_client, home, partner, engineering
):
    visit = make_visit(home, partner, units=[engineering], title="Original")
    version = office_client.get(f"/visits/{visit.uuid}/edit/").context["form"].initial["version"]
    data = visit_form_data(
        partner, title="Mine", end_date="2026-05-10", home_units=[engineering.pk], version=version
    )
    response = office_client.post(f"/visits/{visit.uuid}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "end_date": ["The last day cannot come before the first day."]
    }
    stored = Visit.objects.get()
    assert (stored.title, stored.end_date, stored.updated) == (
        "Original",
        visit.end_date,
        visit.updated,
    )


def test_a_coordinator_leaving_out_their_units_is_refused_at_the_home_units(
    coordinator_client, home, partner, economics
):
    response = coordinator_client.post(
        "/visits/new/", visit_form_data(partner, home_units=[economics.pk])
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "home_units": [
            "Include at least one of your own units, or you could not change the visit later."
        ]
    }
    assert not Visit.objects.exists()


def test_a_coordinator_must_include_one_of_their_units(
    coordinator_client, home, partner, engineering, economics
):
    response = coordinator_client.post(
        "/visits/new/", visit_form_data(partner, home_units=[economics.pk])
    )
    assert response.status_code == 400
    assert "Include at least one of your own units" in response.content.decode()
    response = coordinator_client.post(
        "/visits/new/", visit_form_data(partner, home_units=[engineering.pk])
    )
    assert response.status_code == 303
    assert Visit.objects.get().home_units.get() == engineering


def test_a_viewer_cannot_create_visits(viewer_client, home, partner):
    assert viewer_client.get("/visits/new/").status_code == 403
    assert viewer_client.post("/visits/new/", visit_form_data(partner)).status_code == 403
    assert not Visit.objects.exists()


def test_creating_a_visit_generates_the_checklist_of_its_direction(
    office_client, office_user, home, partner
):
    ChecklistTemplateItem.objects.filter(direction="incoming", name="Gifts").update(is_active=False)
    ChecklistTemplateItem.objects.filter(direction="incoming", name="Accommodation").update(
        default_owner=office_user
    )
    office_client.post("/visits/new/", visit_form_data(partner))
    visit = Visit.objects.get()
    items = {item.name: item for item in visit.checklist.all()}
    assert set(items) == {
        "Visa invitation letters",
        "Accommodation",
        "Transport (airport, city)",
        "Interpreter",
        "Catering",
        "Press and photographer",
    }
    assert items["Visa invitation letters"].due_on == datetime.date(2026, 3, 28)  # 45 days
    assert items["Accommodation"].owner == office_user
    assert items["Interpreter"].owner is None


def test_the_checklist_is_named_in_the_creators_language(office_client, home, partner):
    office_client.post("/visits/new/", visit_form_data(partner, direction="outgoing"),
                       HTTP_ACCEPT_LANGUAGE="ru")  # fmt: skip
    names = set(Visit.objects.get().checklist.values_list("name", flat=True))
    assert "Отчёт о командировке" in names
    trip_report = ChecklistItem.objects.get(name="Отчёт о командировке")
    assert trip_report.due_on == datetime.date(2026, 5, 19)  # 7 days after the first day


# --- Edit ----------------------------------------------------------------------------------------


def test_editing_a_visit_saves_and_keeps_the_sides(office_client, home, partner, engineering):
    visit = make_visit(home, partner, units=[engineering])
    page = office_client.get(f"/visits/{visit.uuid}/edit/")
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    data = visit_form_data(partner, title="Renamed", home_units=[engineering.pk], version=version)
    response = office_client.post(f"/visits/{visit.uuid}/edit/", data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.title == "Renamed"
    assert visit.visiting_institution == partner


def test_editing_a_visit_someone_else_saved_meanwhile_is_a_conflict(office_client, home, partner):
    visit = make_visit(home, partner, title="Original")
    version = office_client.get(f"/visits/{visit.uuid}/edit/").context["form"].initial["version"]
    Visit.objects.filter(pk=visit.pk).update(
        title="Changed by someone", updated=timezone.now() + datetime.timedelta(seconds=5)
    )
    response = office_client.post(
        f"/visits/{visit.uuid}/edit/", visit_form_data(partner, title="Mine", version=version)
    )
    assert response.status_code == 409
    assert "Someone else changed this record" in response.content.decode()
    visit.refresh_from_db()
    assert visit.title == "Changed by someone"


# --- Delete --------------------------------------------------------------------------------------


def test_a_planned_visit_without_meetings_can_be_deleted(office_client, home, partner):
    visit = make_visit(home, partner)
    assert office_client.get(f"/visits/{visit.uuid}/delete/").status_code == 200
    response = office_client.post(f"/visits/{visit.uuid}/delete/")
    assert response.status_code == 303
    assert not Visit.objects.exists()


def test_a_visit_with_meetings_is_not_deleted_and_says_why(office_client, home, partner):
    visit = make_visit(home, partner)
    MeetingFactory(visit=visit)
    response = office_client.post(f"/visits/{visit.uuid}/delete/")
    assert response.status_code == 400
    assert "This visit has meetings" in response.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_completed_visit_cannot_be_deleted(office_client, home, partner):
    visit = make_visit(home, partner, status="completed")
    response = office_client.post(f"/visits/{visit.uuid}/delete/")
    assert response.status_code == 409
    assert "Deleting the visit is not possible while the visit is" in response.content.decode()
    assert Visit.objects.filter(pk=visit.pk).exists()


# --- Status --------------------------------------------------------------------------------------


def test_the_status_goes_planned_confirmed_ongoing_completed_audited(
    office_client, office_user, home, partner
):
    visit = make_visit(home, partner)
    for action, status in [
        ("confirm", "confirmed"),
        ("start", "ongoing"),
        ("complete", "completed"),
    ]:
        response = office_client.post(f"/visits/{visit.uuid}/status/{action}/")
        assert response.status_code == 303
        visit.refresh_from_db()
        assert visit.status == status
    entries = LogEntry.objects.get_for_object(visit).filter(
        action=LogEntry.Action.UPDATE, changes__has_key="status"
    )
    assert entries.count() == 3
    assert {entry.actor for entry in entries} == {office_user}


def test_an_illegal_transition_is_a_409_and_changes_nothing(office_client, home, partner):
    visit = make_visit(home, partner)
    response = office_client.post(f"/visits/{visit.uuid}/status/complete/")
    assert response.status_code == 409
    assert "Completing the visit is not possible while the visit is" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_cancelling_needs_a_reason(office_client, home, partner):
    visit = make_visit(home, partner, status="confirmed")
    assert office_client.get(f"/visits/{visit.uuid}/cancel/").status_code == 200
    response = office_client.post(f"/visits/{visit.uuid}/cancel/", {"reason": "  "})
    assert response.status_code == 400
    visit.refresh_from_db()
    assert visit.status == "confirmed"
    response = office_client.post(f"/visits/{visit.uuid}/cancel/", {"reason": "Visa refused"})
    assert response.status_code == 303
    visit.refresh_from_db()
    assert (visit.status, visit.cancellation_reason) == ("cancelled", "Visa refused")
    page = office_client.get(visit.get_absolute_url()).content.decode()
    assert "Visa refused" in page


def test_a_completed_visit_cannot_be_cancelled(office_client, home, partner):
    visit = make_visit(home, partner, status="completed")
    assert office_client.get(f"/visits/{visit.uuid}/cancel/").status_code == 409
    response = office_client.post(f"/visits/{visit.uuid}/cancel/", {"reason": "Too late"})
    assert response.status_code == 409
    visit.refresh_from_db()
    assert visit.status == "completed"


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("planned", ["/status/confirm/", "/cancel/", "/delete/"], ["/status/start/"]),
        ("confirmed", ["/status/start/", "/cancel/"], ["/status/confirm/", "/delete/"]),
        ("ongoing", ["/status/complete/", "/cancel/"], ["/status/start/"]),
        ("completed", [], ["/status/", "/cancel/", "/delete/"]),
        ("cancelled", ["/delete/"], ["/status/", "/cancel/"]),
    ],
)
def test_status_buttons_are_shown_only_when_possible(
    office_client, home, partner, status, shown, hidden
):
    visit = make_visit(home, partner, status=status)
    html = office_client.get(visit.get_absolute_url()).content.decode()
    for part in shown:
        assert f"/visits/{visit.uuid}{part}" in html, part
    for part in hidden:
        assert f"/visits/{visit.uuid}{part}" not in html, part


# --- The overview --------------------------------------------------------------------------------


def test_the_overview_shows_the_visit(office_client, home, partner, engineering):
    responsible = PersonFactory(name_native="Айгерим Сапарова", institution=home)
    visit = make_visit(
        home,
        partner,
        units=[engineering],
        goals="Sign a memorandum\n\nPlan exchanges",
        notes="Bring the flags",
    )
    visit.responsible_people.set([responsible])
    html = office_client.get(visit.get_absolute_url()).content.decode()
    for text in ("Asia/Almaty", "<li>Sign a memorandum</li>", "<li>Plan exchanges</li>",
                 "Айгерим Сапарова", "Faculty of Engineering", "Bring the flags",
                 "AGH University of Krakow", "Incoming"):  # fmt: skip
        assert text in html, text


@pytest.mark.parametrize("tab", ["", "participants/", "checklist/"])
def test_visit_tabs_use_the_same_number_of_queries_for_small_and_large_visits(
    office_client, home, partner, engineering, tab
):
    from unibridge.visits.tests.factories import ChecklistItemFactory, ParticipantFactory

    visit = make_visit(home, partner, units=[engineering])
    ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
    ChecklistItemFactory(visit=visit)
    make_agreement(home, partner, 1)
    url = f"{visit.get_absolute_url()}{tab}"
    few = count_queries(office_client, url)
    for number in range(10):
        ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
        ParticipantFactory(visit=visit, person=PersonFactory(institution=home), side="home")
        ChecklistItemFactory(visit=visit, due_on=datetime.date(2020, 1, 1))
        visit.agreements.add(make_agreement(home, partner, number + 2))
        visit.home_units.add(UnitFactory(institution=home))
        visit.responsible_people.add(PersonFactory(institution=home))
    assert count_queries(office_client, url) == few


def test_unknown_tabs_are_404_and_other_modules_addresses_are_not_taken_for_tabs(
    office_client, home, partner
):
    visit = make_visit(home, partner)
    assert office_client.get(f"{visit.get_absolute_url()}nonsense/").status_code == 404


# --- Agreements signed during the visit ----------------------------------------------------------


def test_linking_and_unlinking_an_agreement_with_the_partner(office_client, home, partner):
    visit = make_visit(home, partner)
    agreement = make_agreement(home, partner, 1)
    other = make_agreement(home, InstitutionFactory(), 2)
    page = office_client.get(visit.get_absolute_url())
    offered = list(page.context["link_form"].fields["agreement"].queryset)
    assert offered == [agreement]
    response = office_client.post(f"/visits/{visit.uuid}/agreements/link/", {"agreement": other.pk})
    assert response.status_code == 400
    assert not visit.agreements.exists()
    response = office_client.post(
        f"/visits/{visit.uuid}/agreements/link/", {"agreement": agreement.pk}
    )
    assert response.status_code == 303
    assert list(visit.agreements.all()) == [agreement]
    assert agreement.reference in office_client.get(visit.get_absolute_url()).content.decode()
    response = office_client.post(f"/visits/{visit.uuid}/agreements/{agreement.uuid}/unlink/")
    assert response.status_code == 303
    assert not visit.agreements.exists()


def test_a_viewer_cannot_link_agreements(viewer_client, home, partner):
    visit = make_visit(home, partner)
    agreement = make_agreement(home, partner, 1)
    response = viewer_client.post(
        f"/visits/{visit.uuid}/agreements/link/", {"agreement": agreement.pk}
    )
    assert response.status_code == 403
    assert not visit.agreements.exists()


# --- The home page -------------------------------------------------------------------------------


def overdue_section(html: str) -> str:
    """The home page's "What needs you today" card (other cards name tasks too)."""
    start = html.index('id="today-title"')
    return html[start : html.index("</section>", start)]


def _overdue_for(user, home, partner, number: int) -> None:
    owner = Person.objects.filter(user=user).first() or PersonFactory(institution=home, user=user)
    for _ in range(number):
        visit = make_visit(home, partner)
        ChecklistItem.objects.create(
            visit=visit, name="Book the hotel", owner=user, due_on=datetime.date(2020, 1, 1)
        )
        ActionItemFactory(
            meeting=MeetingFactory(visit=visit),
            owner=owner,
            description="Send the draft",
            due_on=datetime.date(2020, 1, 1),
        )


def test_the_home_page_lists_the_users_overdue_tasks_and_action_items(
    office_client, office_user, viewer_user, home, partner
):
    _overdue_for(office_user, home, partner, 1)
    visit = make_visit(home, partner)
    ChecklistItem.objects.create(  # someone else's
        visit=visit, name="Order the gifts", owner=viewer_user, due_on=datetime.date(2020, 1, 1)
    )
    ChecklistItem.objects.create(  # done
        visit=visit, name="Call the interpreter", owner=office_user, done=True,
        due_on=datetime.date(2020, 1, 1),
    )  # fmt: skip
    html = overdue_section(office_client.get("/").content.decode())
    assert "Book the hotel" in html and "Send the draft" in html
    assert "Order the gifts" not in html and "Call the interpreter" not in html


def test_the_home_page_hides_overdue_items_of_visits_the_user_may_not_see(
    viewer_client, viewer_user, home, partner
):
    visit = make_visit(home, partner, is_confidential=True)
    ChecklistItem.objects.create(
        visit=visit, name="Secret task", owner=viewer_user, due_on=datetime.date(2020, 1, 1)
    )
    html = viewer_client.get("/").content.decode()
    assert "Secret task" not in html
    assert "Nothing waits for you" in overdue_section(html)


def test_the_home_page_uses_the_same_number_of_queries_for_1_and_10_overdue_items(
    office_client, office_user, home, partner
):
    _overdue_for(office_user, home, partner, 1)
    few = count_queries(office_client, "/")
    _overdue_for(office_user, home, partner, 9)
    assert count_queries(office_client, "/") == few


# --- The partner page ----------------------------------------------------------------------------


def test_the_partner_page_lists_its_visits_and_standalone_meetings(office_client, home, partner):
    visit = make_visit(home, partner, title="AGH comes to Temirtau")
    MeetingFactory(visit=None, partner=partner, title="Online round table on hydrogen")
    make_visit(home, InstitutionFactory(), title="Someone else's visit")
    response = office_client.get(f"{partner.get_absolute_url()}visits/")
    assert response.status_code == 200
    html = response.content.decode()
    assert visit.get_absolute_url() in html
    assert "Online round table on hydrogen" in html
    assert "Someone else&#x27;s visit" not in html and "Someone else's visit" not in html
    assert f"/visits/new/?partner={partner.uuid}" in html


def test_the_partner_visits_tab_uses_the_same_number_of_queries_for_2_and_20(
    office_client, home, partner
):
    url = f"{partner.get_absolute_url()}visits/"
    make_visit(home, partner)
    MeetingFactory(visit=None, partner=partner)
    few = count_queries(office_client, url)
    for _ in range(10):
        make_visit(home, partner, direction="outgoing")
        MeetingFactory(visit=None, partner=partner)
    assert count_queries(office_client, url) == few


def test_the_navigation_links_to_the_visits(office_client, home):
    assert 'href="/visits/"' in office_client.get("/").content.decode()
