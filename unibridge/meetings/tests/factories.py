"""Factories for meetings tests (factory_boy, real rows)."""

import datetime

import factory

from unibridge.meetings.models import ActionItem, Decision, Meeting
from unibridge.visits.tests.factories import VisitFactory, at


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    visit = factory.SubFactory(VisitFactory)
    title = factory.Sequence(lambda n: f"Round table {n}")
    starts_at = factory.LazyAttribute(
        lambda o: at(o.visit.start_date if o.visit else datetime.date(2026, 5, 12), 10)
    )
    time_zone = "Asia/Almaty"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    meeting = factory.SubFactory(MeetingFactory)
    text = factory.Sequence(lambda n: f"Decision {n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(MeetingFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    due_on = datetime.date(2026, 6, 1)
