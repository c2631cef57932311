"""The lifecycle buttons of the agreement page: each action, its refusals and who sees it."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.lifecycle_services import (
    agreement_start_signing,
    agreement_submit,
    signature_record,
)
from unibridge.agreements.models import Agreement, Signature
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.institutions.tests.factories import InstitutionFactory

from .factories import AgreementTypeFactory, RouteStepFactory

Status = AgreementStatus
TODAY = timezone.localdate()


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University")


@pytest.fixture
def approver(db):
    return UserFactory(username="legal", role=Role.VIEWER)


@pytest.fixture
def approver_client(approver):
    client = Client()
    client.force_login(approver)
    return client


@pytest.fixture
def vice_rector(db):
    return UserFactory(username="vice", first_name="Aigul", last_name="Zhumabekova")


@pytest.fixture
def vice_rector_client(vice_rector):
    client = Client()
    client.force_login(vice_rector)
    return client


@pytest.fixture
def routed_type(approver, vice_rector):
    agreement_type = AgreementTypeFactory(code="routed", reference_prefix="R")
    RouteStepFactory(agreement_type=agreement_type, order=1, name="Legal office", approver=approver)
    RouteStepFactory(
        agreement_type=agreement_type, order=2, name="Vice-rector", approver=vice_rector
    )
    return agreement_type


@pytest.fixture
def quick_type(db):
    return AgreementTypeFactory(code="quick", reference_prefix="Q")


def make(user, home, partner, agreement_type, **fields) -> Agreement:
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title="Memorandum",
        parties=[PartyInput(home), PartyInput(partner)],
        **fields,
    )


def signing(user, home, partner, agreement_type, **fields) -> Agreement:
    agreement = make(user, home, partner, agreement_type, **fields)
    agreement_submit(agreement=agreement, user=user)
    agreement_start_signing(agreement=agreement, user=user)
    return agreement


def active(user, home, partner, agreement_type, **fields) -> Agreement:
    agreement = signing(user, home, partner, agreement_type, **fields)
    for party in agreement.parties.all():
        signature_record(party=party, user=user, signed_on=TODAY, signatory_name="Rector")
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    return agreement


def url(agreement: Agreement, action: str) -> str:
    return f"/agreements/{agreement.uuid}/{action}/"


# --- Review --------------------------------------------------------------------------------------


def test_submit_sends_a_draft_for_approval(office_client, office_user, home, agh, routed_type):
    agreement = make(office_user, home, agh, routed_type)
    page = office_client.get(agreement.get_absolute_url()).content.decode()
    assert url(agreement, "submit") in page
    response = office_client.post(url(agreement, "submit"))
    assert response.status_code == 303
    agreement.refresh_from_db()
    assert agreement.status == Status.IN_REVIEW
    assert agreement.approvals.count() == 2


def test_submitting_twice_is_refused_with_the_reason(
    office_client, office_user, home, agh, routed_type
):
    agreement = make(office_user, home, agh, routed_type)
    agreement_submit(agreement=agreement, user=office_user)
    response = office_client.post(url(agreement, "submit"))
    assert response.status_code == 409
    assert "Submission for approval is not possible while the agreement is “In review”" in (
        response.content.decode()
    )
    assert agreement.approvals.count() == 2


def test_the_approver_approves_their_step(approver_client, office_user, home, agh, routed_type):
    agreement = make(office_user, home, agh, routed_type)
    agreement_submit(agreement=agreement, user=office_user)
    first, second = agreement.approvals.order_by("order")
    page = approver_client.get(url(agreement, "approvals")).content.decode()
    assert f"/approvals/{first.pk}/decide/" in page
    response = approver_client.post(
        f"/agreements/{agreement.uuid}/approvals/{first.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 303
    first.refresh_from_db()
    assert first.decision == ApprovalDecision.APPROVED
    # the next step is the vice-rector's: the legal office neither sees its buttons nor decides
    page = approver_client.get(url(agreement, "approvals")).content.decode()
    assert f"/approvals/{second.pk}/decide/" not in page
    assert "Waiting for Aigul Zhumabekova to decide step 2, “Vice-rector”." in page
    response = approver_client.post(
        f"/agreements/{agreement.uuid}/approvals/{second.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 403
    assert "Only Aigul Zhumabekova decides “Vice-rector”." in response.content.decode()
    second.refresh_from_db()
    assert second.decision == ApprovalDecision.PENDING


def test_a_rejection_needs_reasons_and_returns_the_agreement_to_draft(
    approver_client, office_user, home, agh, routed_type
):
    agreement = make(office_user, home, agh, routed_type)
    agreement_submit(agreement=agreement, user=office_user)
    step = agreement.approvals.order_by("order").first()
    decide = f"/agreements/{agreement.uuid}/approvals/{step.pk}/decide/"
    response = approver_client.post(decide, {"decision": "reject", "comment": " "})
    assert response.status_code == 400
    assert "Give the reasons for the rejection." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == Status.IN_REVIEW

    response = approver_client.post(decide, {"decision": "reject", "comment": "Wrong partner name"})
    assert response.status_code == 303
    agreement.refresh_from_db()
    step.refresh_from_db()
    assert (agreement.status, step.comment) == (Status.DRAFT, "Wrong partner name")


def test_a_later_step_cannot_be_decided_first(
    vice_rector_client, office_user, home, agh, routed_type
):
    agreement = make(office_user, home, agh, routed_type)
    agreement_submit(agreement=agreement, user=office_user)
    second = agreement.approvals.order_by("order").last()
    response = vice_rector_client.post(
        f"/agreements/{agreement.uuid}/approvals/{second.pk}/decide/", {"decision": "approve"}
    )
    assert response.status_code == 400
    assert "must be decided before" in response.content.decode()


# --- Signing -------------------------------------------------------------------------------------


def test_start_signing_then_record_each_signature(
    office_client, office_user, home, agh, quick_type
):
    agreement = make(office_user, home, agh, quick_type)
    agreement_submit(agreement=agreement, user=office_user)
    assert (
        url(agreement, "start-signing")
        in office_client.get(agreement.get_absolute_url()).content.decode()
    )
    assert office_client.post(url(agreement, "start-signing")).status_code == 303
    agreement.refresh_from_db()
    assert agreement.status == Status.SIGNING

    for party in agreement.parties.all():
        sign_url = f"/agreements/{agreement.uuid}/parties/{party.pk}/sign/"
        assert office_client.get(sign_url).status_code == 200
        response = office_client.post(
            sign_url,
            {
                "signatory_name": "Jan Kowalski",
                "signatory_position": "Rector",
                "signed_on": TODAY.isoformat(),
                "place": "Kraków",
                "method": "ink",
            },
        )
        assert response.status_code == 303
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE
    signature = Signature.objects.filter(party__agreement=agreement).first()
    assert (signature.signatory_name, signature.place) == ("Jan Kowalski", "Kraków")


def test_signing_a_draft_is_refused_and_changes_nothing(
    office_client, office_user, home, agh, quick_type
):
    agreement = make(office_user, home, agh, quick_type)
    party = agreement.parties.first()
    response = office_client.post(
        f"/agreements/{agreement.uuid}/parties/{party.pk}/sign/",
        {"signatory_name": "X", "signed_on": TODAY.isoformat(), "method": "ink"},
    )
    assert response.status_code == 409
    assert "Recording a signature is not possible while the agreement is “Draft”" in (
        response.content.decode()
    )
    assert not Signature.objects.exists()
    agreement.refresh_from_db()
    assert agreement.status == Status.DRAFT


def test_a_signature_in_the_future_is_refused_at_its_field(
    office_client, office_user, home, agh, quick_type
):
    agreement = signing(office_user, home, agh, quick_type)
    party = agreement.parties.first()
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = office_client.post(
        f"/agreements/{agreement.uuid}/parties/{party.pk}/sign/",
        {"signatory_name": "X", "signed_on": tomorrow.isoformat(), "method": "ink"},
    )
    assert response.status_code == 400
    [error] = response.context["form"].errors["signed_on"]
    assert error.startswith("A signature cannot be dated in the future (today is ")
    assert not Signature.objects.exists()


# --- Termination and renewal ---------------------------------------------------------------------


def test_terminate_records_the_notice(office_client, office_user, home, agh, quick_type):
    agreement = active(office_user, home, agh, quick_type, notice_days=30)
    assert (
        url(agreement, "terminate")
        in office_client.get(agreement.get_absolute_url()).content.decode()
    )
    response = office_client.post(
        url(agreement, "terminate"),
        {"requested_by": agh.pk, "requested_on": TODAY.isoformat(), "reason": "Merger"},
    )
    assert response.status_code == 303
    agreement.refresh_from_db()
    assert agreement.termination_requested_by == agh
    assert agreement.terminated_on == TODAY + datetime.timedelta(days=30)
    assert agreement.termination_reason == "Merger"


def test_terminating_a_draft_is_refused(office_client, office_user, home, agh, quick_type):
    agreement = make(office_user, home, agh, quick_type)
    data = {"requested_by": agh.pk, "requested_on": TODAY.isoformat(), "reason": "Merger"}
    response = office_client.post(url(agreement, "terminate"), data)
    assert response.status_code == 409
    assert "Termination is not possible while the agreement is “Draft”" in (
        response.content.decode()
    )
    agreement.refresh_from_db()
    assert agreement.terminated_on is None


def test_a_termination_needs_a_reason(office_client, office_user, home, agh, quick_type):
    agreement = active(office_user, home, agh, quick_type)
    response = office_client.post(
        url(agreement, "terminate"), {"requested_by": agh.pk, "requested_on": TODAY.isoformat()}
    )
    assert response.status_code == 400
    assert "This field is required." in response.context["form"].errors["reason"]


def test_renew_creates_the_successor_draft_and_shows_it(
    office_client, office_user, home, agh, quick_type
):
    agreement = active(office_user, home, agh, quick_type)
    start = TODAY + datetime.timedelta(days=365)
    response = office_client.post(
        url(agreement, "renew"), {"effective_date": start.isoformat(), "expiry_date": ""}
    )
    successor = Agreement.objects.get(predecessor=agreement)
    assert response.status_code == 303
    assert response["Location"] == successor.get_absolute_url()
    assert (successor.status, successor.effective_date, successor.expiry_date) == (
        Status.DRAFT,
        start,
        None,
    )
    # renewed once: the button is gone and a second renewal is refused
    assert (
        url(agreement, "renew")
        not in office_client.get(agreement.get_absolute_url()).content.decode()
    )
    response = office_client.post(
        url(agreement, "renew"), {"effective_date": "", "expiry_date": ""}
    )
    assert response.status_code == 400
    assert "This agreement has already been renewed." in response.content.decode()
    assert Agreement.objects.filter(predecessor=agreement).count() == 1


def test_renewing_a_draft_is_refused(office_client, office_user, home, agh, quick_type):
    agreement = make(office_user, home, agh, quick_type)
    response = office_client.post(url(agreement, "renew"), {"effective_date": ""})
    assert response.status_code == 409
    assert Agreement.objects.count() == 1


# --- Who may press the buttons -------------------------------------------------------------------


def test_viewers_see_no_buttons_and_may_not_post(viewer_client, office_user, home, agh, quick_type):
    draft = make(office_user, home, agh, quick_type)
    live = active(office_user, home, agh, quick_type)
    assert url(draft, "submit") not in viewer_client.get(draft.get_absolute_url()).content.decode()
    page = viewer_client.get(live.get_absolute_url()).content.decode()
    assert url(live, "terminate") not in page and url(live, "renew") not in page
    assert viewer_client.post(url(draft, "submit")).status_code == 403
    assert viewer_client.post(url(live, "terminate"), {"reason": "x"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_coordinator_of_another_unit_may_not_act(
    other_coordinator_user, office_user, home, engineering, agh, quick_type
):
    agreement = agreement_create(
        user=office_user,
        agreement_type=quick_type,
        title="Engineering memorandum",
        parties=[PartyInput(home, [engineering]), PartyInput(agh)],
    )
    client = Client()
    client.force_login(other_coordinator_user)
    assert url(agreement, "submit") not in client.get(agreement.get_absolute_url()).content.decode()
    assert client.post(url(agreement, "submit")).status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == Status.DRAFT


def test_the_unit_coordinator_submits_their_agreement(
    coordinator_client, office_user, home, engineering, agh, quick_type
):
    agreement = agreement_create(
        user=office_user,
        agreement_type=quick_type,
        title="Engineering memorandum",
        parties=[PartyInput(home, [engineering]), PartyInput(agh)],
    )
    assert coordinator_client.post(url(agreement, "submit")).status_code == 303
    agreement.refresh_from_db()
    assert agreement.status == Status.APPROVED


def test_actions_on_hidden_agreements_answer_404(viewer_client, office_user, home, agh, quick_type):
    secret = make(office_user, home, agh, quick_type, is_confidential=True)
    assert viewer_client.post(url(secret, "submit")).status_code == 404
    assert viewer_client.get(url(secret, "renew")).status_code == 404


def test_actions_answer_only_post_where_they_have_no_page(
    office_client, office_user, home, agh, quick_type
):
    agreement = make(office_user, home, agh, quick_type)
    assert office_client.get(url(agreement, "submit")).status_code == 405
    assert office_client.get(url(agreement, "start-signing")).status_code == 405
