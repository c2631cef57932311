"""agreement_update and party_update: the rules of the edit and parties pages, without them."""

import pytest
from django.core.exceptions import ValidationError

from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement, AgreementType
from unibridge.agreements.services import (
    PartyInput,
    agreement_create,
    agreement_update,
    party_update,
)
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory


@pytest.fixture
def draft(office_user, home):
    return agreement_create(
        user=office_user,
        agreement_type=AgreementType.objects.get(code="mou"),
        title="Memorandum",
        parties=[PartyInput(home), PartyInput(InstitutionFactory(name="AGH"))],
    )


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_an_update_writes_only_the_fields_it_names(office_user, draft):
    Agreement.objects.filter(pk=draft.pk).update(notes="another writer's")
    agreement_update(agreement=draft, user=office_user, values={"title": "Renamed"})
    draft.refresh_from_db()
    assert (draft.title, draft.notes) == ("Renamed", "another writer's")


def test_an_agreement_cannot_go_under_one_of_its_own(office_user, home, draft):
    child = agreement_create(
        user=office_user,
        agreement_type=draft.agreement_type,
        title="Under the memorandum",
        parties=[PartyInput(home), PartyInput(InstitutionFactory())],
        parent=draft,
    )
    errors = errors_of(
        lambda: agreement_update(agreement=draft, user=office_user, values={"parent": child})
    )
    assert errors == {
        "parent": ["An agreement cannot be under itself or under one of its own agreements."]
    }


def test_after_the_draft_a_changed_term_is_refused_and_an_unchanged_one_accepted(
    office_user, draft
):
    Agreement.objects.filter(pk=draft.pk).update(status=AgreementStatus.ACTIVE)
    draft.refresh_from_db()
    errors = errors_of(
        lambda: agreement_update(agreement=draft, user=office_user, values={"title": "New"})
    )
    assert list(errors) == ["title"]
    agreement_update(
        agreement=draft, user=office_user, values={"title": "Memorandum", "notes": "fine"}
    )
    draft.refresh_from_db()
    assert (draft.title, draft.notes) == ("Memorandum", "fine")


def test_a_party_takes_only_its_own_institutions_units_and_people(office_user, home, draft):
    party = draft.parties.exclude(institution=home).get()
    errors = errors_of(
        lambda: party_update(
            party=party,
            user=office_user,
            units=[UnitFactory(institution=home)],
            signatory=PersonFactory(institution=home),
        )
    )
    assert set(errors) == {"units", "signatory"}
    assert party.units.count() == 0
