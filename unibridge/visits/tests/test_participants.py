"""The participants tab: delegation members and home participants, new people, one head, visas."""

import pytest

from unibridge.institutions.models import Person
from unibridge.institutions.tests.factories import PersonFactory
from unibridge.visits.models import VisitParticipant
from unibridge.visits.tests.factories import ParticipantFactory

from .test_visit_pages import make_partner, make_visit


@pytest.fixture
def partner(db):
    return make_partner()


@pytest.fixture
def visit(home, partner, engineering):
    return make_visit(home, partner, units=[engineering])


def add_url(visit, side="delegation") -> str:
    return f"/visits/{visit.uuid}/participants/add/?side={side}"


def test_adding_a_delegation_member_from_the_directory(office_client, visit, partner):
    person = PersonFactory(name_native="Jan Kowalski", institution=partner)
    page = office_client.get(add_url(visit))
    assert page.status_code == 200
    assert "Jan Kowalski" in page.content.decode()
    response = office_client.post(add_url(visit), {"person": person.pk, "role": "member"})
    assert response.status_code == 303
    member = visit.participants.get()
    assert (member.person, member.side, member.role) == (person, "delegation", "member")
    tab = office_client.get(f"/visits/{visit.uuid}/participants/").content.decode()
    assert "Jan Kowalski" in tab


def test_a_new_person_is_created_with_the_member_in_one_go(office_client, visit, partner):
    response = office_client.post(
        add_url(visit),
        {
            "new_name_native": "Анна Новак",
            "new_position": "Vice-Rector for Science",
            "new_email": "anna.nowak@agh.edu.pl",
            "new_institution": partner.pk,
            "role": "head",
        },
    )
    assert response.status_code == 303
    person = Person.objects.get(name_native="Анна Новак")
    assert person.institution == partner
    assert person.name_latin  # transliterated when left empty
    assert person.position == "Vice-Rector for Science"
    assert visit.participants.get().person == person


def test_the_new_persons_institution_defaults_to_the_visiting_one(office_client, visit, partner):
    page = office_client.get(add_url(visit))
    assert page.context["form"].initial["new_institution"] == partner.pk


def test_a_refused_member_does_not_leave_a_new_person_behind(office_client, visit, partner):
    ParticipantFactory(visit=visit, person=PersonFactory(institution=partner), role="head")
    response = office_client.post(
        add_url(visit), {"new_name_native": "Piotr Zieliński", "role": "head"}
    )
    assert response.status_code == 400
    assert "already heads the delegation" in response.content.decode()
    assert not Person.objects.filter(name_native="Piotr Zieliński").exists()
    assert visit.participants.count() == 1


def test_choosing_a_person_and_typing_a_new_one_is_refused(office_client, visit, partner):
    person = PersonFactory(institution=partner)
    response = office_client.post(
        add_url(visit), {"person": person.pk, "new_name_native": "Someone", "role": "member"}
    )
    assert response.status_code == 400
    assert "Either choose a person or type a new one" in response.content.decode()
    response = office_client.post(add_url(visit), {"role": "member"})
    assert response.status_code == 400
    assert "Choose a person, or fill in the name of a new one." in response.content.decode()
    assert not visit.participants.exists()


def test_a_delegation_has_one_head(office_client, visit, partner):
    first, second = PersonFactory(institution=partner), PersonFactory(institution=partner)
    office_client.post(add_url(visit), {"person": first.pk, "role": "head"})
    response = office_client.post(add_url(visit), {"person": second.pk, "role": "head"})
    assert response.status_code == 400
    assert "a delegation has one head" in response.content.decode()
    assert visit.participants.count() == 1


def test_a_visa_invitation_needs_nationality_and_passport(office_client, visit, partner):
    person = PersonFactory(institution=partner)
    data = {"person": person.pk, "role": "member", "needs_visa_invitation": "on"}
    response = office_client.post(add_url(visit), data)
    assert response.status_code == 400
    assert "needs the member&#x27;s nationality and passport number" in response.content.decode()
    assert not visit.participants.exists()
    data.update(nationality="PL", passport_number="EA1234567", date_of_birth="1975-03-02")
    response = office_client.post(add_url(visit), data)
    assert response.status_code == 303
    member = visit.participants.get()
    assert (member.nationality, member.passport_number) == ("PL", "EA1234567")


def test_an_unknown_nationality_is_refused(office_client, visit, partner):
    person = PersonFactory(institution=partner)
    response = office_client.post(
        add_url(visit), {"person": person.pk, "role": "member", "nationality": "XX"}
    )
    assert response.status_code == 400
    assert "Choose a country from the list." in response.content.decode()


def test_a_person_takes_part_once(office_client, visit, partner):
    person = PersonFactory(institution=partner)
    office_client.post(add_url(visit), {"person": person.pk, "role": "member"})
    response = office_client.post(add_url(visit), {"person": person.pk, "role": "member"})
    assert response.status_code == 400
    assert "This person already takes part in the visit." in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"needs_visa_invitation": "on"},
            {
                "nationality": ["A visa invitation letter needs the member's nationality and "
                                "passport number."],
                "passport_number": ["A visa invitation letter needs the member's nationality "
                                    "and passport number."],
            },
        ),
        ({"nationality": "XX"}, {"nationality": ["Choose a country from the list."]}),
        ({"new_name_native": "Someone"},
         {"new_name_native": ["Either choose a person or type a new one, not both."]}),
        ({"person": ""}, {"person": ["Choose a person, or fill in the name of a new one."]}),
    ],
)  # fmt: skip
def test_the_services_refusals_are_shown_at_their_fields_and_nothing_is_stored(
    office_client, visit, partner, fields, errors
):
    person = PersonFactory(institution=partner)
    response = office_client.post(add_url(visit), {"person": person.pk, "role": "member", **fields})
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert not visit.participants.exists()
    assert Person.objects.count() == 1


def test_a_second_head_and_a_second_place_are_refused_at_their_fields(
    office_client, visit, partner
):
    head = ParticipantFactory(visit=visit, person=PersonFactory(institution=partner), role="head")
    response = office_client.post(
        add_url(visit), {"person": PersonFactory(institution=partner).pk, "role": "head"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["role"]
    assert "already heads the delegation" in response.context["form"].errors["role"][0]
    response = office_client.post(add_url(visit), {"person": head.person_id, "role": "member"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "person": ["This person already takes part in the visit."]
    }
    assert visit.participants.get() == head


def test_an_edit_asking_for_a_visa_without_the_details_is_refused_and_changes_nothing(
    office_client, visit, partner
):
    member = ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
    url = f"/visits/{visit.uuid}/participants/{member.pk}/edit/"
    version = office_client.get(url).context["form"].initial["version"]
    response = office_client.post(
        url,
        {
            "person": member.person_id,
            "role": "interpreter",
            "needs_visa_invitation": "on",
            "version": version,
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"nationality", "passport_number"}
    stored = VisitParticipant.objects.get()
    assert (stored.role, stored.needs_visa_invitation, stored.updated) == (
        member.role,
        False,
        member.updated,
    )


def test_a_home_participant_has_a_function(office_client, visit, home):
    person = PersonFactory(name_native="Ержан Абенов", institution=home)
    page = office_client.get(add_url(visit, "home"))
    assert "needs_visa_invitation" not in page.content.decode()
    response = office_client.post(
        add_url(visit, "home"), {"person": person.pk, "function": "Moderator"}
    )
    assert response.status_code == 303
    participant = visit.participants.get()
    assert (participant.side, participant.function) == ("home", "Moderator")
    html = office_client.get(f"/visits/{visit.uuid}/participants/").content.decode()
    assert "Moderator" in html


def test_editing_and_removing_a_member(office_client, visit, partner):
    member = ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
    url = f"/visits/{visit.uuid}/participants/{member.pk}/edit/"
    version = office_client.get(url).context["form"].initial["version"]
    response = office_client.post(
        url, {"person": member.person_id, "role": "interpreter", "version": version}
    )
    assert response.status_code == 303
    member.refresh_from_db()
    assert member.role == "interpreter"
    remove = f"/visits/{visit.uuid}/participants/{member.pk}/remove/"
    assert office_client.get(remove).status_code == 200
    assert office_client.post(remove).status_code == 303
    assert not VisitParticipant.objects.exists()
    assert Person.objects.filter(pk=member.person_id).exists()


def test_editing_a_member_someone_else_changed_is_a_conflict(office_client, visit, partner):
    member = ParticipantFactory(visit=visit, person=PersonFactory(institution=partner))
    url = f"/visits/{visit.uuid}/participants/{member.pk}/edit/"
    version = office_client.get(url).context["form"].initial["version"]
    other = VisitParticipant.objects.get(pk=member.pk)
    other.role = "head"
    other.save()
    response = office_client.post(
        url, {"person": member.person_id, "role": "interpreter", "version": version}
    )
    assert response.status_code == 409
    member.refresh_from_db()
    assert member.role == "head"


def test_a_participant_of_another_visit_is_404(office_client, visit, home, partner):
    other = ParticipantFactory(visit=make_visit(home, partner))
    assert (
        office_client.get(f"/visits/{visit.uuid}/participants/{other.pk}/edit/").status_code == 404
    )
