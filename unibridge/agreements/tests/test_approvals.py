"""Who decides an approval step: duties and people, the same-person rule, signature dates.

Services first, then what the agreement's page and the API say about the same rules.
"""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from unibridge.accounts.tests.factories import DutyFactory, DutyHolderFactory, UserFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.lifecycle_services import (
    agreement_start_signing,
    agreement_submit,
    approval_decide,
    signature_record,
)
from unibridge.agreements.models import ApprovalRouteStep, Signature
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.core.cldr import format_date
from unibridge.institutions.tests.factories import InstitutionFactory

from .factories import AgreementTypeFactory, ApprovalStepFactory, RouteStepFactory

Status = AgreementStatus
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University")


@pytest.fixture
def head_duty(db):
    return DutyFactory(code="head", name="Head of unit", per_unit=True)


@pytest.fixture
def legal_duty(db):
    return DutyFactory(code="legal", name="Legal office")


@pytest.fixture
def dean(engineering, head_duty):
    """Heads the Faculty of Engineering, and so the departments under it."""
    user = UserFactory(username="dean", first_name="Nurlan", last_name="Akhmetov")
    DutyHolderFactory(duty=head_duty, user=user, unit=engineering)
    return user


@pytest.fixture
def lawyer(legal_duty):
    user = UserFactory(username="lawyer", first_name="Saule", last_name="Kasymova")
    DutyHolderFactory(duty=legal_duty, user=user)
    return user


@pytest.fixture
def routed(head_duty, legal_duty):
    agreement_type = AgreementTypeFactory(code="routed", reference_prefix="R")
    RouteStepFactory(agreement_type=agreement_type, order=1, name="Head of unit", duty=head_duty)
    RouteStepFactory(agreement_type=agreement_type, order=2, name="Legal office", duty=legal_duty)
    return agreement_type


def make(user, agreement_type, home, partner, units=(), **fields):
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title="Memorandum",
        parties=[PartyInput(home, units), PartyInput(partner)],
        effective_date=fields.pop("effective_date", TODAY - 30 * DAY),
        expiry_date=fields.pop("expiry_date", TODAY + 365 * DAY),
        **fields,
    )


@pytest.fixture
def in_review(office_user, routed, home, agh, engineering_department, dean, lawyer):
    """A department's agreement under review: the dean heads the faculty above it."""
    agreement = make(office_user, routed, home, agh, units=[engineering_department])
    agreement_submit(agreement=agreement, user=office_user)
    return agreement


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def decide_url(agreement, step) -> str:
    return f"/agreements/{agreement.uuid}/approvals/{step.pk}/decide/"


# --- Assignment ----------------------------------------------------------------------------------


def test_submission_copies_each_steps_duty_or_person_into_the_round(in_review, head_duty):
    steps = list(in_review.approvals.order_by("order"))
    assert [(s.name, s.duty, s.approver) for s in steps] == [
        ("Head of unit", head_duty, None),
        ("Legal office", steps[1].duty, None),
    ]
    assert steps[1].duty.code == "legal"


def test_the_head_of_the_unit_above_the_agreements_unit_decides_the_head_of_unit_step(
    in_review, dean, economics, head_duty
):
    other_dean = UserFactory(username="economist", first_name="Gulnara", last_name="Sadykova")
    DutyHolderFactory(duty=head_duty, user=other_dean, unit=economics)
    first = in_review.approvals.get(order=1)
    with pytest.raises(PermissionDenied) as refused:
        approval_decide(step=first, user=other_dean, approve=True)
    assert str(refused.value) == (
        "Only Head of unit of Department of Metallurgy (Nurlan Akhmetov) decides “Head of "
        "unit”; you do not hold this duty."
    )
    approval_decide(step=first, user=dean, approve=True)
    first.refresh_from_db()
    assert (first.decision, first.decided_by) == (ApprovalDecision.APPROVED, dean)


def test_any_holder_of_a_duty_decides_its_step(in_review, dean, legal_duty):
    second_lawyer = UserFactory(username="lawyer2")
    DutyHolderFactory(duty=legal_duty, user=second_lawyer)
    approval_decide(step=in_review.approvals.get(order=1), user=dean, approve=True)
    approval_decide(step=in_review.approvals.get(order=2), user=second_lawyer, approve=True)
    in_review.refresh_from_db()
    assert in_review.status == Status.APPROVED


def test_the_international_office_decides_no_step_it_is_not_assigned(in_review, office_user):
    with pytest.raises(PermissionDenied, match="you do not hold this duty"):
        approval_decide(step=in_review.approvals.get(order=1), user=office_user, approve=True)
    assert in_review.approvals.filter(decision=ApprovalDecision.PENDING).count() == 2


def test_a_new_holder_decides_the_steps_waiting_for_the_duty(in_review, dean, lawyer, legal_duty):
    approval_decide(step=in_review.approvals.get(order=1), user=dean, approve=True)
    lawyer.duties.all().delete()  # the lawyer leaves; a successor takes the duty over
    successor = UserFactory(username="successor")
    DutyHolderFactory(duty=legal_duty, user=successor)
    second = in_review.approvals.get(order=2)
    with pytest.raises(PermissionDenied):
        approval_decide(step=second, user=lawyer, approve=True)
    approval_decide(step=second, user=successor, approve=True)


def test_a_closed_account_decides_nothing(in_review, dean):
    dean.is_active = False
    dean.save()
    with pytest.raises(PermissionDenied):
        approval_decide(step=in_review.approvals.get(order=1), user=dean, approve=True)


def test_submission_is_refused_naming_each_step_nobody_could_decide(
    office_user, routed, home, agh, engineering
):
    agreement = make(office_user, routed, home, agh, units=[engineering])
    with pytest.raises(ValidationError) as refused:
        agreement_submit(agreement=agreement, user=office_user)
    assert refused.value.messages == [
        "Nobody holds “Head of unit of Faculty of Engineering” for “Head of unit”: the "
        "administrator assigns it first.",
        "Nobody holds “Legal office” for “Legal office”: the administrator assigns it first.",
    ]
    agreement.refresh_from_db()
    assert agreement.status == Status.DRAFT and not agreement.approvals.exists()


def test_a_head_of_unit_step_needs_a_home_unit(office_user, routed, home, agh, dean, lawyer):
    agreement = make(office_user, routed, home, agh)
    with pytest.raises(ValidationError) as refused:
        agreement_submit(agreement=agreement, user=office_user)
    assert refused.value.messages == [
        "“Head of unit” is decided by the Head of unit of the agreement's unit: add the home "
        "unit to the parties first."
    ]


def test_a_route_step_names_a_duty_or_a_person_never_neither(routed):
    step = ApprovalRouteStep(agreement_type=routed, order=3, name="Rector")
    with pytest.raises(ValidationError, match="either to a duty or to one person"):
        step.full_clean()


# --- One person, one approval per round ----------------------------------------------------------


@pytest.fixture
def both_duties(dean, legal_duty):
    """The dean also holds the legal office."""
    DutyHolderFactory(duty=legal_duty, user=dean)
    return dean


def test_one_person_cannot_approve_two_steps_of_a_round(in_review, both_duties, lawyer):
    approval_decide(step=in_review.approvals.get(order=1), user=both_duties, approve=True)
    second = in_review.approvals.get(order=2)
    with pytest.raises(PermissionDenied) as refused:
        approval_decide(step=second, user=both_duties, approve=True)
    assert str(refused.value) == (
        "You approved “Head of unit” in this review round: another person approves “Legal office”."
    )
    approval_decide(step=second, user=lawyer, approve=True)
    in_review.refresh_from_db()
    assert in_review.status == Status.APPROVED


def test_the_same_person_may_still_reject_a_later_step(in_review, both_duties):
    approval_decide(step=in_review.approvals.get(order=1), user=both_duties, approve=True)
    approval_decide(
        step=in_review.approvals.get(order=2), user=both_duties, approve=False, comment="Annex 2"
    )
    in_review.refresh_from_db()
    assert in_review.status == Status.DRAFT


def test_the_type_may_let_one_person_approve_several_steps(in_review, both_duties, routed):
    routed.route_allows_same_approver = True
    routed.save()
    approval_decide(step=in_review.approvals.get(order=1), user=both_duties, approve=True)
    approval_decide(step=in_review.approvals.get(order=2), user=both_duties, approve=True)
    in_review.refresh_from_db()
    assert in_review.status == Status.APPROVED


def test_a_new_round_starts_the_same_person_rule_afresh(in_review, both_duties, office_user):
    approval_decide(step=in_review.approvals.get(order=1), user=both_duties, approve=True)
    approval_decide(
        step=in_review.approvals.get(order=2), user=both_duties, approve=False, comment="Annex"
    )
    agreement_submit(agreement=in_review, user=office_user)
    approval_decide(step=in_review.approvals.get(round=2, order=1), user=both_duties, approve=True)


# --- The data migration --------------------------------------------------------------------------


def test_the_migration_assigns_steps_by_their_route_step_or_their_name(office_user, home, agh):
    migration = importlib.import_module("unibridge.agreements.migrations.0007_approval_assignments")
    duty_model = django_apps.get_model("accounts", "Duty")
    legal = duty_model.objects.get(code="legal-office")  # created by accounts 0004
    assert migration.duty_for(duty_model, "Legal office") == legal
    assert migration.duty_for(duty_model, "vice-rector").code == "vice-rector-international"
    finance = migration.duty_for(duty_model, "Finance department")
    assert (finance.code, finance.name) == ("finance-department", "Finance department")

    agreement_type = AgreementTypeFactory()
    RouteStepFactory(agreement_type=agreement_type, order=1, name="Legal office", duty=legal)
    agreement = make(office_user, agreement_type, home, agh)
    by_route = ApprovalStepFactory(agreement=agreement, order=1, name="Legal office")
    by_name = ApprovalStepFactory(agreement=agreement, order=2, name="Finance department")
    migration.assign_steps(django_apps, None)
    by_route.refresh_from_db()
    by_name.refresh_from_db()
    assert (by_route.duty, by_name.duty) == (legal, finance)


# --- Signature dates -----------------------------------------------------------------------------


@pytest.fixture
def quick_type(db):
    return AgreementTypeFactory(code="quick", reference_prefix="Q")


@pytest.fixture
def sent_last_week(office_user, quick_type, home, agh):
    agreement = make(office_user, quick_type, home, agh, effective_date=None, expiry_date=None)
    agreement_submit(agreement=agreement, user=office_user)
    agreement_start_signing(agreement=agreement, user=office_user, sent_on=TODAY - 7 * DAY)
    return agreement


def test_a_signature_cannot_be_dated_before_the_agreement_was_sent(sent_last_week, office_user):
    with pytest.raises(ValidationError) as refused:
        signature_record(
            party=sent_last_week.parties.first(),
            user=office_user,
            signed_on=TODAY - 8 * DAY,
            signatory_name="Rector",
        )
    assert refused.value.message_dict == {
        "signed_on": [
            "A signature cannot be dated before the agreement was sent for signature, on "
            f"{format_date(TODAY - 7 * DAY)}."
        ]
    }
    assert not Signature.objects.exists()


def test_a_signature_cannot_be_dated_after_today(sent_last_week, office_user):
    with pytest.raises(ValidationError) as refused:
        signature_record(
            party=sent_last_week.parties.first(),
            user=office_user,
            signed_on=TODAY + DAY,
            signatory_name="Rector",
        )
    assert refused.value.message_dict == {
        "signed_on": [f"A signature cannot be dated in the future (today is {format_date(TODAY)})."]
    }


def test_a_signature_from_the_day_it_was_sent_to_today_is_recorded(sent_last_week, office_user):
    first, second = sent_last_week.parties.all()
    signature_record(party=first, user=office_user, signed_on=TODAY - 7 * DAY, signatory_name="A")
    signature_record(party=second, user=office_user, signed_on=TODAY, signatory_name="B")
    sent_last_week.refresh_from_db()
    assert sent_last_week.status == Status.ACTIVE
    assert sent_last_week.effective_date == TODAY


def test_an_agreement_cannot_be_sent_for_signature_in_the_future(
    office_user, quick_type, home, agh
):
    agreement = make(office_user, quick_type, home, agh)
    agreement_submit(agreement=agreement, user=office_user)
    with pytest.raises(ValidationError, match="cannot be sent for signature in the future"):
        agreement_start_signing(agreement=agreement, user=office_user, sent_on=TODAY + DAY)
    agreement.refresh_from_db()
    assert agreement.status == Status.APPROVED


def test_the_signature_page_shows_a_date_before_sending_as_its_fields_error(
    sent_last_week, office_client
):
    party = sent_last_week.parties.first()
    url = f"/agreements/{sent_last_week.uuid}/parties/{party.pk}/sign/"
    page = office_client.get(url).content.decode()
    assert f'min="{(TODAY - 7 * DAY).isoformat()}"' in page
    assert f'max="{TODAY.isoformat()}"' in page
    response = office_client.post(
        url,
        {"signatory_name": "Rector", "signed_on": (TODAY - 9 * DAY).isoformat(), "method": "ink"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["signed_on"] == [
        "A signature cannot be dated before the agreement was sent for signature, on "
        f"{format_date(TODAY - 7 * DAY)}."
    ]
    assert not Signature.objects.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-9, "A signature cannot be dated before the agreement was sent for signature"),
        (1, "A signature cannot be dated in the future"),
    ],
)
def test_the_api_answers_a_bad_signature_date_400_at_its_field(
    sent_last_week, office_user, agh, days, message
):
    response = api_for(office_user).post(
        f"/api/v1/agreements/{sent_last_week.uuid}/sign/",
        {"party": str(agh.uuid), "signed_on": (TODAY + days * DAY).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    [error] = response.json()["fields"]["signed_on"]
    assert error.startswith(message)
    assert not Signature.objects.exists()


# --- The page and the API --------------------------------------------------------------------


def test_the_approvals_tab_says_who_each_step_is_assigned_to_and_who_decided_when(
    in_review, dean, lawyer
):
    approval_decide(step=in_review.approvals.get(order=1), user=dean, approve=True)
    page = client_for(lawyer).get(f"{in_review.get_absolute_url()}approvals/").content.decode()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    first, second = rows
    assert "Head of unit of Department of Metallurgy" in first
    assert "Nurlan Akhmetov, <time" in first  # decided by, then when
    assert "Legal office (Saule Kasymova)" in second
    assert "<td>—</td>" in second  # not decided yet


def test_the_page_offers_the_decision_only_to_those_the_step_waits_for(
    in_review, dean, lawyer, office_client
):
    first = in_review.approvals.get(order=1)
    waiting = (
        "Waiting for Head of unit of Department of Metallurgy (Nurlan Akhmetov) to decide "
        "step 1, “Head of unit”."
    )
    for client in (office_client, client_for(lawyer)):
        page = client.get(f"{in_review.get_absolute_url()}approvals/").content.decode()
        assert waiting in page
        assert decide_url(in_review, first) not in page
    page = client_for(dean).get(f"{in_review.get_absolute_url()}approvals/").content.decode()
    assert "Your decision: step 1, “Head of unit”." in page
    assert decide_url(in_review, first) in page


def test_a_decision_by_someone_else_is_refused_403_with_the_reason(in_review, office_client):
    first = in_review.approvals.get(order=1)
    response = office_client.post(decide_url(in_review, first), {"decision": "approve"})
    assert response.status_code == 403
    assert "Only Head of unit of Department of Metallurgy (Nurlan Akhmetov) decides" in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.decision == ApprovalDecision.PENDING


def test_the_page_tells_a_holder_of_two_duties_why_they_wait(in_review, both_duties):
    client = client_for(both_duties)
    client.post(decide_url(in_review, in_review.approvals.get(order=1)), {"decision": "approve"})
    page = client.get(f"{in_review.get_absolute_url()}approvals/").content.decode()
    assert "Waiting for Legal office (Nurlan Akhmetov, Saule Kasymova) to decide step 2" in page
    assert "You approved “Head of unit” in this review round: another person approves" in page
    assert "/decide/" not in page


def test_the_api_applies_the_same_rules_with_specific_reasons(in_review, both_duties, lawyer):
    first, second = in_review.approvals.order_by("order")
    url = f"/api/v1/agreements/{in_review.uuid}/approvals/{{}}/decide/"
    response = api_for(lawyer).post(url.format(first.pk), {"approve": True}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Only Head of unit of Department of Metallurgy")
    response = api_for(both_duties).post(url.format(first.pk), {"approve": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert [(s["duty"], s["decided_by"]) for s in body["approvals"]] == [
        ("head", "dean"),
        ("legal", None),
    ]
    response = api_for(both_duties).post(url.format(second.pk), {"approve": True}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "You approved “Head of unit” in this review round: another person approves “Legal office”."
    )
    response = api_for(lawyer).post(url.format(second.pk), {"approve": True}, format="json")
    assert response.json()["status"] == "approved"
