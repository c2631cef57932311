"""The institutions services: what pages and the API share, tested without either."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from unibridge.core.services import EditConflict
from unibridge.institutions import services
from unibridge.institutions.models import Institution, OrganizationalUnit, Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_an_institution_is_created_with_its_identifiers_normalised_and_audited(office_user):
    institution = services.institution_create(
        user=office_user,
        values={
            "name": "AGH",
            "country": "PL",
            "hei_id": " AGH.edu.pl ",
            "ror_id": "https://ror.org/00bas1c41",
            "website": "agh.edu.pl",
            "email_domains": ["AGH.edu.pl, student.agh.edu.pl"],
            "aliases": [" Akademia ", ""],
        },
    )
    institution.refresh_from_db()
    assert (institution.hei_id, institution.ror_id, institution.website) == (
        "agh.edu.pl",
        "00bas1c41",
        "https://agh.edu.pl",
    )
    assert institution.email_domains == ["agh.edu.pl", "student.agh.edu.pl"]
    assert institution.aliases == ["Akademia"]
    assert LogEntry.objects.get_for_object(institution).get().actor == office_user


def test_an_update_writes_only_the_fields_it_names(office_user):
    institution = InstitutionFactory(name="AGH", city="Kraków", notes="old")
    # another writer's change since this one was read
    Institution.objects.filter(pk=institution.pk).update(city="Cracow")
    services.institution_update(institution=institution, user=office_user, values={"notes": "new"})
    institution.refresh_from_db()
    assert (institution.city, institution.notes) == ("Cracow", "new")


def test_a_stale_version_raises_a_conflict_and_writes_nothing(office_user):
    institution = InstitutionFactory(name="AGH")
    stale = institution.updated
    services.institution_update(institution=institution, user=office_user, values={"city": "X"})
    with pytest.raises(EditConflict):
        services.institution_update(
            institution=institution, user=office_user, values={"city": "Y"}, expected_updated=stale
        )
    institution.refresh_from_db()
    assert institution.city == "X"


def test_only_an_administrator_moves_the_home_institution(office_user, admin_user):
    institution = InstitutionFactory()
    with pytest.raises(PermissionDenied):
        services.institution_update(
            institution=institution, user=office_user, values={"is_home": True}
        )
    services.institution_update(institution=institution, user=admin_user, values={"is_home": True})
    institution.refresh_from_db()
    assert institution.is_home


def test_bad_identifiers_and_duplicates_are_named_on_their_fields(office_user):
    InstitutionFactory(pic="999876543")
    errors = errors_of(
        lambda: services.institution_create(
            user=office_user,
            values={"name": "X", "country": "PL", "pic": "999876543", "email_domains": ["x"]},
        )
    )
    assert errors == {
        "pic": ["Another institution already has this PIC."],
        "email_domains": ["'x' is not an internet domain such as 'agh.edu.pl'."],
    }


def test_a_unit_tree_stays_inside_one_institution_and_never_loops(
    office_user, engineering, engineering_department
):
    other = UnitFactory(institution=InstitutionFactory())
    loop = errors_of(
        lambda: services.unit_update(
            unit=engineering, user=office_user, values={"parent": engineering_department}
        )
    )
    assert list(loop) == ["parent"]
    elsewhere = errors_of(
        lambda: services.unit_update(unit=other, user=office_user, values={"parent": engineering})
    )
    assert list(elsewhere) == ["parent"]
    engineering.refresh_from_db()
    assert engineering.parent is None


def test_a_coordinator_adds_units_only_below_their_own(
    coordinator_user, home, engineering, economics
):
    with pytest.raises(PermissionDenied):
        services.unit_create(user=coordinator_user, institution=InstitutionFactory(), values={})
    errors = errors_of(
        lambda: services.unit_create(
            user=coordinator_user, institution=home, values={"name": "Lab", "parent": economics}
        )
    )
    assert list(errors) == ["parent"]
    lab = services.unit_create(
        user=coordinator_user, institution=home, values={"name": "Lab", "parent": engineering}
    )
    assert OrganizationalUnit.objects.get(pk=lab.pk).path.startswith(engineering.path)


def test_a_person_given_a_unit_alone_joins_its_institution(office_user, engineering):
    person = PersonFactory(institution=InstitutionFactory())
    services.person_update(person=person, user=office_user, values={"unit": engineering})
    person.refresh_from_db()
    assert (person.institution, person.unit) == (engineering.institution, engineering)


def test_a_persons_unit_belongs_to_their_institution(office_user, engineering):
    partner = InstitutionFactory()
    errors = errors_of(
        lambda: services.person_create(
            user=office_user,
            values={"name_native": "Jan", "institution": partner, "unit": engineering},
        )
    )
    assert list(errors) == ["unit"]
    assert not Person.objects.exists()


def test_a_partnership_keeps_responsible_people_the_user_cannot_see(
    coordinator_user, engineering, economics
):
    partnership = PartnershipFactory()
    partnership.home_units.set([engineering])
    hidden = PersonFactory(institution=economics.institution, unit=economics, is_confidential=True)
    seen = PersonFactory(institution=engineering.institution, unit=engineering)
    partnership.responsible_people.set([hidden])
    services.partnership_update(
        partnership=partnership, user=coordinator_user, values={"responsible_people": [seen]}
    )
    assert set(partnership.responsible_people.all()) == {hidden, seen}


def test_a_partnership_names_only_home_units_and_keeps_its_partner(office_user, engineering):
    partnership = PartnershipFactory()
    foreign = UnitFactory(institution=partnership.partner)
    errors = errors_of(
        lambda: services.partnership_update(
            partnership=partnership, user=office_user, values={"home_units": [foreign]}
        )
    )
    assert list(errors) == ["home_units"]
    errors = errors_of(
        lambda: services.partnership_update(
            partnership=partnership, user=office_user, values={"partner": InstitutionFactory()}
        )
    )
    assert errors == {"partner": ["The partner of a partnership cannot change."]}
