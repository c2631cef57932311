"""Merging an institution recorded twice: every relation moves, clashes merge, pages for admins."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from unibridge.agreements.models import AgreementParty, Signature
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    SignatureFactory,
)
from unibridge.core import search
from unibridge.core.testing import messages_of
from unibridge.institutions import merging
from unibridge.institutions.merging import institution_merge
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from unibridge.meetings.models import ActionItem, Meeting
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.models import Visit
from unibridge.visits.tests.factories import VisitFactory


@pytest.fixture
def pair(home, engineering, economics):
    """Samarkand recorded twice, each with units, people, a partnership, parties and visits."""
    kept = InstitutionFactory(
        name="Samarkand State University",
        name_en="Samarkand State University",
        country="UZ",
        city="",
        acronym="",
        email_domains=["samdu.uz"],
        erasmus_code=None,
    )
    merged = InstitutionFactory(
        name="Samarkand State University, Uzbekistan",
        name_en="",
        name_ru="Самаркандский государственный университет",
        country="UZ",
        city="Samarkand",
        acronym="SamSU",
        email_domains=["samdu.uz", "stud.samdu.uz"],
        hei_id="samdu.uz",
        notes="Entered from the 2025 register.",
    )
    return {
        "kept": kept,
        "merged": merged,
        "home": home,
        "engineering": engineering,
        "economics": economics,
    }


def fill(pair):
    """Records of both kinds on the merged institution, and clashes with the kept one."""
    kept, merged, home = pair["kept"], pair["merged"], pair["home"]
    UnitFactory(institution=kept, name="Physics", ewp_ounit_id="phys")
    faculty = UnitFactory(institution=merged, name="Faculty of Physics", ewp_ounit_id="phys")
    UnitFactory(institution=merged, name="Laboratory", parent=faculty, ewp_ounit_id="lab")
    rector = PersonFactory(institution=merged, unit=faculty, name_native="Rector")
    PersonFactory(institution=merged, name_native="Dean")
    ours = PartnershipFactory(
        partner=kept, status="active", priority="low", cooperation_areas=["joint_research"]
    )
    ours.home_units.set([pair["engineering"]])
    theirs = PartnershipFactory(
        partner=merged,
        status="prospect",
        priority="high",
        cooperation_areas=["student_exchange", "joint_research"],
        notes="Met at the fair.",
        is_confidential=True,
    )
    theirs.home_units.set([pair["economics"]])
    theirs.responsible_people.set([rector])
    both = AgreementFactory(title="Memorandum with both")
    AgreementPartyFactory(agreement=both, institution=home)
    AgreementPartyFactory(agreement=both, institution=kept, signatory=None)
    twin = AgreementPartyFactory(
        agreement=both, institution=merged, signatory=rector, units=[faculty]
    )
    SignatureFactory(party=twin)
    alone = AgreementFactory(title="Exchange with the merged one")
    AgreementPartyFactory(agreement=alone, institution=merged)
    VisitFactory(visiting_institution=merged, host_institution=home)
    VisitFactory(visiting_institution=home, host_institution=merged)
    meeting = MeetingFactory(visit=None, partner=merged)
    ActionItemFactory(meeting=meeting, partnership=theirs)
    return {
        "both": both,
        "alone": alone,
        "rector": rector,
        "faculty": faculty,
        "ours": ours,
        "theirs": theirs,
    }


def test_every_relation_to_an_institution_has_a_merge_handler():
    """A new foreign key or many-to-many to Institution (or Partnership) must be added here."""
    relations = {merging.relation_key(r) for r in Institution._meta.related_objects}
    assert relations == set(merging.HANDLERS)
    inner = {merging.relation_key(r) for r in Partnership._meta.related_objects}
    assert inner == set(merging.PARTNERSHIP_HANDLERS)


def test_merging_moves_everything_and_merges_the_clashes(pair, admin_user):
    kept, merged = pair["kept"], pair["merged"]
    records = fill(pair)
    institution_merge(kept=kept, merged=merged, user=admin_user)

    assert not Institution.objects.filter(pk=merged.pk).exists()
    for model, field in [
        (OrganizationalUnit, "institution"),
        (Person, "institution"),
        (AgreementParty, "institution"),
        (Visit, "visiting_institution"),
        (Visit, "host_institution"),
        (Meeting, "partner"),
    ]:
        assert not model.objects.filter(**{f"{field}_id": merged.pk}).exists()
    assert kept.units.count() == 3
    # two units of one institution cannot share an EWP id: the moved one lets go of it
    assert sorted(kept.units.values_list("ewp_ounit_id", flat=True), key=str) == [
        None,
        "lab",
        "phys",
    ]
    assert set(kept.people.values_list("name_native", flat=True)) == {"Rector", "Dean"}

    partnership = Partnership.objects.get(partner=kept)
    assert partnership.pk == records["ours"].pk
    assert not Partnership.objects.filter(pk=records["theirs"].pk).exists()
    assert partnership.status == "active"
    assert partnership.priority == "high"
    assert partnership.is_confidential
    assert partnership.cooperation_areas == ["joint_research", "student_exchange"]
    assert partnership.notes == "Met at the fair."
    assert set(partnership.home_units.all()) == {pair["engineering"], pair["economics"]}
    assert list(partnership.responsible_people.all()) == [records["rector"]]
    assert ActionItem.objects.get().partnership == partnership

    party = AgreementParty.objects.get(agreement=records["both"], institution=kept)
    assert records["both"].parties.count() == 2
    assert party.signatory == records["rector"]
    assert list(party.units.all()) == [records["faculty"]]
    assert Signature.objects.get().party == party
    assert records["alone"].parties.get().institution == kept

    kept.refresh_from_db()
    assert kept.name_ru == "Самаркандский государственный университет"
    assert kept.aliases == ["Samarkand State University, Uzbekistan", "SamSU"]
    assert (kept.acronym, kept.city, kept.hei_id) == ("SamSU", "Samarkand", "samdu.uz")
    assert kept.email_domains == ["samdu.uz", "stud.samdu.uz"]
    assert kept.notes == "Entered from the 2025 register."


def test_the_merge_is_audited_and_the_history_moves_to_the_kept_one(pair, admin_user):
    kept, merged = pair["kept"], pair["merged"]
    merged_pk = merged.pk
    person = PersonFactory(institution=merged, name_native="Dean")
    institution_merge(kept=kept, merged=merged, user=admin_user)

    entries = LogEntry.objects.get_for_object(kept)
    assert entries.filter(object_repr__startswith="Samarkand State University, Uzbekistan").exists()
    merge = entries.filter(changes__has_key="merged").get()
    assert merge.actor == admin_user
    assert merge.changes["merged"] == [
        "Samarkand State University, Uzbekistan", "Samarkand State University",
    ]  # fmt: skip
    deleted = LogEntry.objects.get(object_id=merged_pk, action=LogEntry.Action.DELETE)
    assert deleted.actor == admin_user
    moved = LogEntry.objects.get_for_object(person).order_by("-pk").first()
    assert moved.changes["institution"] == [str(merged_pk), str(kept.pk)]
    assert moved.actor == admin_user


def test_the_search_finds_the_kept_one_by_the_merged_names(pair, admin_user, office_user):
    PersonFactory(institution=pair["merged"], name_native="Dean Karimov")
    institution_merge(kept=pair["kept"], merged=pair["merged"], user=admin_user)
    hits = search.search("SamSU", office_user, kinds=["institution"])
    assert [hit.object for hit in hits] == [pair["kept"]]
    person = search.search("Karimov", office_user, kinds=["person"])[0]
    assert person.subtitle == "Samarkand State University"


def test_only_an_administrator_merges(pair, office_user):
    with pytest.raises(PermissionDenied):
        institution_merge(kept=pair["kept"], merged=pair["merged"], user=office_user)
    assert Institution.objects.filter(pk=pair["merged"].pk).exists()


def test_an_institution_cannot_be_merged_into_itself_nor_the_home_one_away(pair, admin_user):
    with pytest.raises(ValidationError, match="itself"):
        institution_merge(kept=pair["kept"], merged=pair["kept"], user=admin_user)
    with pytest.raises(ValidationError, match="home institution"):
        institution_merge(kept=pair["kept"], merged=pair["home"], user=admin_user)


def test_a_merge_that_fails_midway_writes_nothing(pair, admin_user, monkeypatch):
    fill(pair)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setitem(merging.HANDLERS, "meetings.meeting.partner", broken)
    with pytest.raises(RuntimeError):
        institution_merge(kept=pair["kept"], merged=pair["merged"], user=admin_user)
    assert pair["merged"].units.count() == 2
    assert Partnership.objects.filter(partner=pair["merged"]).exists()


# --- Pages ----------------------------------------------------------------------------------------


def merge_url(institution) -> str:
    return reverse("institutions:institution_merge", args=[institution.uuid])


def confirm_url(institution) -> str:
    return reverse("institutions:institution_merge_confirm", args=[institution.uuid])


@pytest.mark.parametrize("role", ["office_client", "coordinator_client", "viewer_client"])
def test_the_merge_pages_are_for_administrators_only(pair, role, request):
    client = request.getfixturevalue(role)
    merged, kept = pair["merged"], pair["kept"]
    assert "Merge into" not in client.get(merged.get_absolute_url()).content.decode()
    assert client.get(merge_url(merged)).status_code == 403
    assert client.get(confirm_url(merged), {"kept": kept.uuid}).status_code == 403
    assert client.post(confirm_url(merged), {"kept": kept.uuid}).status_code == 403
    assert Institution.objects.filter(pk=merged.pk).exists()


def test_signed_out_visitors_are_sent_to_log_in(client, pair):
    response = client.get(merge_url(pair["merged"]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_admin_chooses_among_the_likely_duplicates_or_searches(admin_client_, pair):
    merged = pair["merged"]
    page = admin_client_.get(merged.get_absolute_url()).content.decode()
    assert f'href="{merge_url(merged)}"' in page

    page = admin_client_.get(merge_url(merged)).content.decode()
    assert f'<option value="{pair["kept"].uuid}">Samarkand State University (Uzbekistan)' in page
    assert "data-searchable" in page
    page = admin_client_.get(merge_url(merged), {"q": "Karaganda"}).content.decode()
    assert f'<option value="{pair["home"].uuid}">' in page


def test_the_confirmation_lists_how_many_records_move(admin_client_, pair):
    fill(pair)
    response = admin_client_.get(confirm_url(pair["merged"]), {"kept": pair["kept"].uuid})
    assert response.status_code == 200
    moves = {move.key: move.count for move in response.context["moves"]}
    assert moves == {
        "institutions.organizationalunit.institution": 2,
        "institutions.person.institution": 2,
        "institutions.partnership.partner": 1,
        "agreements.agreementparty.institution": 2,
        "visits.visit.visiting_institution": 1,
        "visits.visit.host_institution": 1,
        "meetings.meeting.partner": 1,
    }
    page = response.content.decode()
    assert "Visits (visiting institution)" in page and "Organisational units" in page
    assert Institution.objects.filter(pk=pair["merged"].pk).exists()


def test_confirming_merges_and_opens_the_kept_one_with_a_message(admin_client_, pair):
    fill(pair)
    kept = pair["kept"]
    response = admin_client_.post(confirm_url(pair["merged"]), {"kept": kept.uuid})
    assert response.status_code == 302
    assert response["Location"] == kept.get_absolute_url()
    assert messages_of(admin_client_.get(response["Location"])) == [
        "Merged Samarkand State University, Uzbekistan into Samarkand State University; "
        "its names are now among the other names."
    ]
    assert not Institution.objects.filter(pk=pair["merged"].pk).exists()
    history = admin_client_.get(kept.get_absolute_url() + "history/").content.decode()
    assert "<strong>Merged record</strong>" in history
    assert str(pair["merged"].uuid) not in history


def test_choosing_nothing_or_an_unknown_institution_goes_back_to_the_choice(admin_client_, pair):
    merged = pair["merged"]
    response = admin_client_.get(confirm_url(merged), {"kept": "not-a-uuid"})
    assert response.status_code == 302 and response["Location"] == merge_url(merged)
    response = admin_client_.post(confirm_url(merged), {"kept": merged.uuid})
    assert response.status_code == 302
    assert Institution.objects.filter(pk=merged.pk).exists()
