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


def log_in(page, username: str, password: str = "password") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def assert_accessible(page) -> None:
    """Run axe-core on the page; serious and critical violations fail the test."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    summary = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(summary)
