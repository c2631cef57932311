"""manage.py load_demo: the story of DESIGN.md, idempotent, with one working account per role."""

from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from unibridge.accounts.choices import Role
from unibridge.accounts.models import User
from unibridge.core import search
from unibridge.institutions.choices import PartnershipPriority, PartnershipStatus, UnitType
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.institutions.tests.factories import InstitutionFactory
from unibridge.site import DEMO_LOADERS

DEMO_USERNAMES = ["admin", "office", "coordinator", "viewer"]


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "institutions": Institution.objects.count(),
        "units": OrganizationalUnit.objects.count(),
        "people": Person.objects.count(),
        "partnerships": Partnership.objects.count(),
        "partnership units": Partnership.home_units.through.objects.count(),
        "partnership people": Partnership.responsible_people.through.objects.count(),
        "users": User.objects.count(),
        "user units": User.units.through.objects.count(),
        "audit entries": LogEntry.objects.count(),
    }


@pytest.fixture
def demo_output(db, monkeypatch) -> str:
    monkeypatch.delenv("PORT", raising=False)
    return load_demo()


@pytest.fixture
def agh(demo_output) -> Institution:
    return Institution.objects.get(hei_id="agh.edu.pl")


def log_in(client, username: str, password: str) -> bool:
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


# --- The story ------------------------------------------------------------------------------------


def test_the_home_university_is_karaganda_industrial_university(demo_output):
    home = Institution.objects.get(is_home=True)
    assert home.name == "Карагандинский индустриальный университет"
    assert home.name_en == "Karaganda Industrial University"
    assert home.name_kk == "Қарағанды индустриялық университеті"
    assert home.name_pl
    assert (home.country.code, home.city) == ("KZ", "Temirtau")
    assert "Demo data" in home.notes


def test_the_home_university_is_known_by_the_acronym_its_news_uses(demo_output):
    home = Institution.objects.get(is_home=True)
    assert home.acronym == "KarIU"
    assert {"ҚарИУ", "КарИУ"} <= set(home.aliases)
    admin = User.objects.get(username="admin")
    for name in ("KarIU", "ҚарИУ", "КарИУ"):
        hits = search.search(name, admin, kinds=["institution"])
        assert [hit.object for hit in hits][:1] == [home], name


def test_searching_the_former_full_name_of_agh_finds_it(agh):
    assert "Stanisław Staszic AGH University of Science and Technology" in agh.aliases
    admin = User.objects.get(username="admin")
    hits = search.search(
        "Stanisław Staszic AGH University of Science and Technology", admin, kinds=["institution"]
    )
    assert hits[0].object == agh


def test_the_home_university_has_faculties_with_departments_and_a_lab(demo_output):
    home = Institution.objects.get(is_home=True)
    faculties = home.units.filter(kind=UnitType.FACULTY, parent=None)
    assert faculties.count() >= 3
    for faculty in faculties:
        assert faculty.children.filter(kind=UnitType.DEPARTMENT).count() >= 2
        assert faculty.name_en and faculty.name_ru and faculty.name_kk
    assert home.units.filter(kind=UnitType.LABORATORY, depth=2).exists()


def test_agh_is_recorded_with_its_identifiers(agh):
    assert agh.name == "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie"
    assert agh.name_en == "AGH University of Krakow"
    assert agh.erasmus_code == "PL KRAKOW02"
    assert (agh.country.code, agh.city, agh.website) == ("PL", "Kraków", "https://www.agh.edu.pl")
    assert agh.name_ru and agh.name_kk and agh.name_pl


def test_agh_has_its_faculties(agh):
    faculties = set(agh.units.filter(kind=UnitType.FACULTY).values_list("name_en", flat=True))
    assert {
        "Faculty of Civil Engineering and Resource Management",
        "Faculty of Mechanical Engineering and Robotics",
        "Faculty of Geo-Data Science, Geodesy and Environmental Engineering",
        "Faculty of Metals Engineering and Industrial Computer Science",
    } <= faculties
    assert len(faculties) >= 6


def test_the_agh_delegation_are_fictional_professors_with_their_expertise(agh):
    delegation = list(agh.people.all())
    assert len(delegation) >= 3
    assert all(person.notes == "Demo data: fictional person." for person in delegation)
    assert any(set(person.name_native) & set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ") for person in delegation)
    keywords = " ".join(person.research_keywords for person in delegation)
    for expertise in ("mineral processing", "technological machines", "environmental protection"):
        assert expertise in keywords


def test_there_are_at_least_six_more_partners_across_five_countries(agh):
    others = Partnership.objects.exclude(partner=agh)
    assert others.count() >= 6
    countries = {str(p.partner.country) for p in Partnership.objects.select_related("partner")}
    assert len(countries) >= 5
    assert not Partnership.objects.filter(partner__is_home=True).exists()


def test_every_partnership_has_home_units_responsible_people_and_areas(demo_output):
    partnerships = Partnership.objects.all()
    assert {p.status for p in partnerships} >= {
        PartnershipStatus.ACTIVE,
        PartnershipStatus.DEVELOPING,
        PartnershipStatus.PROSPECT,
    }
    assert len({p.priority for p in partnerships}) == 3
    for partnership in partnerships:
        assert partnership.cooperation_areas
        assert partnership.home_units.exists()
        assert partnership.responsible_people.exists()
        assert all(unit.institution.is_home for unit in partnership.home_units.all())


def test_the_agh_partnership_is_active_and_high_priority(agh):
    partnership = agh.partnership
    assert partnership.status == PartnershipStatus.ACTIVE
    assert partnership.priority == PartnershipPriority.HIGH
    assert partnership.started_on is not None
    assert "memorandum" in partnership.notes
    assert partnership.responsible_people.filter(institution=agh).exists()


def test_a_confidential_partnership_is_hidden_from_the_coordinator(demo_output):
    confidential = Partnership.objects.get(is_confidential=True)
    coordinator = User.objects.get(username="coordinator")
    office = User.objects.get(username="office")
    assert (
        not set(confidential.home_units.values_list("pk", flat=True)) & coordinator.unit_scope_ids
    )
    assert confidential not in Partnership.objects.visible_to(coordinator)
    assert confidential in Partnership.objects.visible_to(office)


def test_home_people_include_the_leadership_and_office_named_in_cyrillic(demo_output):
    home = Institution.objects.get(is_home=True)
    vice_rector = home.people.get(position="Vice-Rector for International Affairs")
    assert vice_rector.name_native == "Жумабекова Айгуль Сериковна"
    assert vice_rector.name_latin == "Zhumabekova Aigul Serikovna"
    assert home.people.filter(position="Head of the International Relations Office").exists()
    assert home.people.filter(unit__kind=UnitType.FACULTY).exists()


# --- The accounts ---------------------------------------------------------------------------------


def test_there_is_one_demo_user_per_role(demo_output):
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert {name: user.role for name, user in users.items()} == {
        "admin": Role.ADMIN,
        "office": Role.OFFICE,
        "coordinator": Role.COORDINATOR,
        "viewer": Role.VIEWER,
    }
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not any(users[name].is_staff for name in ("office", "coordinator", "viewer"))


def test_the_coordinator_is_scoped_to_one_home_faculty(demo_output):
    coordinator = User.objects.get(username="coordinator")
    (faculty,) = coordinator.units.all()
    assert faculty.kind == UnitType.FACULTY
    assert faculty.institution.is_home
    assert set(faculty.children.values_list("pk", flat=True)) < coordinator.unit_scope_ids
    assert Partnership.objects.editable_by(coordinator).exists()


def test_the_office_user_and_the_coordinator_are_linked_to_people(demo_output):
    office = User.objects.get(username="office")
    coordinator = User.objects.get(username="coordinator")
    assert office.person.unit.name_en == "International Relations Office"
    assert coordinator.person.unit == coordinator.units.get()


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_each_demo_user_logs_in_with_the_demo_password(demo_output, client, username):
    assert log_in(client, username, "demo")


def test_the_demo_password_setting_overrides_demo(db, client, settings):
    settings.DEMO_PASSWORD = "Karaganda-Krakow-2025"
    output = load_demo()
    assert "Karaganda-Krakow-2025" in output
    assert log_in(client, "office", "Karaganda-Krakow-2025")
    client.logout()
    assert not log_in(client, "office", "demo")


def test_an_empty_demo_password_falls_back_to_demo(db, client, settings):
    settings.DEMO_PASSWORD = ""
    load_demo()
    assert log_in(client, "admin", "demo")


def test_running_again_sets_the_current_demo_password(demo_output, client, settings):
    settings.DEMO_PASSWORD = "changed-later"
    load_demo()
    assert log_in(client, "viewer", "changed-later")


def test_the_output_shows_the_url_and_every_account_with_its_role(db, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    output = load_demo()
    assert "http://127.0.0.1:8123/" in output
    for username, role in [
        ("admin", "Administrator"),
        ("office", "International office"),
        ("coordinator", "Unit coordinator: Faculty of Metallurgy and Mechanical Engineering"),
        ("viewer", "Viewer (leadership)"),
    ]:
        line = next(line for line in output.splitlines() if f" {username} " in line)
        assert "demo" in line and role in line


def test_the_url_uses_port_8000_by_default(demo_output):
    assert "http://127.0.0.1:8000/" in demo_output


# --- Safety ---------------------------------------------------------------------------------------


def test_every_write_is_audited_with_the_admin_as_actor(demo_output):
    admin = User.objects.get(username="admin")
    agh_entries = LogEntry.objects.get_for_object(Institution.objects.get(hei_id="agh.edu.pl"))
    assert agh_entries.get().actor == admin
    # Only the administrator's own account exists before there is an actor to name; the
    # approvals are decided by the people holding the route's duties (the last one approves
    # the agreement), as the rules require.
    approvers = User.objects.filter(username__in=["coordinator", "legal", "viewer"])
    others = LogEntry.objects.exclude(actor=admin).exclude(actor__in=approvers)
    assert set(others.values_list("object_repr", flat=True)) == {"admin"}
    decided = LogEntry.objects.filter(actor__in=approvers).values_list("object_repr", flat=True)
    assert {"Head of unit", "Legal office", "Vice-rector for international affairs"} <= set(decided)


def test_running_it_twice_reuses_everything(demo_output):
    before = counts()
    load_demo()
    assert counts() == before


def test_running_it_again_keeps_what_users_changed(agh):
    partnership = agh.partnership
    partnership.priority = PartnershipPriority.MEDIUM
    partnership.save()
    load_demo()
    partnership.refresh_from_db()
    assert partnership.priority == PartnershipPriority.MEDIUM


def test_running_it_again_repairs_the_demo_accounts(demo_output, client):
    coordinator = User.objects.get(username="coordinator")
    coordinator.role = Role.VIEWER
    coordinator.set_password("forgotten")
    coordinator.save()
    coordinator.units.clear()
    load_demo()
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    assert coordinator.units.count() == 1
    assert log_in(client, "coordinator", "demo")


def test_it_refuses_to_load_next_to_another_home_institution(db):
    InstitutionFactory(name="Other University", name_en="Other University", is_home=True)
    with pytest.raises(CommandError, match="already has a home institution"):
        load_demo()
    assert Institution.objects.count() == 1
    assert not User.objects.exists()


def test_migrations_load_no_demo_data(db):
    assert not Institution.objects.exists()
    assert not User.objects.exists()


def test_the_institutions_are_loaded_first_and_every_loader_is_a_function(db):
    from unibridge.institutions import demo

    assert DEMO_LOADERS[0] is demo.load
    assert all(callable(load) for load in DEMO_LOADERS)
