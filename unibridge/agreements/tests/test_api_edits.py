"""Changing agreements, their conditions and their parties over the JSON API, as the pages do.

The same forms and services as the edit, conditions and parties pages: a draft's terms change,
later only the internal fields; conditions and units only in a draft; every change carries the
record's version, and a stale one answers 409 without writing anything.
"""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement, AgreementType, CooperationCondition
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

from .factories import CooperationConditionFactory, LanguageRequirementFactory, SubjectAreaFactory
from .test_api import api_for, assert_error, detail_url

Status = AgreementStatus
TERMS_LOCKED = "Changing the terms is not possible while the agreement is “Active”."


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL")


@pytest.fixture
def mou(db):
    return AgreementType.objects.get(code="mou")


@pytest.fixture
def ka171(db):
    return AgreementType.objects.get(code="erasmus-ka171")


def make(user, home, partner, agreement_type, *, units=(), **fields) -> Agreement:
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title=fields.pop("title", "Memorandum with AGH"),
        parties=[PartyInput(home, units), PartyInput(partner)],
        **fields,
    )


def set_status(agreement: Agreement, status: str) -> Agreement:
    Agreement.objects.filter(pk=agreement.pk).update(status=status)
    agreement.refresh_from_db()
    return agreement


def read(client, agreement) -> dict:
    response = client.get(detail_url(agreement))
    assert response.status_code == 200, response.content
    return response.json()


def conditions_url(agreement, condition=None) -> str:
    if condition is None:
        return reverse("api-agreement-condition-list", args=[agreement.uuid])
    return reverse("api-agreement-condition-detail", args=[agreement.uuid, condition.pk])


def party_url(agreement, party) -> str:
    return reverse("api-agreement-party-detail", args=[agreement.uuid, party.pk])


def condition_body(home, partner, **values) -> dict:
    body = {
        "mobility_type": "student-studies",
        "sending_institution": str(home.uuid),
        "receiving_institution": str(partner.uuid),
        "mobilities_per_year": 2,
        "total_months_per_year": "10",
        "eqf_levels": ["6", "7"],
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "subject_areas": [
            {"isced_code": "0713", "clarification": "Electrical engineering for mining"},
            {"isced_code": "0724"},
        ],
        "language_requirements": [
            {"language": "en", "cefr_level": "B2"},
            {"language": "pl", "cefr_level": "b1", "isced_code": "0724"},
        ],
    }
    body.update(values)
    return body


# --- The agreement's fields ----------------------------------------------------------------------


def test_the_office_renames_a_draft_and_the_audit_trail_names_the_api_user(
    office_user, home, agh, mou
):
    agreement = make(office_user, home, agh, mou)
    client = api_for(office_user)
    version = read(client, agreement)["updated"]

    response = client.patch(
        detail_url(agreement), {"title": "Renamed", "version": version}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Renamed"
    assert body["updated"] != version
    assert len(body["parties"]) == 2  # the whole agreement, as the detail answers it
    entry = LogEntry.objects.get_for_object(agreement).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == office_user
    assert entry.changes_dict["title"] == ["Memorandum with AGH", "Renamed"]


def test_a_draft_changes_its_terms_with_the_edit_pages_rules(office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    client = api_for(office_user)
    version = read(client, agreement)["updated"]

    response = client.patch(
        detail_url(agreement),
        {"effective_date": "2026-01-01", "expiry_date": "2025-01-01", "version": version},
        format="json",
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert fields == {"expiry_date": ["The expiry date must come after the effective date."]}

    response = client.patch(
        detail_url(agreement),
        {
            "effective_date": "2026-01-01",
            "expiry_date": "2030-12-31",
            "renewal_years": 5,
            "cooperation_areas": ["student_exchange"],
            "version": version,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert (agreement.renewal_years, agreement.cooperation_areas) == (5, ["student_exchange"])


def test_a_term_of_an_active_agreement_is_refused_at_its_field(office_user, home, agh, mou):
    agreement = set_status(make(office_user, home, agh, mou, notes="old"), Status.ACTIVE)
    client = api_for(office_user)
    version = read(client, agreement)["updated"]

    response = client.patch(
        detail_url(agreement),
        {"title": "Sneaky new title", "renewal_years": 3, "notes": "new", "version": version},
        format="json",
    )

    fields = assert_error(response, 400, "invalid")["fields"]
    assert fields == {"title": [TERMS_LOCKED], "renewal_years": [TERMS_LOCKED]}
    agreement.refresh_from_db()
    assert (agreement.title, agreement.renewal_years, agreement.notes) == (
        "Memorandum with AGH",
        0,
        "old",
    )


def test_after_the_draft_the_internal_fields_change_and_unchanged_terms_may_be_sent_back(
    office_user, home, agh, mou
):
    agreement = set_status(make(office_user, home, agh, mou), Status.ACTIVE)
    person = PersonFactory(institution=home)
    client = api_for(office_user)
    current = read(client, agreement)

    # the whole agreement as read, with the internal fields changed: a PUT
    body = {
        **{name: current[name] for name in ("title", "title_en", "summary", "renewal_years")},
        "agreement_type": current["agreement_type"],
        "cooperation_areas": current["cooperation_areas"],
        "effective_date": current["effective_date"],
        "notes": "Call the partner in May",
        "is_confidential": True,
        "responsible_people": [str(person.uuid)],
        "version": current["updated"],
    }
    response = client.put(detail_url(agreement), body, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["responsible_people"] == [str(person.uuid)]
    agreement.refresh_from_db()
    assert (agreement.notes, agreement.is_confidential) == ("Call the partner in May", True)


def test_a_stale_version_answers_409_with_the_current_agreement_and_writes_nothing(
    office_user, home, agh, mou
):
    agreement = make(office_user, home, agh, mou)
    client = api_for(office_user)
    version = read(client, agreement)["updated"]
    first = client.patch(
        detail_url(agreement), {"title": "First", "version": version}, format="json"
    )
    assert first.status_code == 200, first.content
    entries = LogEntry.objects.get_for_object(agreement).count()

    response = client.patch(
        detail_url(agreement), {"title": "Second", "notes": "x", "version": version}, format="json"
    )

    body = assert_error(response, 409, "conflict")
    assert body["current"]["title"] == "First"
    assert body["current"]["updated"] == first.json()["updated"]
    agreement.refresh_from_db()
    assert (agreement.title, agreement.notes) == ("First", "")
    assert LogEntry.objects.get_for_object(agreement).count() == entries


def test_a_put_without_its_version_is_refused_and_a_patch_without_it_changes_one_field(
    office_user, home, agh, mou
):
    agreement = make(office_user, home, agh, mou, notes="Signed in May.")
    client = api_for(office_user)
    response = client.put(detail_url(agreement), {"title": "Renamed"}, format="json")
    assert "'version'" in assert_error(response, 428, "version_required")["detail"]
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum with AGH"
    # a PATCH changes only what it names, on the row as stored then: no version needed
    response = client.patch(detail_url(agreement), {"title": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    agreement.refresh_from_db()
    assert (agreement.title, agreement.notes) == ("Renamed", "Signed in May.")


def test_viewers_may_not_change_and_outsiders_do_not_find_the_agreement(
    viewer_user, other_coordinator_user, coordinator_user, office_user, home, engineering, agh,
    mou,
):  # fmt: skip
    agreement = make(office_user, home, agh, mou, units=[engineering])
    secret = make(office_user, home, agh, mou, units=[engineering], is_confidential=True)
    version = agreement.updated.isoformat()
    change = {"title": "Renamed", "version": version}

    assert_error(api_for(viewer_user).patch(detail_url(agreement), change, format="json"), 403)
    assert_error(
        api_for(viewer_user).patch(
            detail_url(secret), {**change, "version": secret.updated.isoformat()}, format="json"
        ),
        404,
    )
    assert_error(
        api_for(other_coordinator_user).patch(detail_url(agreement), change, format="json"), 403
    )
    agreement.refresh_from_db()
    assert agreement.title == "Memorandum with AGH"
    response = api_for(coordinator_user).patch(detail_url(agreement), change, format="json")
    assert response.status_code == 200, response.content


def test_responsible_people_the_user_cannot_see_stay_responsible(
    coordinator_user, office_user, home, engineering, agh, mou
):
    hidden = PersonFactory(institution=agh, is_confidential=True)
    agreement = make(office_user, home, agh, mou, units=[engineering])
    agreement.responsible_people.set([hidden])
    agreement.refresh_from_db()
    client = api_for(coordinator_user)

    response = client.patch(
        detail_url(agreement),
        {"notes": "Checked", "version": agreement.updated.isoformat()},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert list(agreement.responsible_people.all()) == [hidden]


@pytest.mark.parametrize("size", [1, 4])
def test_the_detail_runs_the_same_number_of_queries_whatever_it_holds(
    size, office_user, home, agh, ka171, django_assert_num_queries
):
    agreement = make(office_user, home, agh, ka171)
    for _n in range(size):
        condition = CooperationConditionFactory(
            agreement=agreement, sending_institution=home, receiving_institution=agh
        )
        SubjectAreaFactory(condition=condition)
        LanguageRequirementFactory(condition=condition)
        party = agreement.parties.create(institution=InstitutionFactory(), order=9)
        party.units.set([UnitFactory(institution=party.institution)])
    client = api_for(office_user)
    # token, agreement, parties, their units, responsible people, conditions, subject areas,
    # language requirements, approvals, documents
    with django_assert_num_queries(10):
        body = read(client, agreement)
    assert len(body["conditions"]) == size
    assert len(body["parties"]) == size + 2


# --- Cooperation conditions ----------------------------------------------------------------------


def test_a_condition_is_added_with_its_subject_areas_and_languages(office_user, home, agh, ka171):
    agreement = make(office_user, home, agh, ka171)
    response = api_for(office_user).post(
        conditions_url(agreement), condition_body(home, agh), format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    condition = agreement.conditions.get()
    assert body["id"] == condition.pk
    assert body["subject_areas"] == [
        {"isced_code": "0713", "clarification": "Electrical engineering for mining"},
        {"isced_code": "0724", "clarification": ""},
    ]
    assert [(r["language"], r["cefr_level"], r["isced_code"]) for r in body["language_requirements"]] == [  # noqa: E501
        ("en", "B2", ""),
        ("pl", "B1", "0724"),
    ]  # fmt: skip
    assert LogEntry.objects.get_for_object(condition).get().actor == office_user
    assert read(api_for(office_user), agreement)["conditions"][0]["id"] == condition.pk


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"subject_areas": [{"isced_code": "9999"}]}, "subject_areas[0].isced_code", "9999 is not an ISCED-F 2013 code."),  # noqa: E501
        ({"subject_areas": [{"isced_code": "0713"}, {"isced_code": "071"}]}, "subject_areas[1].isced_code", "Use a four-digit ISCED-F code, such as 0713."),  # noqa: E501
        ({"subject_areas": [{"isced_code": "0713", "clarification": "Electricity and energy"}]}, "subject_areas[0].clarification", "Do not repeat the field's official name here; leave the clarification empty when nothing needs adding."),  # noqa: E501
        ({"subject_areas": [{"clarification": "Mining"}]}, "subject_areas[0].isced_code", "This field is required."),  # noqa: E501
        ({"language_requirements": [{"language": "english", "cefr_level": "B2"}]}, "language_requirements[0].language", "Enter a language code such as en, pl or en-GB."),  # noqa: E501
        ({"language_requirements": [{"language": "en", "cefr_level": "X9"}]}, "language_requirements[0].cefr_level", "Enter a CEFR level from A1 to C2, such as B2."),  # noqa: E501
        ({"language_requirements": [{"language": "en", "isced_code": "0411"}]}, "language_requirements[0].isced_code", "Choose one of the subject areas of this condition."),  # noqa: E501
        ({"language_requirements": []}, "language_requirements", "Add at least one recommended language skill for this mobility type."),  # noqa: E501
        ({"first_academic_year": "2026-2027"}, "first_academic_year", "Enter an academic year such as 2026/2027."),  # noqa: E501
        ({"last_academic_year": "2025/2026"}, "last_academic_year", "The last academic year cannot come before the first one."),  # noqa: E501
        ({"total_days_per_year": 5}, "total_days_per_year", "Student mobility is counted in months, not days."),  # noqa: E501
    ],
)  # fmt: skip
def test_the_ewp_rules_of_a_condition_answer_at_their_field(
    office_user, home, agh, ka171, values, field, message
):
    agreement = make(office_user, home, agh, ka171)
    response = api_for(office_user).post(
        conditions_url(agreement), condition_body(home, agh, **values), format="json"
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert fields.get(field) == [message], fields
    assert not CooperationCondition.objects.exists()


def test_a_condition_names_institutions_that_are_parties(office_user, home, agh, ka171):
    agreement = make(office_user, home, agh, ka171)
    stranger = InstitutionFactory()
    response = api_for(office_user).post(
        conditions_url(agreement),
        condition_body(home, agh, receiving_institution=str(stranger.uuid)),
        format="json",
    )
    assert "receiving_institution" in assert_error(response, 400, "invalid")["fields"]
    assert not CooperationCondition.objects.exists()


def test_a_condition_is_changed_and_deleted(office_user, home, agh, ka171):
    agreement = make(office_user, home, agh, ka171)
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    SubjectAreaFactory(condition=condition, isced_code="0724")
    LanguageRequirementFactory(condition=condition, language="en", cefr_level="B2")
    client = api_for(office_user)
    url = conditions_url(agreement, condition)
    version = read(client, agreement)["conditions"][0]["updated"]

    response = client.patch(url, {"mobilities_per_year": 5, "version": version}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["mobilities_per_year"]) == (condition.pk, 5)
    assert body["subject_areas"] == [{"isced_code": "0724", "clarification": ""}]  # kept
    assert body["language_requirements"][0]["cefr_level"] == "B2"

    stale = client.patch(url, {"mobilities_per_year": 9, "version": version}, format="json")
    assert assert_error(stale, 409, "conflict")["current"]["mobilities_per_year"] == 5
    condition.refresh_from_db()
    assert condition.mobilities_per_year == 5

    replaced = client.patch(
        url,
        {"subject_areas": [{"isced_code": "0713"}], "version": body["updated"]},
        format="json",
    )
    assert replaced.status_code == 200, replaced.content
    assert [a["isced_code"] for a in replaced.json()["subject_areas"]] == ["0713"]

    assert client.delete(url).status_code == 204
    assert not agreement.conditions.exists()
    assert_error(client.delete(url), 404)


def test_a_condition_change_needs_its_version(office_user, home, agh, ka171):
    agreement = make(office_user, home, agh, ka171)
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    response = api_for(office_user).patch(
        conditions_url(agreement, condition), {"mobilities_per_year": 5}, format="json"
    )
    assert assert_error(response, 400, "invalid")["fields"] == {
        "version": ["This field is required."]
    }


def test_conditions_of_an_agreement_past_the_draft_are_refused_as_on_the_pages(
    office_user, home, agh, ka171
):
    agreement = make(office_user, home, agh, ka171)
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    set_status(agreement, Status.SIGNING)
    client = api_for(office_user)
    version = condition.updated.isoformat()

    created = client.post(conditions_url(agreement), condition_body(home, agh), format="json")
    changed = client.patch(
        conditions_url(agreement, condition),
        {"mobilities_per_year": 5, "version": version},
        format="json",
    )
    deleted = client.delete(conditions_url(agreement, condition))

    for response in (created, changed, deleted):
        body = assert_error(response, 409, "invalid_transition")
        assert body["detail"] == (
            "Changing the terms is not possible while the agreement is “Signing”."
        )
    assert list(agreement.conditions.all()) == [condition]
    condition.refresh_from_db()
    assert condition.mobilities_per_year == 2


def test_a_type_without_conditions_refuses_them(office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    response = api_for(office_user).post(
        conditions_url(agreement), condition_body(home, agh), format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert "have no mobility conditions" in body["fields"]["non_field_errors"][0]
    assert not CooperationCondition.objects.exists()


def test_conditions_follow_the_agreements_permissions(
    viewer_user, other_coordinator_user, office_user, home, engineering, agh, ka171
):
    agreement = make(office_user, home, agh, ka171, units=[engineering])
    secret = make(office_user, home, agh, ka171, units=[engineering], is_confidential=True)
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    body = condition_body(home, agh)
    assert_error(api_for(viewer_user).post(conditions_url(agreement), body, format="json"), 403)
    assert_error(api_for(viewer_user).post(conditions_url(secret), body, format="json"), 404)
    assert_error(api_for(other_coordinator_user).delete(conditions_url(agreement, condition)), 403)
    # a condition of another agreement is not found through this one
    other = CooperationConditionFactory(
        agreement=secret, sending_institution=home, receiving_institution=agh
    )
    assert_error(api_for(office_user).delete(conditions_url(agreement, other)), 404)
    assert CooperationCondition.objects.count() == 2


# --- Parties -------------------------------------------------------------------------------------


def test_a_drafts_party_gets_units_and_a_signatory(office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    party = agreement.parties.get(institution=agh)
    faculty = UnitFactory(institution=agh, name="Faculty of Mining")
    dean = PersonFactory(institution=agh, name_native="Jan Kowalski")
    client = api_for(office_user)
    version = read(client, agreement)["parties"][1]["updated"]

    response = client.patch(
        party_url(agreement, party),
        {
            "units": [str(faculty.uuid)],
            "signatory": str(dean.uuid),
            "signatory_position": "Rector",
            "version": version,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["units"]) == (party.pk, [str(faculty.uuid)])
    assert (body["signatory"]["id"], body["signatory_position"]) == (str(dean.uuid), "Rector")
    stale = client.patch(
        party_url(agreement, party),
        {"signatory_position": "Dean", "version": version},
        format="json",
    )
    assert assert_error(stale, 409, "conflict")["current"]["signatory_position"] == "Rector"


def test_a_unit_of_another_institution_is_refused_at_the_field(office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    party = agreement.parties.get(institution=agh)
    response = api_for(office_user).patch(
        party_url(agreement, party),
        {"units": [str(UnitFactory(institution=home).uuid)], "version": party.updated.isoformat()},
        format="json",
    )
    assert "units" in assert_error(response, 400, "invalid")["fields"]
    assert party.units.count() == 0


def test_after_the_draft_a_signatory_changes_but_not_the_units(office_user, home, agh, mou):
    agreement = set_status(make(office_user, home, agh, mou), Status.APPROVED)
    party = agreement.parties.get(institution=agh)
    client = api_for(office_user)

    response = client.patch(
        party_url(agreement, party),
        {"units": [str(UnitFactory(institution=agh).uuid)], "version": party.updated.isoformat()},
        format="json",
    )
    body = assert_error(response, 409, "invalid_transition")
    assert body["detail"] == "Changing the terms is not possible while the agreement is “Approved”."

    response = client.patch(
        party_url(agreement, party),
        {"signatory_position": "Rector", "version": party.updated.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["units"] == []


def test_parties_follow_the_agreements_permissions(viewer_user, office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    party = agreement.parties.get(institution=agh)
    change = {"signatory_position": "Rector", "version": party.updated.isoformat()}
    assert_error(
        api_for(viewer_user).patch(party_url(agreement, party), change, format="json"), 403
    )
    active = set_status(make(office_user, home, agh, mou), Status.ACTIVE)
    active_party = active.parties.get(institution=agh)
    response = api_for(office_user).patch(
        party_url(active, active_party),
        {"signatory_position": "Rector", "version": active_party.updated.isoformat()},
        format="json",
    )
    assert_error(response, 409, "invalid_transition")
