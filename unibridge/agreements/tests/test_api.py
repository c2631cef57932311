"""The agreements JSON API: reads, creation, the lifecycle actions, permissions and the schema.

An agreement the user may not see answers 404; one they see but may not change answers 403;
an action the status does not allow answers 409 {"error": "invalid_transition"}.
"""

import datetime

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.models import Agreement, AgreementDocument
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

from .factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementTypeFactory,
    ApprovalStepFactory,
    CooperationConditionFactory,
    LanguageRequirementFactory,
    RouteStepFactory,
    SignatureFactory,
    SubjectAreaFactory,
)

Status = AgreementStatus
TODAY = timezone.localdate()
LIST_URL = reverse("api-agreement-list")


def detail_url(agreement, action: str = "") -> str:
    url = reverse("api-agreement-detail", args=[agreement.uuid])
    return f"{url}{action}/" if action else url


def api_for(user) -> APIClient:
    """A client that authenticates with the user's API token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"error", "detail"}, body
    if code:
        assert body["error"] == code, body
    return body


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL")


@pytest.fixture
def approver(db):
    return UserFactory(username="approver", role=Role.VIEWER)


@pytest.fixture
def mou_type(approver):
    agreement_type = AgreementTypeFactory(code="test-mou", reference_prefix="TMoU")
    RouteStepFactory(agreement_type=agreement_type, order=1, name="Legal office", approver=approver)
    return agreement_type


@pytest.fixture
def draft(office_user, mou_type, home, engineering, agh):
    return agreement_create(
        user=office_user,
        agreement_type=mou_type,
        title="Memorandum of cooperation",
        parties=[PartyInput(home, [engineering]), PartyInput(agh)],
    )


def active_agreement(home, partner, **fields) -> Agreement:
    agreement = AgreementFactory(**{"status": Status.ACTIVE, **fields})
    AgreementPartyFactory(agreement=agreement, institution=home, order=0)
    AgreementPartyFactory(agreement=agreement, institution=partner, order=1)
    return agreement


# --- Reads ---------------------------------------------------------------------------------------


def test_it_requires_authentication(db):
    assert_error(api_for(None).get(LIST_URL), 401)


def test_the_list_answers_agreements_with_type_code_parties_and_next_expiry(viewer_user, home, agh):
    agreement = active_agreement(home, agh, reference="MoU-2024-001")
    row = api_for(viewer_user).get(LIST_URL).json()["results"][0]
    assert row["id"] == str(agreement.uuid)
    assert row["reference"] == "MoU-2024-001"
    assert row["agreement_type"] == agreement.agreement_type.code
    assert row["status"] == "active"
    assert row["next_expiry"] == "2029-12-31"
    assert [p["institution"]["id"] for p in row["parties"]] == [str(home.uuid), str(agh.uuid)]
    assert row["parties"][1]["institution"]["name"] == "AGH University of Krakow"


@pytest.mark.parametrize("size", [2, 8])
def test_the_list_runs_the_same_number_of_queries_whatever_its_length(
    size, viewer_user, home, agh, django_assert_num_queries
):
    for _n in range(size):
        agreement = active_agreement(home, agh)
        condition = CooperationConditionFactory(agreement=agreement)
        SubjectAreaFactory(condition=condition)
        LanguageRequirementFactory(condition=condition)
        ApprovalStepFactory(agreement=agreement)
        SignatureFactory(party=agreement.parties.first())
    client = api_for(viewer_user)
    # token, count, page, then the related records' ids, the parties, their units and the
    # responsible people
    with django_assert_num_queries(7):
        response = client.get(LIST_URL)
    rows = response.json()["results"]
    assert len(rows) == size
    # list rows are summaries: conditions and approvals are read from the detail
    assert "conditions" not in rows[0]
    assert len(client.get(detail_url(Agreement.objects.last())).json()["conditions"]) == 1


def test_the_list_filters_by_type_code_status_partner_and_orders_as_asked(viewer_user, home, agh):
    other = InstitutionFactory(name="Other University")
    mou = active_agreement(home, agh, reference="A-2")
    mou.agreement_type.code = "test-mou"
    mou.agreement_type.save()
    active_agreement(home, other, reference="A-1", status=Status.DRAFT)
    client = api_for(viewer_user)
    assert references(client.get(LIST_URL, {"agreement_type": "test-mou"})) == ["A-2"]
    assert references(client.get(LIST_URL, {"status": "draft"})) == ["A-1"]
    assert references(client.get(LIST_URL, {"partner": str(agh.uuid)})) == ["A-2"]
    assert references(client.get(LIST_URL, {"ordering": "reference"})) == ["A-1", "A-2"]
    assert references(client.get(LIST_URL, {"ordering": "-reference"})) == ["A-2", "A-1"]


def test_an_unknown_type_code_in_the_filter_is_a_field_error(viewer_user, db):
    body = assert_error(api_for(viewer_user).get(LIST_URL, {"agreement_type": "nope"}), 400)
    assert "agreement_type" in body["fields"]


def test_the_detail_shows_parties_conditions_and_approvals(viewer_user, home, engineering, agh):
    agreement = active_agreement(home, agh)
    party = agreement.parties.get(institution=home)
    party.units.set([engineering])
    party.signatory = PersonFactory(institution=home, name_native="Rector")
    party.save()
    SignatureFactory(party=party, signatory_name="Rector", place="Temirtau")
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    SubjectAreaFactory(condition=condition, isced_code="0713", clarification="Metallurgy")
    LanguageRequirementFactory(condition=condition, language="en", cefr_level="B2")
    ApprovalStepFactory(agreement=agreement, name="Legal office", approver=viewer_user)

    body = api_for(viewer_user).get(detail_url(agreement)).json()

    home_party, agh_party = body["parties"]
    assert home_party["units"] == [str(engineering.uuid)]
    assert home_party["signatory"]["id"] == str(party.signatory.uuid)
    assert home_party["signature"]["place"] == "Temirtau"
    assert agh_party["signature"] is None
    [condition_out] = body["conditions"]
    assert condition_out["sending_institution"] == str(home.uuid)
    assert condition_out["subject_areas"] == [{"isced_code": "0713", "clarification": "Metallurgy"}]
    assert condition_out["language_requirements"][0]["cefr_level"] == "B2"
    assert body["approvals"][0]["name"] == "Legal office"
    assert body["approvals"][0]["approver"] == viewer_user.username


def test_the_detail_lists_document_versions_without_their_files(viewer_user, home, agh):
    agreement = active_agreement(home, agh)
    AgreementDocument.objects.create(
        agreement=agreement,
        version=1,
        file="documents/2026/11/stored-name.pdf",
        original_name="Memorandum signed.pdf",
        content_type="application/pdf",
        size=52_100,
        sha256="ab" * 32,
        is_signed_original=True,
        uploaded_by=viewer_user,
    )

    [document] = api_for(viewer_user).get(detail_url(agreement)).json()["documents"]

    assert document["original_name"] == "Memorandum signed.pdf"
    assert document["sha256"] == "ab" * 32
    assert document["size"] == 52_100
    assert document["is_signed_original"] is True
    assert document["uploaded_by"] == viewer_user.username
    assert "stored-name" not in str(document)  # the storage path stays private


def test_a_confidential_agreement_is_not_found_by_outsiders(viewer_user, home, agh):
    agreement = active_agreement(home, agh, is_confidential=True)
    assert_error(api_for(viewer_user).get(detail_url(agreement)), 404, "not_found")
    assert api_for(viewer_user).get(LIST_URL).json()["results"] == []


def test_agreement_types_are_listed_with_their_codes(viewer_user, mou_type):
    response = api_for(viewer_user).get(reverse("api-agreement-type-list"))
    assert response.status_code == 200
    assert "test-mou" in [row["code"] for row in response.json()]


# --- Creation ------------------------------------------------------------------------------------


def test_the_office_creates_a_draft_with_a_new_reference(office_user, mou_type, home, agh):
    unit = UnitFactory(institution=agh)
    response = api_for(office_user).post(
        LIST_URL,
        {
            "agreement_type": "test-mou",
            "title": "Memorandum",
            "title_pl": "Porozumienie",
            "parties": [
                {"institution": str(home.uuid)},
                {"institution": str(agh.uuid), "units": [str(unit.uuid)]},
            ],
            "effective_date": "2026-01-01",
            "expiry_date": "2031-01-01",
            "renewal_years": 5,
            "cooperation_areas": ["student_exchange"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["reference"] == f"TMoU-{TODAY.year}-001"
    assert body["title_pl"] == "Porozumienie"
    assert body["parties"][1]["units"] == [str(unit.uuid)]
    assert Agreement.objects.get(uuid=body["id"]).renewal_years == 5


def test_creation_without_the_home_institution_is_a_field_error(office_user, mou_type, home, agh):
    other = InstitutionFactory()
    response = api_for(office_user).post(
        LIST_URL,
        {
            "agreement_type": "test-mou",
            "title": "Memorandum",
            "parties": [{"institution": str(agh.uuid)}, {"institution": str(other.uuid)}],
        },
        format="json",
    )
    assert "parties" in assert_error(response, 400, "invalid")["fields"]
    assert not Agreement.objects.exists()


def test_a_viewer_may_not_create_agreements(viewer_user, mou_type, home, agh):
    response = api_for(viewer_user).post(
        LIST_URL,
        {
            "agreement_type": "test-mou",
            "title": "Memorandum",
            "parties": [{"institution": str(home.uuid)}, {"institution": str(agh.uuid)}],
        },
        format="json",
    )
    assert_error(response, 403)


def test_agreements_are_never_deleted_through_the_api(office_user, draft):
    # changes: PATCH/PUT (test_api_edits.py); a draft is deleted on its page
    assert api_for(office_user).delete(detail_url(draft)).status_code == 405
    assert Agreement.objects.filter(pk=draft.pk, status=Status.DRAFT).exists()


# --- The lifecycle -------------------------------------------------------------------------------


def test_the_whole_lifecycle_runs_through_the_actions(office_user, approver, draft, home, agh):
    office = api_for(office_user)
    body = office.post(detail_url(draft, "submit")).json()
    assert body["status"] == "in_review"
    step = body["approvals"][0]["id"]

    response = api_for(approver).post(
        detail_url(draft, f"approvals/{step}/decide"), {"approve": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert response.json()["approvals"][0]["decided_by"] == "approver"

    assert office.post(detail_url(draft, "start-signing")).json()["status"] == "signing"
    for institution in (home, agh):
        response = office.post(
            detail_url(draft, "sign"),
            {
                "party": str(institution.uuid),
                "signed_on": TODAY.isoformat(),
                "place": "Kraków",
                "method": "electronic",
                "signatory_name": "Rector",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["parties"][1]["signature"]["method"] == "electronic"

    response = office.post(
        detail_url(draft, "terminate"),
        {"requested_by": str(agh.uuid), "reason": "Programme closed"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["termination_requested_by"] == str(agh.uuid)
    assert response.json()["terminated_on"] is not None


def test_an_illegal_transition_answers_409_and_changes_nothing(office_user, draft):
    body = assert_error(
        api_for(office_user).post(detail_url(draft, "start-signing")), 409, "invalid_transition"
    )
    assert "Draft" in body["detail"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_coordinator_of_other_units_may_read_but_not_act(other_coordinator_user, draft):
    client = api_for(other_coordinator_user)
    assert client.get(detail_url(draft)).json()["reference"] == draft.reference
    assert_error(client.post(detail_url(draft, "submit")), 403)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not draft.approvals.exists()


def test_the_coordinator_of_a_party_unit_submits(coordinator_user, draft):
    response = api_for(coordinator_user).post(detail_url(draft, "submit"))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_review"


def test_an_action_on_an_invisible_agreement_is_not_found(viewer_user, home, agh):
    agreement = active_agreement(home, agh, is_confidential=True)
    assert_error(api_for(viewer_user).post(detail_url(agreement, "submit")), 404)


def test_only_the_person_a_step_is_assigned_to_decides_it(
    approver, office_user, viewer_user, draft
):
    api_for(office_user).post(detail_url(draft, "submit"))
    step = draft.approvals.get()
    url = detail_url(draft, f"approvals/{step.pk}/decide")
    for outsider in (viewer_user, office_user):  # the office too: the route names the approver
        body = assert_error(api_for(outsider).post(url, {"approve": True}, format="json"), 403)
        assert body["detail"] == "Only approver decides “Legal office”."
    step.refresh_from_db()
    assert step.decision == ApprovalDecision.PENDING
    body = api_for(approver).post(url, {"approve": True}, format="json").json()
    assert body["status"] == "approved"
    assert body["approvals"][0]["approver"] == "approver"
    assert body["approvals"][0]["decided_by"] == "approver"
    step.refresh_from_db()
    assert (step.decision, step.decided_by) == (ApprovalDecision.APPROVED, approver)


def test_a_rejection_needs_reasons_and_returns_the_agreement_to_draft(approver, office_user, draft):
    api_for(office_user).post(detail_url(draft, "submit"))
    url = detail_url(draft, f"approvals/{draft.approvals.get().pk}/decide")
    client = api_for(approver)
    body = assert_error(client.post(url, {"approve": False}, format="json"), 400, "invalid")
    assert "comment" in body["fields"]
    response = client.post(url, {"approve": False, "comment": "Wrong dates"}, format="json")
    assert response.json()["status"] == "draft"
    assert response.json()["approvals"][0]["comment"] == "Wrong dates"


def test_a_step_of_another_agreement_is_not_found(office_user, draft, home, agh):
    step = ApprovalStepFactory(agreement=active_agreement(home, agh))
    url = detail_url(draft, f"approvals/{step.pk}/decide")
    assert_error(api_for(office_user).post(url, {"approve": True}, format="json"), 404)


def test_signing_for_an_institution_that_is_no_party_is_a_field_error(office_user, home, agh):
    agreement = active_agreement(home, agh, status=Status.SIGNING)
    response = api_for(office_user).post(
        detail_url(agreement, "sign"),
        {"party": str(InstitutionFactory().uuid), "signed_on": TODAY.isoformat()},
        format="json",
    )
    assert "party" in assert_error(response, 400, "invalid")["fields"]


def test_termination_errors_are_named_as_in_the_request(office_user, home, agh):
    agreement = active_agreement(home, agh)
    response = api_for(office_user).post(
        detail_url(agreement, "terminate"),
        {
            "requested_by": str(InstitutionFactory().uuid),
            "reason": "Closed",
            "requested_on": (TODAY + datetime.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    fields = assert_error(response, 400, "invalid")["fields"]
    assert set(fields) == {"requested_by", "requested_on"}


def test_renewal_answers_the_successor_as_a_new_draft(office_user, home, agh):
    agreement = active_agreement(home, agh)
    response = api_for(office_user).post(
        detail_url(agreement, "renew"),
        {"effective_date": "2030-01-01", "expiry_date": "2034-12-31"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["predecessor"] == str(agreement.uuid)
    assert len(body["parties"]) == 2
    again = api_for(office_user).post(
        detail_url(agreement, "renew"),
        {"effective_date": "2030-01-01", "expiry_date": None},
        format="json",
    )
    assert "already been renewed" in str(assert_error(again, 400, "invalid")["fields"])


# --- Schema --------------------------------------------------------------------------------------


def test_the_schema_describes_agreements_and_their_actions_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    paths = yaml.safe_load(target.read_text())["paths"]
    assert set(paths["/api/v1/agreements/"]) == {"get", "post"}
    assert set(paths["/api/v1/agreements/{id}/"]) == {"get", "put", "patch"}
    assert "409" in paths["/api/v1/agreements/{id}/"]["patch"]["responses"]
    assert set(paths["/api/v1/agreements/{id}/conditions/"]) == {"post"}
    assert set(paths["/api/v1/agreements/{id}/conditions/{condition_id}/"]) == {"patch", "delete"}
    assert set(paths["/api/v1/agreements/{id}/parties/{party_id}/"]) == {"patch"}
    for action in ("submit", "start-signing", "sign", "terminate", "renew"):
        responses = paths[f"/api/v1/agreements/{{id}}/{action}/"]["post"]["responses"]
        assert "409" in responses
    assert "post" in paths["/api/v1/agreements/{id}/approvals/{step}/decide/"]
    assert set(paths["/api/v1/agreement-types/"]) == {"get"}
