"""Factories for visits tests (factory_boy, real rows)."""

import datetime
import zoneinfo

import factory

from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.visits.models import ChecklistItem, ProgrammeItem, Visit, VisitParticipant

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")


def at(day: datetime.date, hour: int, minute: int = 0, tz=ALMATY) -> datetime.datetime:
    """An aware datetime in the given zone (the host's by default)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)


class VisitFactory(factory.django.DjangoModelFactory):
    """An incoming visit of a partner to a home institution (pass both for real stories)."""

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Delegation visit {n}")
    visiting_institution = factory.SubFactory(InstitutionFactory)
    host_institution = factory.SubFactory(InstitutionFactory)
    start_date = datetime.date(2026, 5, 12)
    end_date = datetime.date(2026, 5, 14)
    time_zone = "Asia/Almaty"
    purpose = "Round table on joint research"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitParticipant

    visit = factory.SubFactory(VisitFactory)
    person = factory.SubFactory(PersonFactory)


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem
        skip_postgeneration_save = True

    visit = factory.SubFactory(VisitFactory)
    title = factory.Sequence(lambda n: f"Programme item {n}")
    starts_at = factory.LazyAttribute(lambda o: at(o.visit.start_date, 10))
    ends_at = factory.LazyAttribute(lambda o: at(o.visit.start_date, 11))


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    visit = factory.SubFactory(VisitFactory)
    name = factory.Sequence(lambda n: f"Task {n}")
