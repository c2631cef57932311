"""The API's field errors for bad input, recorded: moving a rule must not change its message.

Each case sends one bad request and asserts the whole {field: [messages]} of the answer, so a
rule moved from a form into a service or a model keeps its field and its wording.
"""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement, AgreementType
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
)

TERMS_LOCKED = "Changing the terms is not possible while the agreement is “Active”."
UNKNOWN = "00000000-0000-4000-8000-000000000000"
NOT_ALLOWED = "“{}” cannot be chosen here: it belongs elsewhere or is outside what you may change."


def api_for(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    return reverse(name, args=[str(a) for a in args])


@pytest.fixture
def w(home, engineering, engineering_department, economics, office_user, coordinator_user):
    """A partner with a unit, people and a partnership; drafts of two agreement types."""
    agh = InstitutionFactory(name="AGH", country="PL", hei_id="agh.edu.pl", pic="999876543")
    tu = InstitutionFactory(name="TU Berlin", country="DE")
    mining = UnitFactory(institution=agh, name="Faculty of Mining", ewp_ounit_id="mining")
    professor = PersonFactory(name_native="Jan Kowalski", institution=agh, unit=mining)
    engineer = PersonFactory(name_native="Engineer", institution=home, unit=engineering)
    partnership = PartnershipFactory(partner=agh)
    partnership.home_units.set([engineering])

    def draft(code: str) -> Agreement:
        return agreement_create(
            user=office_user,
            agreement_type=AgreementType.objects.get(code=code),
            title="Memorandum with AGH",
            parties=[PartyInput(home, [engineering]), PartyInput(agh)],
        )

    return {
        "home": home,
        "agh": agh,
        "tu": tu,
        "mining": mining,
        "engineering": engineering,
        "department": engineering_department,
        "economics": economics,
        "professor": professor,
        "engineer": engineer,
        "partnership": partnership,
        "mou": draft("mou"),
        "ka171": draft("erasmus-ka171"),
        "office": office_user,
        "coordinator": coordinator_user,
    }


def condition_body(w, **values) -> dict:
    body = {
        "mobility_type": "student-studies",
        "sending_institution": str(w["home"].uuid),
        "receiving_institution": str(w["agh"].uuid),
        "mobilities_per_year": 2,
        "total_months_per_year": "10",
        "eqf_levels": ["6", "7"],
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "subject_areas": [{"isced_code": "0713"}],
        "language_requirements": [{"language": "en", "cefr_level": "B2"}],
    }
    body.update(values)
    return body


def visit_body(w, **values) -> dict:
    body = {
        "direction": "incoming",
        "partner": str(w["agh"].uuid),
        "title": "AGH delegation",
        "home_units": [str(w["engineering"].uuid)],
        "start_date": "2026-05-12",
        "end_date": "2026-05-14",
        "time_zone": "Asia/Almaty",
    }
    body.update(values)
    return body


def meeting_body(w, **values) -> dict:
    body = {
        "title": "Round table",
        "partner": str(w["agh"].uuid),
        "home_units": [str(w["engineering"].uuid)],
        "starts_at": "2026-05-12T10:00",
        "time_zone": "Asia/Almaty",
    }
    body.update(values)
    return body


# Each case: (who, method, url(w), body(w), expected fields(w)).
CASES = {
    # --- institutions ---
    "institution without a name": (
        "office",
        "post",
        lambda w: url("api-institution-list"),
        lambda w: {"name": "", "country": "PL"},
        lambda w: {"name": ["This field may not be blank."]},
    ),
    "institution with a bad pic": (
        "office",
        "post",
        lambda w: url("api-institution-list"),
        lambda w: {"name": "X", "country": "PL", "pic": "12345"},
        lambda w: {"pic": ["A PIC (Participant Identification Code) has exactly 9 digits."]},
    ),
    "institution with a bad ror id": (
        "office",
        "post",
        lambda w: url("api-institution-list"),
        lambda w: {"name": "X", "country": "PL", "ror_id": "00bas1c42"},
        lambda w: {"ror_id": ["This ROR id's check digits are wrong; copy it again from ror.org."]},
    ),
    "institution with a duplicate hei-id": (
        "office",
        "post",
        lambda w: url("api-institution-list"),
        lambda w: {"name": "X", "country": "PL", "hei_id": "AGH.edu.pl"},
        lambda w: {"hei_id": ["Another institution already has this hei-id."]},
    ),
    "institution with a duplicate pic on update": (
        "office",
        "patch",
        lambda w: url("api-institution-detail", w["tu"].uuid),
        lambda w: {"pic": "999876543"},
        lambda w: {"pic": ["Another institution already has this PIC."]},
    ),
    "institution with a bad e-mail domain": (
        "office",
        "post",
        lambda w: url("api-institution-list"),
        lambda w: {"name": "X", "country": "PL", "email_domains": ["not a domain"]},
        lambda w: {
            "email_domains": ["'not a domain' is not an internet domain such as 'agh.edu.pl'."]
        },
    ),
    "institution made home by the office": (
        "office",
        "patch",
        lambda w: url("api-institution-detail", w["tu"].uuid),
        lambda w: {"is_home": True},
        None,  # 403, see test_refusals_keep_their_answers
    ),
    # --- units ---
    "unit with a parent of another institution": (
        "office",
        "patch",
        lambda w: url("api-unit-detail", w["mining"].uuid),
        lambda w: {"parent": str(w["engineering"].uuid)},
        lambda w: {"parent": [NOT_ALLOWED.format(w["engineering"].uuid)]},
    ),
    "unit below its own descendant": (
        "office",
        "patch",
        lambda w: url("api-unit-detail", w["engineering"].uuid),
        lambda w: {"parent": str(w["department"].uuid)},
        lambda w: {"parent": [NOT_ALLOWED.format(w["department"].uuid)]},
    ),
    "unit moved to another institution": (
        "office",
        "patch",
        lambda w: url("api-unit-detail", w["engineering"].uuid),
        lambda w: {"institution": str(w["agh"].uuid)},
        lambda w: {"institution": ["A unit cannot move to another institution."]},
    ),
    "unit with a duplicate ewp ounit id": (
        "office",
        "post",
        lambda w: url("api-unit-list"),
        lambda w: {"institution": str(w["agh"].uuid), "name": "Other", "ewp_ounit_id": "mining"},
        lambda w: {"ewp_ounit_id": ["Another unit of this institution has this EWP ounit id."]},
    ),
    "unit of a coordinator outside their units": (
        "coordinator",
        "post",
        lambda w: url("api-unit-list"),
        lambda w: {
            "institution": str(w["home"].uuid),
            "name": "Lab",
            "parent": str(w["economics"].uuid),
        },
        lambda w: {"parent": [NOT_ALLOWED.format(w["economics"].uuid)]},
    ),
    # --- people ---
    "person without a name": (
        "office",
        "post",
        lambda w: url("api-person-list"),
        lambda w: {"name_native": ""},
        lambda w: {"name_native": ["This field may not be blank."]},
    ),
    "person with a unit of another institution": (
        "office",
        "patch",
        lambda w: url("api-person-detail", w["professor"].uuid),
        lambda w: {"institution": str(w["agh"].uuid), "unit": str(w["engineering"].uuid)},
        lambda w: {"unit": [NOT_ALLOWED.format(w["engineering"].uuid)]},
    ),
    "person with a bad e-mail": (
        "office",
        "patch",
        lambda w: url("api-person-detail", w["engineer"].uuid),
        lambda w: {"email": "not an address"},
        lambda w: {"email": ["Enter a valid email address."]},
    ),
    "person of a coordinator without a unit": (
        "coordinator",
        "post",
        lambda w: url("api-person-list"),
        lambda w: {"name_native": "New", "institution": str(w["home"].uuid)},
        lambda w: {"unit": ["This field is required."]},
    ),
    "person of a coordinator in another unit": (
        "coordinator",
        "post",
        lambda w: url("api-person-list"),
        lambda w: {"name_native": "New", "unit": str(w["economics"].uuid)},
        lambda w: {"unit": [NOT_ALLOWED.format(w["economics"].uuid)]},
    ),
    # --- partnerships ---
    "partnership with the home institution": (
        "office",
        "post",
        lambda w: url("api-partnership-list"),
        lambda w: {"partner": str(w["home"].uuid)},
        lambda w: {"partner": ["The home institution cannot be its own partner."]},
    ),
    "second partnership with a partner": (
        "office",
        "post",
        lambda w: url("api-partnership-list"),
        lambda w: {"partner": str(w["agh"].uuid)},
        lambda w: {"partner": ["This institution already has a partnership."]},
    ),
    "partnership moved to another partner": (
        "office",
        "patch",
        lambda w: url("api-partnership-detail", w["partnership"].uuid),
        lambda w: {"partner": str(w["tu"].uuid)},
        lambda w: {"partner": ["The partner of a partnership cannot change."]},
    ),
    "partnership with a responsible stranger": (
        "office",
        "patch",
        lambda w: url("api-partnership-detail", w["partnership"].uuid),
        lambda w: {"responsible_people": [str(w["stranger"].uuid)]},
        lambda w: {"responsible_people": [NOT_ALLOWED.format(w["stranger"].uuid)]},
    ),
    "partnership a coordinator would lose": (
        "coordinator",
        "patch",
        lambda w: url("api-partnership-detail", w["partnership"].uuid),
        lambda w: {"home_units": [str(w["economics"].uuid)]},
        lambda w: {
            "home_units": [
                "Include at least one of your own units, or you could no longer edit it."
            ]
        },
    ),
    "partnership with a bad date": (
        "office",
        "patch",
        lambda w: url("api-partnership-detail", w["partnership"].uuid),
        lambda w: {"started_on": "yesterday"},
        lambda w: {
            "started_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
        },
    ),
    # --- agreements ---
    "agreement expiring before it starts": (
        "office",
        "patch",
        lambda w: url("api-agreement-detail", w["mou"].uuid),
        lambda w: {"effective_date": "2026-01-01", "expiry_date": "2025-01-01"},
        lambda w: {"expiry_date": ["The expiry date must come after the effective date."]},
    ),
    "agreement without a title": (
        "office",
        "patch",
        lambda w: url("api-agreement-detail", w["mou"].uuid),
        lambda w: {"title": ""},
        lambda w: {"title": ["This field may not be blank."]},
    ),
    "agreement with an unknown responsible person": (
        "office",
        "patch",
        lambda w: url("api-agreement-detail", w["mou"].uuid),
        lambda w: {"responsible_people": [UNKNOWN]},
        lambda w: {"responsible_people": [f"No record with the id {UNKNOWN} exists."]},
    ),
    "active agreement with new terms": (
        "office",
        "patch",
        lambda w: url("api-agreement-detail", w["active"].uuid),
        lambda w: {"title": "Sneaky", "renewal_years": 3, "notes": "fine"},
        lambda w: {"title": [TERMS_LOCKED], "renewal_years": [TERMS_LOCKED]},
    ),
    # --- conditions ---
    "condition ending before it starts": (
        "office",
        "post",
        lambda w: url("api-agreement-condition-list", w["ka171"].uuid),
        lambda w: condition_body(w, last_academic_year="2025/2026"),
        lambda w: {
            "last_academic_year": ["The last academic year cannot come before the first one."]
        },
    ),
    "condition with a bad subject area": (
        "office",
        "post",
        lambda w: url("api-agreement-condition-list", w["ka171"].uuid),
        lambda w: condition_body(w, subject_areas=[{"isced_code": "0713"}, {"isced_code": "071"}]),
        lambda w: {"subject_areas[1].isced_code": ["Use a four-digit ISCED-F code, such as 0713."]},
    ),
    "condition of an institution that is no party": (
        "office",
        "post",
        lambda w: url("api-agreement-condition-list", w["ka171"].uuid),
        lambda w: condition_body(w, receiving_institution=str(w["tu"].uuid)),
        lambda w: {"receiving_institution": [NOT_ALLOWED.format(w["tu"].uuid)]},
    ),
    "student condition counted in days": (
        "office",
        "post",
        lambda w: url("api-agreement-condition-list", w["ka171"].uuid),
        lambda w: condition_body(w, total_days_per_year=5),
        lambda w: {"total_days_per_year": ["Student mobility is counted in months, not days."]},
    ),
    # --- parties ---
    "party with a unit of another institution": (
        "office",
        "patch",
        lambda w: url("api-agreement-party-detail", w["mou"].uuid, w["agh_party"].pk),
        lambda w: {"units": [str(w["engineering"].uuid)], "version": w["agh_party_version"]},
        lambda w: {"units": [NOT_ALLOWED.format(w["engineering"].uuid)]},
    ),
    "party with a signatory of another institution": (
        "office",
        "patch",
        lambda w: url("api-agreement-party-detail", w["mou"].uuid, w["agh_party"].pk),
        lambda w: {"signatory": str(w["engineer"].uuid), "version": w["agh_party_version"]},
        lambda w: {"signatory": [NOT_ALLOWED.format(w["engineer"].uuid)]},
    ),
    # --- visits ---
    "visit ending before it starts": (
        "office",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, start_date="2026-05-14", end_date="2026-05-12"),
        lambda w: {"end_date": ["The last day cannot come before the first day."]},
    ),
    "visit in an unknown time zone": (
        "office",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, time_zone="Mars/Olympus"),
        lambda w: {
            "time_zone": [
                "“Mars/Olympus” is not a time zone; use a name such as Asia/Almaty or "
                "Europe/Warsaw."
            ]
        },
    ),
    "visit with an empty time zone": (
        "office",
        "patch",
        lambda w: url("api-visit-detail", w["visit"].uuid),
        lambda w: {"time_zone": ""},
        lambda w: {"time_zone": ["This field is required."]},
    ),
    "visit hosted by a unit of a third institution": (
        "office",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, host_unit=str(w["tu_unit"].uuid)),
        lambda w: {"host_unit": [NOT_ALLOWED.format(w["tu_unit"].uuid)]},
    ),
    "incoming visit hosted by a partner unit": (
        "office",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, host_unit=str(w["mining"].uuid)),
        lambda w: {
            "host_unit": [
                "The host unit must belong to the host institution "
                "(Karaganda Industrial University)."
            ]
        },
    ),
    "visit with a home unit of the partner": (
        "office",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, home_units=[str(w["mining"].uuid)]),
        lambda w: {"home_units": [NOT_ALLOWED.format(w["mining"].uuid)]},
    ),
    "visit of a coordinator without units": (
        "coordinator",
        "post",
        lambda w: url("api-visit-list"),
        lambda w: visit_body(w, home_units=[]),
        lambda w: {
            "home_units": [
                "This field is required.",
                "Include at least one of your own units, or you could not change the visit later.",
            ]
        },
    ),
    "visit a coordinator would lose": (
        "coordinator",
        "patch",
        lambda w: url("api-visit-detail", w["visit"].uuid),
        lambda w: {"home_units": [str(w["economics"].uuid)]},
        lambda w: {
            "home_units": [
                "Include at least one of your own units, or you could not change the visit later."
            ]
        },
    ),
    "visit with a title too long": (
        "office",
        "patch",
        lambda w: url("api-visit-detail", w["visit"].uuid),
        lambda w: {"title": "x" * 301},
        lambda w: {"title": ["Ensure this value has at most 300 characters (it has 301)."]},
    ),
    "visit with the home institution as partner": (
        "office",
        "patch",
        lambda w: url("api-visit-detail", w["visit"].uuid),
        lambda w: {"partner": str(w["home"].uuid)},
        lambda w: {"partner": [f"No record with the id {w['home'].uuid} exists."]},
    ),
    "visit moved to end before it starts": (
        "office",
        "patch",
        lambda w: url("api-visit-detail", w["visit"].uuid),
        lambda w: {"end_date": "2026-05-01"},
        lambda w: {"end_date": ["The last day cannot come before the first day."]},
    ),
    # --- participants and programme items ---
    "participant with a person and a new person": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"person": str(w["guest"].uuid), "new_person": {"name_native": "New"}},
        lambda w: {
            "new_person.name_native": ["Either choose a person or type a new one, not both."]
        },
    ),
    "participant without a person": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"role": "member"},
        lambda w: {"person": ["Choose a person, or fill in the name of a new one."]},
    ),
    "participant needing a visa without a passport": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"person": str(w["guest"].uuid), "needs_visa_invitation": True},
        lambda w: {
            "nationality": [
                "A visa invitation letter needs the member's nationality and passport number."
            ],
            "passport_number": [
                "A visa invitation letter needs the member's nationality and passport number."
            ],
        },
    ),
    "participant of an unknown nationality": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"person": str(w["guest"].uuid), "nationality": "XX"},
        lambda w: {"nationality": ["Choose a country from the list."]},
    ),
    "second head of a delegation": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"person": str(w["guest"].uuid), "role": "head"},
        lambda w: {
            "role": ["Jan Kowalski already heads the delegation; a delegation has one head."]
        },
    ),
    "participant who is of the host": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"person": str(w["engineer"].uuid)},
        lambda w: {
            "person": [
                NOT_ALLOWED.format(w["engineer"].uuid),
                "Choose a person, or fill in the name of a new one.",
            ]
        },
    ),
    "home participant with a role": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {"side": "home", "person": str(w["engineer"].uuid), "role": "head"},
        lambda w: {"role": ["Only delegation members have this."]},
    ),
    "participant changed to a second head": (
        "office",
        "patch",
        lambda w: url("api-visit-participant-detail", w["visit"].uuid, w["member"].pk),
        lambda w: {"role": "head", "version": w["member"].updated.isoformat()},
        lambda w: {
            "role": ["Jan Kowalski already heads the delegation; a delegation has one head."]
        },
    ),
    "programme item ending before it starts": (
        "office",
        "post",
        lambda w: url("api-visit-programme-list", w["visit"].uuid),
        lambda w: {
            "title": "Tour",
            "starts_at": "2026-05-12T11:00",
            "ends_at": "2026-05-12T10:00",
        },
        lambda w: {"ends_at": ["The end (10:00) must come after the start (11:00)."]},
    ),
    "programme item with a bad link": (
        "office",
        "post",
        lambda w: url("api-visit-programme-list", w["visit"].uuid),
        lambda w: {
            "title": "Tour",
            "starts_at": "2026-05-12T10:00",
            "ends_at": "2026-05-12T11:00",
            "online_link": "not a link",
        },
        lambda w: {"online_link": ["Enter a valid URL."]},
    ),
    "programme item moved to end before it starts": (
        "office",
        "patch",
        lambda w: url("api-visit-programme-detail", w["visit"].uuid, w["item"].uid),
        lambda w: {"ends_at": "2026-05-12T09:00+05:00", "version": w["item"].updated.isoformat()},
        lambda w: {"ends_at": ["The end (09:00) must come after the start (10:00)."]},
    ),
    "programme item without a title": (
        "office",
        "patch",
        lambda w: url("api-visit-programme-detail", w["visit"].uuid, w["item"].uid),
        lambda w: {"title": "", "version": w["item"].updated.isoformat()},
        lambda w: {"title": ["This field may not be blank."]},
    ),
    # --- meetings ---
    "meeting ending before it starts": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, ends_at="2026-05-12T09:00"),
        lambda w: {"ends_at": ["The end must come after the start."]},
    ),
    "meeting in an unknown time zone": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, time_zone="Mars/Olympus"),
        lambda w: {  # the visits' words (core.zones.NOT_A_TIME_ZONE)
            "time_zone": [
                "“Mars/Olympus” is not a time zone; use a name such as Asia/Almaty or "
                "Europe/Warsaw."
            ]
        },
    ),
    "meeting with an empty time zone": (
        "office",
        "patch",
        lambda w: url("api-meeting-detail", w["meeting"].uuid),
        lambda w: {"time_zone": "", "place": "x" * 201},
        lambda w: {
            "time_zone": ["This field is required."],
            "place": ["Ensure this value has at most 200 characters (it has 201)."],
        },
    ),
    "new participant with a bad e-mail and a long function": (
        "office",
        "post",
        lambda w: url("api-visit-participant-list", w["visit"].uuid),
        lambda w: {
            "new_person": {"name_native": "New", "email": "not an address"},
            "function": "x" * 201,
        },
        lambda w: {
            "function": ["Ensure this value has at most 200 characters (it has 201)."],
            "new_person.email": ["Enter a valid email address."],
        },
    ),
    "meeting at a time the clocks skip": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, time_zone="Europe/Warsaw", starts_at="2026-03-29T02:30"),
        lambda w: {
            "starts_at": [
                "2026-03-29 02:30 does not exist in Europe/Warsaw: the clocks are put forward then."
            ]
        },
    ),
    "meeting with a bad link": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, online_link="not a link"),
        lambda w: {"online_link": ["Enter a valid URL."]},
    ),
    "meeting with the home institution as partner": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, partner=str(w["home"].uuid)),
        lambda w: {"partner": [f"No record with the id {w['home'].uuid} exists."]},
    ),
    "meeting with a home unit of the partner": (
        "office",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, home_units=[str(w["mining"].uuid)]),
        lambda w: {"home_units": [NOT_ALLOWED.format(w["mining"].uuid)]},
    ),
    "meeting of a coordinator without units": (
        "coordinator",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, home_units=[]),
        lambda w: {"home_units": ["This field is required."]},
    ),
    "meeting a coordinator would lose": (
        "coordinator",
        "post",
        lambda w: url("api-meeting-list"),
        lambda w: meeting_body(w, home_units=[str(w["economics"].uuid)]),
        lambda w: {
            "home_units": [
                "Include at least one of your own units, or you could not change it later."
            ]
        },
    ),
    "visit's meeting with its own secrecy": (
        "office",
        "patch",
        lambda w: url("api-meeting-detail", w["meeting"].uuid),
        lambda w: {"is_confidential": True, "partner": str(w["tu"].uuid)},
        lambda w: {
            "is_confidential": ["A visit's meeting takes this from the visit."],
            "partner": ["A visit's meeting takes this from the visit."],
        },
    ),
    "meeting moved to end before it starts": (
        "office",
        "patch",
        lambda w: url("api-meeting-detail", w["meeting"].uuid),
        lambda w: {"ends_at": "2026-05-12T09:00"},
        lambda w: {"ends_at": ["The end must come after the start."]},
    ),
    "meeting without a title": (
        "office",
        "patch",
        lambda w: url("api-meeting-detail", w["meeting"].uuid),
        lambda w: {"title": ""},
        lambda w: {"title": ["This field may not be blank."]},
    ),
    "meeting with a title too long": (
        "office",
        "patch",
        lambda w: url("api-meeting-detail", w["meeting"].uuid),
        lambda w: {"title": "x" * 301},
        lambda w: {"title": ["Ensure this value has at most 300 characters (it has 301)."]},
    ),
    "decision without text": (
        "office",
        "post",
        lambda w: url("api-meeting-decision-list", w["meeting"].uuid),
        lambda w: {"text": "   "},  # refused as the page refuses it
        lambda w: {"text": ["This field is required."]},
    ),
    # --- action items ---
    "action item without a description": (
        "office",
        "post",
        lambda w: url("api-action-item-list"),
        lambda w: {"meeting": str(w["meeting"].uuid), "description": ""},
        lambda w: {"description": ["This field may not be blank."]},
    ),
    "action item with an agreement of another partner": (
        "office",
        "post",
        lambda w: url("api-action-item-list"),
        lambda w: {
            "meeting": str(w["meeting"].uuid),
            "description": "Send the draft",
            "agreement": str(w["active"].uuid),
        },
        lambda w: {"agreement": [NOT_ALLOWED.format(w["active"].uuid)]},
    ),
    "action item with a bad due date": (
        "office",
        "patch",
        lambda w: url("api-action-item-detail", w["action_item"].uuid),
        lambda w: {"due_on": "tomorrow"},
        lambda w: {
            "due_on": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
        },
    ),
    "action item with an unknown status": (
        "office",
        "patch",
        lambda w: url("api-action-item-detail", w["action_item"].uuid),
        lambda w: {"status": "forgotten"},
        lambda w: {"status": ['"forgotten" is not a valid choice.']},
    ),
    "action item changed to an agreement of another partner": (
        "office",
        "patch",
        lambda w: url("api-action-item-detail", w["action_item"].uuid),
        lambda w: {"agreement": str(w["active"].uuid), "owner": str(w["professor"].uuid)},
        lambda w: {"agreement": [NOT_ALLOWED.format(w["active"].uuid)]},
    ),
    "action item with a description too long": (
        "office",
        "patch",
        lambda w: url("api-action-item-detail", w["action_item"].uuid),
        lambda w: {"description": "x" * 10_001},
        lambda w: {
            "description": ["Ensure this value has at most 10000 characters (it has 10001)."]
        },
    ),
}


@pytest.fixture
def world(w, office_user):
    w["stranger"] = PersonFactory(name_native="Stranger", institution=w["tu"])
    active = agreement_create(
        user=office_user,
        agreement_type=AgreementType.objects.get(code="mou"),
        title="Active memorandum",
        parties=[PartyInput(w["home"]), PartyInput(w["tu"])],
    )
    Agreement.objects.filter(pk=active.pk).update(status=AgreementStatus.ACTIVE)
    w["active"] = active
    w["agh_party"] = w["mou"].parties.get(institution=w["agh"])
    w["agh_party_version"] = w["agh_party"].updated.isoformat()
    w["tu_unit"] = UnitFactory(institution=w["tu"], name="TU Faculty")
    w["lecturer"] = PersonFactory(name_native="Anna Nowak", institution=w["agh"])
    w["guest"] = PersonFactory(name_native="Piotr Guest", institution=w["agh"])
    visit = VisitFactory(
        title="AGH delegation",
        visiting_institution=w["agh"],
        host_institution=w["home"],
    )
    visit.home_units.set([w["engineering"]])
    w["visit"] = visit
    ParticipantFactory(visit=visit, person=w["professor"], role="head")
    w["member"] = ParticipantFactory(visit=visit, person=w["lecturer"])
    w["item"] = ProgrammeItemFactory(visit=visit)
    w["meeting"] = MeetingFactory(visit=visit)
    w["action_item"] = ActionItemFactory(meeting=w["meeting"])
    return w


@pytest.mark.parametrize("case", [name for name, case in CASES.items() if case[4]])
def test_bad_input_answers_the_recorded_field_errors(world, case):
    who, method, make_url, make_body, expected = CASES[case]
    response = getattr(api_for(world[who]), method)(
        make_url(world), make_body(world), format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["error"], body["detail"]) == (
        "invalid",
        "The request has invalid fields; see 'fields'.",
    )
    assert body["fields"] == expected(world)


def test_refusals_keep_their_answers(world):
    response = api_for(world["office"]).patch(
        url("api-institution-detail", world["tu"].uuid), {"is_home": True}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "permission_denied",
        "detail": "Only an administrator may change which institution is the home one.",
    }
    response = api_for(world["coordinator"]).post(
        url("api-unit-list"), {"institution": str(world["agh"].uuid), "name": "X"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "error": "permission_denied",
        "detail": "You may not add units to this institution.",
    }
