"""Bulk actions of the agreements list: status changes and responsible people, through the
lifecycle and edit services, only on the agreements the user may change."""

import datetime

import pytest
from django.utils import timezone

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus as Status
from unibridge.agreements.models import Agreement
from unibridge.agreements.services import agreement_create
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory

from .factories import AgreementTypeFactory, RouteStepFactory

TODAY = timezone.localdate()


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="Akademia Górniczo-Hutnicza", name_en="AGH University")


@pytest.fixture
def mou_type(db):
    agreement_type = AgreementTypeFactory(code="bulk-mou", reference_prefix="BMoU")
    RouteStepFactory(
        agreement_type=agreement_type,
        order=1,
        name="Legal office",
        approver=UserFactory(username="legal", role=Role.VIEWER),
    )
    return agreement_type


def draft(user, agreement_type, home, partner, units):
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title="Memorandum of cooperation",
        parties=[(home, units, None, ""), (partner, (), None, "")],
        effective_date=TODAY - datetime.timedelta(days=10),
        expiry_date=TODAY + datetime.timedelta(days=365),
    )


def post(client, agreements, **data):
    return client.post(
        "/agreements/",
        {"selected": [str(a.uuid) for a in agreements], **data},
        follow=True,
    )


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_office_submits_several_drafts_at_once(office_client, office_user, mou_type, home, agh):
    drafts = [draft(office_user, mou_type, home, agh, []) for _ in range(3)]
    response = post(office_client, drafts, action="status", value_status="submit")
    assert response.redirect_chain[0] == ("/agreements/", 303)
    assert {a.status for a in Agreement.objects.all()} == {Status.IN_REVIEW}
    assert page_messages(response) == ["3 agreements submitted for approval."]
    # each one went through the service: a review round with the route's step
    assert all(a.approvals.count() == 1 for a in Agreement.objects.all())


def test_agreements_the_user_may_not_change_are_skipped_and_named(
    coordinator_client, office_user, mou_type, home, agh, engineering, economics
):
    own = [draft(office_user, mou_type, home, agh, [engineering]) for _ in range(3)]
    other = draft(office_user, mou_type, home, agh, [economics])
    response = post(coordinator_client, [*own, other], action="status", value_status="submit")
    assert page_messages(response) == [
        "3 agreements submitted for approval.",
        "1 skipped: you may not edit it.",
    ]
    other.refresh_from_db()
    assert other.status == Status.DRAFT
    assert Agreement.objects.filter(status=Status.IN_REVIEW).count() == 3


def test_a_status_the_agreement_cannot_take_is_skipped_with_the_reason(
    office_client, office_user, mou_type, home, agh
):
    waiting = draft(office_user, mou_type, home, agh, [])
    approved = draft(office_user, mou_type, home, agh, [])
    Agreement.objects.filter(pk=approved.pk).update(status=Status.APPROVED)
    response = post(
        office_client, [waiting, approved], action="status", value_status="start_signing"
    )
    messages = page_messages(response)
    assert messages[0] == "1 agreement moved to Signing."
    assert messages[1] == (
        f"{waiting} skipped: Sending for signature is not possible while the agreement is “Draft”."
    )
    waiting.refresh_from_db()
    assert waiting.status == Status.DRAFT
    assert Agreement.objects.get(pk=approved.pk).status == Status.SIGNING


def test_a_viewer_changes_nothing(viewer_client, office_user, mou_type, home, agh):
    drafts = [draft(office_user, mou_type, home, agh, []) for _ in range(2)]
    response = post(viewer_client, drafts, action="status", value_status="submit")
    assert page_messages(response) == ["2 skipped: you may not edit them."]
    assert {a.status for a in Agreement.objects.all()} == {Status.DRAFT}


def test_a_status_change_needs_the_new_status(office_client, office_user, mou_type, home, agh):
    drafts = [draft(office_user, mou_type, home, agh, [])]
    response = post(office_client, drafts, action="status")
    assert page_messages(response) == ["Choose what to apply to the selected rows."]
    assert Agreement.objects.get().status == Status.DRAFT


def test_assigning_a_responsible_person_keeps_the_others(
    office_client, office_user, mou_type, home, agh
):
    anna = PersonFactory(name_native="Анна Иванова", institution=home)
    boris = PersonFactory(name_native="Борис Ким", institution=home)
    first, second = (draft(office_user, mou_type, home, agh, []) for _ in range(2))
    first.responsible_people.set([anna])
    response = post(
        office_client, [first, second], action="responsible", value_responsible=str(boris.pk)
    )
    assert page_messages(response) == ["Борис Ким is now responsible for 2 agreements."]
    assert set(first.responsible_people.all()) == {anna, boris}
    assert set(second.responsible_people.all()) == {boris}


def test_the_list_offers_the_bulk_actions_and_their_values(
    office_client, office_user, mou_type, home, agh
):
    PersonFactory(name_native="Анна Иванова", institution=home)
    draft(office_user, mou_type, home, agh, [])
    content = office_client.get("/agreements/").content.decode()
    assert '<option value="status">Change status</option>' in content
    assert '<option value="responsible">Assign responsible person</option>' in content
    assert 'data-bulk-value="responsible"' in content
    # the people are looked up as one types, not all rendered with the page
    assert 'data-options-url="/people/pick/"' in content and "Анна Иванова" not in content
    assert "Export selected as CSV" in content


def test_the_responsible_person_is_found_by_typing(office_client, home, agh):
    PersonFactory(name_native="Анна Иванова", name_latin="Anna Ivanova", institution=home)
    PersonFactory(name_native="Anna Partner", institution=agh)  # not of the home institution
    found = office_client.get("/people/pick/", {"q": "Ann", "format": "json"}).json()
    assert [person["text"] for person in found["results"]] == ["Анна Иванова"]
