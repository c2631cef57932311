"""Factories and helpers for tests of every app (factory_boy, real database rows)."""

import factory
from django.contrib.auth import get_user_model

from unibridge.accounts.models import Role
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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    role = Role.VIEWER
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)
        if create:
            self.save()
