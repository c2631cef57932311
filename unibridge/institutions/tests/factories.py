"""Factories for institutions, units, people and partnerships (factory_boy, real rows)."""

import factory
import pytest

from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Test University {n}")
    name_en = factory.LazyAttribute(lambda o: o.name)
    country = "PL"
    city = "Kraków"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationalUnit

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Faculty {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name_native = factory.Sequence(lambda n: f"Person {n}")
    institution = factory.SubFactory(InstitutionFactory)


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    partner = factory.SubFactory(InstitutionFactory)


# A test module takes this fixture by assignment (``agh = factories.agh``).
@pytest.fixture
def agh(db) -> Institution:
    """AGH in Kraków, the partner of the document tests, with its names in three languages."""
    return InstitutionFactory(
        name="Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        name_en="AGH University of Krakow",
        name_ru="Горно-металлургическая академия им. Станислава Сташица",
        name_pl="Akademia Górniczo-Hutnicza",
        country="PL",
        city="Kraków",
    )
