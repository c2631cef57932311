"""Factories for users (factory_boy, real rows)."""

import factory
from django.contrib.auth import get_user_model

from unibridge.accounts.choices import Role
from unibridge.accounts.models import Duty, DutyHolder


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


class DutyFactory(factory.django.DjangoModelFactory):
    """A duty nobody holds yet; add DutyHolderFactory rows."""

    class Meta:
        model = Duty

    code = factory.Sequence(lambda n: f"test-duty-{n}")
    name = factory.Sequence(lambda n: f"Test duty {n}")
    name_en = factory.LazyAttribute(lambda o: o.name)


class DutyHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyHolder

    duty = factory.SubFactory(DutyFactory)
    user = factory.SubFactory(UserFactory)
