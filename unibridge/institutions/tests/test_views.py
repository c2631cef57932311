"""Pages of the institutions app: lists, details, forms, conflicts and query counts."""

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.core.testing import messages_of
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def make_partners(n: int, unit):
    for i in range(n):
        partner = InstitutionFactory(name=f"Partner {i}")
        UnitFactory(institution=partner)
        PersonFactory(institution=partner)
        partnership = PartnershipFactory(partner=partner, cooperation_areas=["joint_research"])
        partnership.home_units.set([unit])
        partnership.responsible_people.set([PersonFactory(institution=unit.institution, unit=unit)])


@pytest.mark.parametrize("url", ["/institutions/", "/units/", "/people/", "/partnerships/", "/"])
def test_list_pages_use_the_same_number_of_queries_for_3_and_30_records(
    office_client, engineering, url
):
    make_partners(3, engineering)
    few = count_queries(office_client, url)
    make_partners(27, engineering)
    many = count_queries(office_client, url)
    assert few == many


def test_partnership_detail_tabs_have_constant_query_counts(office_client, engineering):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    urls = [
        partnership.get_absolute_url() + tab
        for tab in ("", "units/", "people/", "timeline/", "history/")
    ]
    before = [count_queries(office_client, url) for url in urls]
    for i in range(10):
        UnitFactory(institution=partnership.partner)
        PersonFactory(institution=partnership.partner, name_native=f"Extra {i}")
    partnership.responsible_people.add(
        *[PersonFactory(institution=engineering.institution) for _ in range(5)]
    )
    partnership.status = "active"
    partnership.save()
    after = [count_queries(office_client, url) for url in urls]
    assert before == after


def test_institution_list_filters_by_country_and_sorts(office_client, home):
    InstitutionFactory(name="Zeta", country="DE")
    InstitutionFactory(name="Alpha", country="DE")
    InstitutionFactory(name="Beta", country="PL")
    response = office_client.get("/institutions/?country=DE&sort=-name")
    names = [row[0].name for row in response.context["rows"]]
    assert names == ["Zeta", "Alpha"]


def test_htmx_filter_request_gets_only_the_results(office_client, home):
    response = office_client.get(
        "/institutions/?q=Kara", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "Karaganda Industrial University" in content


def test_list_pages_paginate(office_client, home):
    Institution.objects.bulk_create(
        [Institution(name=f"Bulk {i:03d}", country="PL") for i in range(60)]
    )
    first = office_client.get("/institutions/")
    assert len(first.context["rows"]) == 50
    second = office_client.get("/institutions/?page=2")
    assert len(second.context["rows"]) == 11
    assert "Page 2 of 2" in second.content.decode()


def test_office_creates_an_institution_and_the_history_shows_it(office_client, office_user):
    response = office_client.post(
        "/institutions/new/",
        {
            "name": "Akademia Górniczo-Hutnicza",
            "name_en": "AGH University of Krakow",
            "kind": "university",
            "country": "PL",
            "city": "Kraków",
            "hei_id": "AGH.edu.pl",
            "erasmus_code": "pl krakow02",
            "ror_id": "https://ror.org/00bas1c41",
            "email_domains": "agh.edu.pl\nstudent.agh.edu.pl",
            "aliases": "AGH\nAkademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agh = Institution.objects.get(hei_id="agh.edu.pl")
    assert agh.erasmus_code == "PL KRAKOW02"
    assert agh.ror_id == "00bas1c41"
    assert agh.email_domains == ["agh.edu.pl", "student.agh.edu.pl"]
    entry = LogEntry.objects.get_for_object(agh).get()
    assert entry.actor == office_user
    history = office_client.get(agh.get_absolute_url() + "history/").content.decode()
    assert "AGH University of Krakow" in history


def test_invalid_identifiers_show_field_errors_and_save_nothing(office_client, home):
    InstitutionFactory(name="Existing", hei_id="taken.edu")
    response = office_client.post(
        "/institutions/new/",
        {
            "name": "Broken",
            "kind": "university",
            "country": "PL",
            "hei_id": "taken.edu",
            "pic": "12345",
            "ror_id": "03yrm5c27",
            "erasmus_code": "KRAKOW",
            "email_domains": "not a domain",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"hei_id", "pic", "ror_id", "erasmus_code", "email_domains"}
    assert "check digits" in str(errors["ror_id"])
    assert not Institution.objects.filter(name="Broken").exists()


def test_only_an_administrator_may_mark_the_home_institution(office_client, admin_client_):
    office_form = office_client.get("/institutions/new/").context["form"]
    admin_form = admin_client_.get("/institutions/new/").context["form"]
    assert "is_home" not in office_form.fields
    assert "is_home" in admin_form.fields


def test_second_home_institution_is_refused_with_a_clear_message(admin_client_, home):
    response = admin_client_.post(
        "/institutions/new/",
        {"name": "Second", "kind": "university", "country": "KZ", "is_home": "on"},
    )
    assert response.status_code == 400
    assert "There is already a home institution." in response.content.decode()


def test_concurrent_edit_shows_a_conflict_and_keeps_the_first_save(office_client, engineering):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    form = office_client.get(partnership.get_absolute_url() + "edit/").context["form"]
    version = form.initial["version"]
    data = {
        "status": "active",
        "priority": "high",
        "home_units": [engineering.pk],
        "version": version,
    }
    first = office_client.post(partnership.get_absolute_url() + "edit/", data)
    assert first.status_code == 302
    second = office_client.post(
        partnership.get_absolute_url() + "edit/", {**data, "status": "ended", "priority": "low"}
    )
    assert second.status_code == 409
    content = second.content.decode()
    assert "Someone else changed this record" in content
    partnership.refresh_from_db()
    assert (partnership.status, partnership.priority) == ("active", "high")


def test_coordinator_must_keep_one_of_their_units_on_a_partnership(
    coordinator_client, engineering, economics
):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    version = partnership.updated.isoformat()
    response = coordinator_client.post(
        partnership.get_absolute_url() + "edit/",
        {"status": "active", "priority": "high", "home_units": [economics.pk], "version": version},
    )
    assert response.status_code == 400
    assert "home_units" in response.context["form"].errors
    assert list(partnership.home_units.all()) == [engineering]


def test_coordinator_creates_a_person_only_in_their_units(
    coordinator_client, engineering, economics
):
    home = engineering.institution
    outside = coordinator_client.post(
        "/people/new/",
        {"name_native": "Ерлан Садыков", "institution": home.pk, "unit": economics.pk},
    )
    assert outside.status_code == 400
    inside = coordinator_client.post(
        "/people/new/",
        {"name_native": "Ерлан Садыков", "institution": home.pk, "unit": engineering.pk},
    )
    assert inside.status_code == 302
    person = Person.objects.get()
    assert person.name_latin == "Erlan Sadykov"


def test_person_unit_must_belong_to_the_chosen_institution(office_client, engineering):
    other = InstitutionFactory(name="Other")
    PartnershipFactory(partner=other)
    response = office_client.post(
        "/people/new/",
        {"name_native": "Jan Kowalski", "institution": other.pk, "unit": engineering.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["unit"]
    assert not Person.objects.filter(name_native="Jan Kowalski").exists()


def test_moving_a_unit_moves_its_subtree(
    office_client, engineering, engineering_department, economics
):
    lab = UnitFactory(
        institution=engineering.institution, parent=engineering_department, name="Lab"
    )
    response = office_client.post(
        engineering_department.get_absolute_url() + "edit/",
        {
            "name": engineering_department.name,
            "kind": "department",
            "parent": economics.pk,
            "version": engineering_department.updated.isoformat(),
        },
    )
    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.path.startswith(economics.path)
    assert lab.depth == 2


def test_a_unit_cannot_be_moved_under_itself(office_client, engineering, engineering_department):
    form = office_client.get(engineering.get_absolute_url() + "edit/").context["form"]
    assert engineering_department not in form.fields["parent"].queryset


def test_deleting_an_institution_with_people_is_refused_clearly(office_client, home):
    partner = InstitutionFactory(name="Kept")
    PersonFactory(institution=partner)
    response = office_client.post(partner.get_absolute_url() + "delete/", follow=True)
    assert Institution.objects.filter(pk=partner.pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_start_partnership_lists_only_institutions_without_one(office_client, engineering):
    make_partners(1, engineering)
    InstitutionFactory(name="Partner free")
    response = office_client.get("/partnerships/new/?q=Partner")
    names = [i.name for i in response.context["candidates"]]
    assert names == ["Partner free"]


def test_create_partnership_from_the_institution_page(office_client, engineering):
    partner = InstitutionFactory(name="New partner")
    response = office_client.post(
        f"/institutions/{partner.uuid}/partnership/new/",
        {
            "status": "prospect",
            "priority": "medium",
            "home_units": [engineering.pk],
            "cooperation_areas": ["joint_research", "student_exchange"],
        },
    )
    assert response.status_code == 302
    partnership = Partnership.objects.get(partner=partner)
    assert partnership.cooperation_areas == ["joint_research", "student_exchange"]
    assert Partnership.objects.with_area("student_exchange").get() == partnership
    timeline = office_client.get(partnership.get_absolute_url() + "timeline/").content.decode()
    assert "Partnership recorded" in timeline


def test_the_notice_after_creating_a_partnership_names_both_sides(office_client, engineering):
    home = engineering.institution
    home.acronym = "KarIU"
    home.save()
    partner = InstitutionFactory(name="AGH University of Krakow", acronym="AGH")
    data = {"status": "prospect", "priority": "medium", "home_units": [engineering.pk]}
    url = f"/institutions/{partner.uuid}/partnership/new/"
    response = office_client.post(url, data, follow=True)
    assert messages_of(response) == ["Partnership “KarIU – AGH” created."]
    # a change is a plain save; a partner without an acronym goes by its name
    partnership = Partnership.objects.get()
    edit = {**data, "version": partnership.updated.isoformat()}
    response = office_client.post(partnership.get_absolute_url() + "edit/", edit, follow=True)
    assert messages_of(response) == ["Saved AGH University of Krakow."]
    other = InstitutionFactory(
        name="Freiberg University of Mining", name_ru="Фрайбергская горная академия"
    )
    office_client.cookies["django_language"] = "ru"
    response = office_client.post(
        f"/institutions/{other.uuid}/partnership/new/", data, follow=True, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert messages_of(response) == ["Партнёрство «KarIU – Фрайбергская горная академия» создано."]


def test_unit_tree_path_and_subtree_scope(engineering, engineering_department):
    assert engineering_department.path == f"{engineering.path}{engineering_department.pk}/"
    assert OrganizationalUnit.objects.subtree_ids([engineering]) == {
        engineering.pk,
        engineering_department.pk,
    }


def test_person_picker_finds_home_and_partner_people_but_not_others(office_client, engineering):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    PersonFactory(name_native="Айгерим Садыкова", institution=engineering.institution)
    PersonFactory(name_native="Aigerim Partner", institution=partnership.partner)
    PersonFactory(name_native="Aigerim Elsewhere", institution=InstitutionFactory())
    response = office_client.get(
        "/people/pick/",
        {"q": "aigerim", "name": "responsible_people", "institution": partnership.partner.uuid},
    )
    content = response.content.decode()
    assert "Айгерим Садыкова" in content
    assert "Aigerim Partner" in content
    assert "Elsewhere" not in content
    assert 'name="responsible_people"' in content


def test_partnership_form_renders_only_the_chosen_responsible_people(office_client, engineering):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    chosen = partnership.responsible_people.get()
    for i in range(30):
        PersonFactory(name_native=f"Not chosen {i}", institution=engineering.institution)
    content = office_client.get(partnership.get_absolute_url() + "edit/").content.decode()
    assert chosen.name_native in content
    assert "Not chosen" not in content


def test_only_an_administrator_links_a_person_to_a_user_account(
    admin_client_, office_client, office_user, home
):
    assert "user" not in office_client.get("/people/new/").context["form"].fields
    response = admin_client_.post(
        "/people/new/",
        {"name_native": "Office Person", "institution": home.pk, "user": office_user.pk},
    )
    assert response.status_code == 302
    assert Person.objects.get(name_native="Office Person").user == office_user


@pytest.mark.parametrize("typed", ["ахметов", "Akhmetov", "Ahmetov", "АХМЕТОВ"])
def test_people_list_name_filter_forgives_script_case_and_spelling(office_client, home, typed):
    PersonFactory(name_native="Нурлан Ахметов", institution=home)
    PersonFactory(name_native="Jan Kowalski", institution=home)
    response = office_client.get("/people/", {"q": typed})
    assert [row[0].name_native for row in response.context["rows"]] == ["Нурлан Ахметов"]


def test_list_name_filter_keeps_the_chosen_sort_order(office_client, home):
    for name in ("Beta Technical University", "Alpha Technical University"):
        InstitutionFactory(name=name, name_en=name)
    response = office_client.get("/institutions/", {"q": "technical", "sort": "-name"})
    names = [row[0].name for row in response.context["rows"]]
    assert names == ["Beta Technical University", "Alpha Technical University"]


def test_person_picker_leaves_out_the_people_already_chosen(office_client, home):
    chosen = PersonFactory(name_native="Aigerim Chosen", institution=home)
    PersonFactory(name_native="Aigerim Other", institution=home)
    response = office_client.get(
        "/people/pick/",
        {"q": "aigerim", "name": "responsible_people", "responsible_people": chosen.pk},
    )
    content = response.content.decode()
    assert "Aigerim Other" in content and "Aigerim Chosen" not in content


def test_a_unit_of_another_institution_is_one_error_on_the_person_page(office_client, engineering):
    other = InstitutionFactory(name="Other")
    PartnershipFactory(partner=other)
    person = PersonFactory(institution=engineering.institution, unit=engineering)
    response = office_client.post(
        person.get_absolute_url() + "edit/",
        {
            "name_native": person.name_native,
            "institution": other.pk,
            "unit": engineering.pk,
            "version": person.updated.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["unit"] == ["This unit belongs to another institution."]
    person.refresh_from_db()
    assert person.institution == engineering.institution


def test_the_partnership_page_keeps_responsible_people_the_coordinator_cannot_see(
    coordinator_client, engineering, economics
):
    make_partners(1, engineering)
    partnership = Partnership.objects.get()
    hidden = PersonFactory(institution=economics.institution, unit=economics, is_confidential=True)
    partnership.responsible_people.set([hidden])
    response = coordinator_client.post(
        partnership.get_absolute_url() + "edit/",
        {
            "status": "active",
            "priority": "high",
            "home_units": [engineering.pk],
            "version": partnership.updated.isoformat(),
        },
    )
    assert response.status_code == 302
    assert list(partnership.responsible_people.all()) == [hidden]
