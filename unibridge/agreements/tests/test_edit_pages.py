"""Creating and editing agreements, their parties and conditions through the pages."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from unibridge.accounts.models import User
from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement, AgreementType, CooperationCondition
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory, UnitFactory

from .factories import CooperationConditionFactory, SubjectAreaFactory

YEAR = timezone.localdate().year


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="Akademia Górniczo-Hutnicza", name_en="AGH University")


@pytest.fixture
def mou():
    return AgreementType.objects.get(code="mou")


@pytest.fixture
def ka171():
    return AgreementType.objects.get(code="erasmus-ka171")


@pytest.fixture
def other_coordinator_client(other_coordinator_user):
    client = Client()
    client.force_login(other_coordinator_user)
    return client


def make(user, home, partner, agreement_type, *, units=(), **fields) -> Agreement:
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title=fields.pop("title", "Memorandum with AGH"),
        parties=[PartyInput(home, units), PartyInput(partner)],
        **fields,
    )


def form_data(**values) -> dict:
    data = {
        "title": "Memorandum of cooperation with AGH",
        "title_en": "",
        "summary": "",
        "parent": "",
        "effective_date": "",
        "expiry_date": "",
        "renewal_years": "0",
        "notice_days": "0",
        "notes": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def version_of(response) -> str:
    return re.search(r'name="version" value="([^"]+)"', response.content.decode()).group(1)


# --- Create --------------------------------------------------------------------------------------


def test_the_list_links_to_the_new_agreement_page(office_client, viewer_client):
    assert 'href="/agreements/new/"' in office_client.get("/agreements/").content.decode()
    assert 'href="/agreements/new/"' not in viewer_client.get("/agreements/").content.decode()


def test_office_creates_a_draft_with_a_reference_and_the_home_party(
    office_client, home, engineering, agh, mou
):
    person = PersonFactory(institution=home)
    response = office_client.post(
        "/agreements/new/",
        form_data(
            agreement_type=mou.pk,
            partners=[agh.pk],
            home_units=[engineering.pk],
            responsible_people=[person.pk],
            cooperation_areas=["joint_research", "student_exchange"],
            effective_date="2026-01-01",
            expiry_date="2030-12-31",
        ),
    )
    agreement = Agreement.objects.get()
    assert response.status_code == 303
    assert response["Location"] == agreement.get_absolute_url()
    assert agreement.reference == f"MoU-{YEAR}-001"
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.cooperation_areas == ["joint_research", "student_exchange"]
    assert list(agreement.responsible_people.all()) == [person]
    parties = list(agreement.parties.order_by("order"))
    assert [p.institution for p in parties] == [home, agh]
    assert list(parties[0].units.all()) == [engineering]


def test_an_expiry_left_empty_means_no_end(office_client, home, agh, mou):
    office_client.post(
        "/agreements/new/",
        form_data(agreement_type=mou.pk, partners=[agh.pk], effective_date="2026-01-01"),
    )
    assert Agreement.objects.get().expiry_date is None


def test_the_new_page_prefills_the_partner_and_the_umbrella(
    office_client, office_user, home, agh, mou
):
    umbrella = make(office_user, home, agh, mou)
    response = office_client.get(f"/agreements/new/?partner={agh.uuid}&parent={umbrella.uuid}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="partners" value="{agh.pk}" checked' in html
    assert f'value="{umbrella.reference}"' in html


def test_a_new_agreement_needs_a_partner_and_says_so(office_client, home, mou):
    response = office_client.post("/agreements/new/", form_data(agreement_type=mou.pk))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_expiry_must_follow_the_effective_date(office_client, home, agh, mou):
    response = office_client.post(
        "/agreements/new/",
        form_data(
            agreement_type=mou.pk,
            partners=[agh.pk],
            effective_date="2026-01-01",
            expiry_date="2025-01-01",
        ),
    )
    assert response.status_code == 400
    assert "The expiry date must come after the effective date." in response.content.decode()
    assert not Agreement.objects.exists()


def test_an_unknown_umbrella_reference_is_refused(office_client, home, agh, mou):
    response = office_client.post(
        "/agreements/new/",
        form_data(agreement_type=mou.pk, partners=[agh.pk], parent="MoU-1999-999"),
    )
    assert response.status_code == 400
    assert "No agreement you can see has this reference number." in response.content.decode()


def test_a_coordinator_names_one_of_their_units(
    coordinator_client, home, engineering, economics, agh, mou
):
    data = form_data(agreement_type=mou.pk, partners=[agh.pk], home_units=[economics.pk])
    response = coordinator_client.post("/agreements/new/", data)
    assert response.status_code == 400
    assert "Include at least one of your own units" in response.content.decode()
    data["home_units"] = [engineering.pk]
    assert coordinator_client.post("/agreements/new/", data).status_code == 303
    assert Agreement.objects.get().parties.get(institution=home).units.get() == engineering


def test_viewers_may_not_create_agreements(viewer_client, home, agh, mou):
    assert viewer_client.get("/agreements/new/").status_code == 403
    data = form_data(agreement_type=mou.pk, partners=[agh.pk])
    assert viewer_client.post("/agreements/new/", data).status_code == 403
    assert not Agreement.objects.exists()


def test_the_institution_picker_finds_partners_by_name(office_client, home, agh):
    response = office_client.get(
        "/agreements/pick-institution/", {"name": "partners", "partners_q": "górniczo"}
    )
    assert f'value="{agh.pk}"' in response.content.decode()
    assert f'value="{home.pk}"' not in response.content.decode()


# --- Edit ----------------------------------------------------------------------------------------


def test_office_edits_a_draft(office_client, office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    url = f"/agreements/{agreement.uuid}/edit/"
    version = version_of(office_client.get(url))
    response = office_client.post(
        url, form_data(agreement_type=mou.pk, title="Renamed", version=version)
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "Renamed"


def test_a_second_editor_gets_the_conflict_page_and_nothing_is_overwritten(
    office_client, office_user, home, agh, mou
):
    agreement = make(office_user, home, agh, mou)
    url = f"/agreements/{agreement.uuid}/edit/"
    first_version = version_of(office_client.get(url))
    second_version = version_of(office_client.get(url))
    data = form_data(agreement_type=mou.pk, title="First editor's title", version=first_version)
    assert office_client.post(url, data).status_code == 302

    data = form_data(agreement_type=mou.pk, title="Second editor's title", version=second_version)
    response = office_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this record" in html
    assert "First editor&#x27;s title" in html  # what is stored now, beside what was typed
    agreement.refresh_from_db()
    assert agreement.title == "First editor's title"


def test_after_the_draft_only_internal_fields_change(office_client, office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou, notes="old")
    Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.APPROVED)
    url = f"/agreements/{agreement.uuid}/edit/"
    page = office_client.get(url)
    assert 'name="title"' not in page.content.decode()
    assert "can be changed only in a draft" in page.content.decode()
    data = form_data(title="Sneaky new title", notes="new note", version=version_of(page))
    assert office_client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.title, agreement.notes) == ("Memorandum with AGH", "new note")


def test_an_agreement_cannot_be_its_own_umbrella_twice_removed(
    office_client, office_user, home, agh, mou
):
    umbrella = make(office_user, home, agh, mou)
    child = make(office_user, home, agh, mou, parent=umbrella)
    url = f"/agreements/{umbrella.uuid}/edit/"
    data = form_data(
        agreement_type=mou.pk, parent=child.reference, version=version_of(office_client.get(url))
    )
    response = office_client.post(url, data)
    assert response.status_code == 400
    assert "cannot be under itself" in response.content.decode()


def test_edit_permissions(
    viewer_client, other_coordinator_client, coordinator_client, office_user, home, engineering,
    agh, mou,
):  # fmt: skip
    agreement = make(office_user, home, agh, mou, units=[engineering])
    secret = make(office_user, home, agh, mou, units=[engineering], is_confidential=True)
    url = f"/agreements/{agreement.uuid}/edit/"
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, form_data(agreement_type=mou.pk)).status_code == 403
    assert other_coordinator_client.get(url).status_code == 403
    assert other_coordinator_client.get(f"/agreements/{secret.uuid}/edit/").status_code == 404
    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert response.context["form"].instance == agreement
    for action in ("delete/", "parties/edit/", "conditions/new/"):
        assert (
            other_coordinator_client.get(agreement.get_absolute_url() + action).status_code == 403
        )


def test_a_draft_is_deleted_but_not_a_later_agreement(office_client, office_user, home, agh, mou):
    draft = make(office_user, home, agh, mou)
    approved = make(office_user, home, agh, mou)
    Agreement.objects.filter(pk=approved.pk).update(status=AgreementStatus.APPROVED)
    assert office_client.post(f"/agreements/{draft.uuid}/delete/").status_code == 303
    assert not Agreement.objects.filter(pk=draft.pk).exists()
    response = office_client.post(f"/agreements/{approved.uuid}/delete/")
    assert response.status_code == 409
    assert "Deletion is not possible" in response.content.decode()
    assert Agreement.objects.filter(pk=approved.pk).exists()


# --- Parties -------------------------------------------------------------------------------------


def party_data(agreement, page, **changes) -> dict:
    """The parties form as the page shows it (versions included), with changes."""
    html = page.content.decode()
    data: dict = {}
    for party in agreement.parties.all():
        prefix = f"party-{party.pk}-"
        version = re.search(rf'name="{prefix}version" value="([^"]+)"', html).group(1)
        data[prefix + "version"] = version
        data[prefix + "units"] = [u.pk for u in party.units.all()]
        data[prefix + "signatory"] = party.signatory_id or ""
        data[prefix + "signatory_position"] = party.signatory_position
    data.update(changes)
    return data


def test_parties_page_sets_units_and_signatories_and_adds_a_partner(
    office_client, office_user, home, engineering, agh, mou
):
    agreement = make(office_user, home, agh, mou)
    agh_faculty = UnitFactory(institution=agh, name="Faculty of Mining")
    dean = PersonFactory(institution=agh, name_native="Jan Kowalski")
    third = InstitutionFactory(name="Third University")
    url = f"/agreements/{agreement.uuid}/parties/edit/"
    home_party, agh_party = agreement.parties.order_by("order")
    data = party_data(
        agreement,
        office_client.get(url),
        **{
            f"party-{home_party.pk}-units": [engineering.pk],
            f"party-{agh_party.pk}-units": [agh_faculty.pk],
            f"party-{agh_party.pk}-signatory": dean.pk,
            f"party-{agh_party.pk}-signatory_position": "Rector",
            "add-institutions": [third.pk],
        },
    )
    response = office_client.post(url, data)
    assert response.status_code == 303, response.content.decode()
    agh_party.refresh_from_db()
    assert (agh_party.signatory, agh_party.signatory_position) == (dean, "Rector")
    assert list(agh_party.units.all()) == [agh_faculty]
    assert list(home_party.units.all()) == [engineering]
    assert agreement.parties.filter(institution=third).exists()


def test_a_unit_of_another_institution_is_refused(office_client, office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    url = f"/agreements/{agreement.uuid}/parties/edit/"
    agh_party = agreement.parties.get(institution=agh)
    foreign = UnitFactory(institution=home)
    data = party_data(
        agreement, office_client.get(url), **{f"party-{agh_party.pk}-units": [foreign.pk]}
    )
    response = office_client.post(url, data)
    assert response.status_code == 400
    assert agh_party.units.count() == 0


def test_removing_the_last_partner_is_refused(office_client, office_user, home, agh, mou):
    agreement = make(office_user, home, agh, mou)
    url = f"/agreements/{agreement.uuid}/parties/edit/"
    agh_party = agreement.parties.get(institution=agh)
    data = party_data(agreement, office_client.get(url), **{f"party-{agh_party.pk}-remove": "on"})
    response = office_client.post(url, data)
    assert response.status_code == 400
    assert "An agreement needs at least two parties." in response.content.decode()
    assert agreement.parties.count() == 2


def test_two_editors_of_the_parties_do_not_overwrite_each_other(
    office_client, office_user, home, agh, mou
):
    agreement = make(office_user, home, agh, mou)
    url = f"/agreements/{agreement.uuid}/parties/edit/"
    agh_party = agreement.parties.get(institution=agh)
    first = party_data(agreement, office_client.get(url))
    second = dict(first)
    first[f"party-{agh_party.pk}-signatory_position"] = "Rector"
    second[f"party-{agh_party.pk}-signatory_position"] = "Dean"
    assert office_client.post(url, first).status_code == 303
    response = office_client.post(url, second)
    assert response.status_code == 409
    assert "Someone else changed the parties" in response.content.decode()
    agh_party.refresh_from_db()
    assert agh_party.signatory_position == "Rector"


# --- Conditions ----------------------------------------------------------------------------------


def condition_data(home, partner, **values) -> dict:
    data = {
        "mobility_type": "student-studies",
        "sending_institution": home.pk,
        "sending_unit": "",
        "receiving_institution": partner.pk,
        "receiving_unit": "",
        "mobilities_per_year": "2",
        "total_months_per_year": "10",
        "total_days_per_year": "",
        "eqf_levels": ["6", "7"],
        "first_academic_year": "2026/2027",
        "last_academic_year": "2028/2029",
        "subject_areas": "0713 Electrical engineering for mining\n0724",
        "language_requirements": "en B2\npl b1 0724",
        "other_info": "",
    }
    data.update(values)
    return data


def test_a_condition_is_added_with_subject_areas_and_languages(
    office_client, office_user, home, agh, ka171
):
    agreement = make(office_user, home, agh, ka171)
    response = office_client.post(
        f"/agreements/{agreement.uuid}/conditions/new/", condition_data(home, agh)
    )
    assert response.status_code == 303, response.content.decode()
    condition = agreement.conditions.get()
    areas = [(a.isced_code, a.clarification) for a in condition.subject_areas.all()]
    assert areas == [("0713", "Electrical engineering for mining"), ("0724", "")]
    skills = [
        (r.language, r.cefr_level, r.isced_code) for r in condition.language_requirements.all()
    ]
    assert skills == [("en", "B2", ""), ("pl", "B1", "0724")]
    conditions_tab = office_client.get(agreement.get_absolute_url() + "conditions/")
    assert "Electrical engineering for mining" in conditions_tab.content.decode()


def test_the_official_name_pasted_after_a_code_is_not_kept_as_clarification(
    office_client, office_user, home, agh, ka171
):
    agreement = make(office_user, home, agh, ka171)
    data = condition_data(
        home, agh, subject_areas="0713 Electricity and energy", language_requirements="en B2"
    )
    assert (
        office_client.post(f"/agreements/{agreement.uuid}/conditions/new/", data).status_code == 303
    )
    assert agreement.conditions.get().subject_areas.get().clarification == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subject_areas", "0713\n071 Electrical", "Line 2: Use a four-digit ISCED-F code, such as 0713."),  # noqa: E501
        ("subject_areas", "9999", "Line 1: 9999 is not an ISCED-F 2013 code."),
        ("first_academic_year", "2026-2027", "Enter an academic year such as 2026/2027."),
        ("last_academic_year", "2025/2026", "The last academic year cannot come before the first one."),  # noqa: E501
        ("language_requirements", "english B2", "Line 1: Enter a language code such as en, pl or en-GB."),  # noqa: E501
        ("language_requirements", "en X9", "Line 1: Enter a CEFR level from A1 to C2, such as B2."),
        ("language_requirements", "en B2 0411", "Line 1: Choose one of the subject areas of this condition."),  # noqa: E501
        ("language_requirements", "", "Add at least one recommended language skill for this mobility type."),  # noqa: E501
        ("total_days_per_year", "5", "Student mobility is counted in months, not days."),
    ],
)  # fmt: skip
def test_condition_rules_are_shown_at_their_field(
    office_client, office_user, home, agh, ka171, field, value, message
):
    agreement = make(office_user, home, agh, ka171)
    response = office_client.post(
        f"/agreements/{agreement.uuid}/conditions/new/", condition_data(home, agh, **{field: value})
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in errors[field], errors
    assert list(errors[field]).count(message) == 1  # the field validator and clean() agree once
    assert not CooperationCondition.objects.exists()


def test_a_condition_is_changed_and_deleted(office_client, office_user, home, agh, ka171):
    agreement = make(office_user, home, agh, ka171)
    condition = CooperationConditionFactory(
        agreement=agreement, sending_institution=home, receiving_institution=agh
    )
    SubjectAreaFactory(condition=condition, isced_code="0724")
    url = f"/agreements/{agreement.uuid}/conditions/{condition.pk}/edit/"
    page = office_client.get(url)
    assert "0724" in page.content.decode()
    data = condition_data(home, agh, mobilities_per_year="5", version=version_of(page))
    assert office_client.post(url, data).status_code == 303
    condition.refresh_from_db()
    assert condition.mobilities_per_year == 5
    assert [a.isced_code for a in condition.subject_areas.all()] == ["0713", "0724"]

    stale = condition_data(home, agh, mobilities_per_year="9", version=version_of(page))
    assert office_client.post(url, stale).status_code == 409
    condition.refresh_from_db()
    assert condition.mobilities_per_year == 5

    delete_url = f"/agreements/{agreement.uuid}/conditions/{condition.pk}/delete/"
    assert office_client.get(delete_url).status_code == 200
    assert office_client.post(delete_url).status_code == 303
    assert not agreement.conditions.exists()


def test_conditions_need_a_type_with_conditions_and_a_draft(
    office_client, office_user, home, agh, mou, ka171
):
    memorandum = make(office_user, home, agh, mou)
    response = office_client.post(
        f"/agreements/{memorandum.uuid}/conditions/new/", condition_data(home, agh)
    )
    assert response.status_code == 400
    assert "have no mobility conditions" in response.content.decode()

    exchange = make(office_user, home, agh, ka171)
    Agreement.objects.filter(pk=exchange.pk).update(status=AgreementStatus.SIGNING)
    response = office_client.post(
        f"/agreements/{exchange.uuid}/conditions/new/", condition_data(home, agh)
    )
    assert response.status_code == 409
    assert "is not possible while the agreement is “Signing”" in response.content.decode()
    assert not CooperationCondition.objects.exists()


def test_the_add_condition_button_shows_only_for_drafts_with_conditions(
    office_client, viewer_client, office_user, home, agh, mou, ka171
):
    exchange = make(office_user, home, agh, ka171)
    memorandum = make(office_user, home, agh, mou)
    new_url = f"/agreements/{exchange.uuid}/conditions/new/"
    assert (
        new_url in office_client.get(exchange.get_absolute_url() + "conditions/").content.decode()
    )
    assert (
        new_url
        not in viewer_client.get(exchange.get_absolute_url() + "conditions/").content.decode()
    )
    memorandum_tab = office_client.get(memorandum.get_absolute_url() + "conditions/")
    assert "conditions/new/" not in memorandum_tab.content.decode()


# --- In a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agreement_pages_have_no_serious_accessibility_violations(page, live_server, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    agh = Institution.objects.get(hei_id="agh.edu.pl")
    home = Institution.objects.get(is_home=True)
    office = User.objects.get(username="office")
    draft = make(office, home, agh, AgreementType.objects.get(code="erasmus-ka171"))
    condition = CooperationConditionFactory(
        agreement=draft, sending_institution=home, receiving_institution=agh
    )
    log_in(page, "office", "demo")
    base = draft.get_absolute_url()
    urls = [
        "/agreements/new/",
        f"/agreements/new/?partner={agh.uuid}",
        base,
        base + "edit/",
        base + "parties/",
        base + "parties/edit/",
        base + "conditions/",
        base + "conditions/new/",
        f"{base}conditions/{condition.pk}/edit/",
        agh.get_absolute_url() + "agreements/",
    ]
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)
    # a condition with mistakes shows them at the fields, and the page stays accessible
    page.goto(base + "conditions/new/")
    page.get_by_label("Subject areas (ISCED-F)").fill("071")
    page.get_by_label("First academic year").fill("2026-2027")
    page.get_by_role("button", name="Save").click()
    assert "Line 1: Use a four-digit ISCED-F code" in page.locator("main").inner_text()
    assert_accessible(page)
