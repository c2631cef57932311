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
