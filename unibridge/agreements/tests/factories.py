"""Factories for agreements tests (factory_boy, real rows; services are tested separately)."""

import datetime

import factory

from unibridge.accounts.tests.factories import DutyFactory
from unibridge.agreements.choices import MobilityType, SignatureMethod
from unibridge.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementType,
    ApprovalRouteStep,
    ApprovalStep,
    CooperationCondition,
    LanguageRequirement,
    Signature,
    SubjectArea,
)
from unibridge.institutions.tests.factories import InstitutionFactory


class AgreementTypeFactory(factory.django.DjangoModelFactory):
    """A type without a route; add RouteStepFactory rows for an approval route."""

    class Meta:
        model = AgreementType

    code = factory.Sequence(lambda n: f"test-type-{n}")
    reference_prefix = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Test agreement type {n}")
    name_en = factory.LazyAttribute(lambda o: o.name)


class RouteStepFactory(factory.django.DjangoModelFactory):
    """A route step assigned to ``approver`` when given, else to a new duty nobody holds."""

    class Meta:
        model = ApprovalRouteStep

    agreement_type = factory.SubFactory(AgreementTypeFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")
    approver = None
    duty = factory.Maybe(
        "approver", yes_declaration=None, no_declaration=factory.SubFactory(DutyFactory)
    )


class AgreementFactory(factory.django.DjangoModelFactory):
    """A bare agreement row; use agreement_create in tests of the lifecycle."""

    class Meta:
        model = Agreement

    agreement_type = factory.SubFactory(AgreementTypeFactory)
    reference = factory.Sequence(lambda n: f"TEST-{n:05d}")
    title = factory.Sequence(lambda n: f"Agreement {n}")
    effective_date = datetime.date(2024, 1, 1)
    expiry_date = datetime.date(2029, 12, 31)


class AgreementPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementParty
        skip_postgeneration_save = True

    agreement = factory.SubFactory(AgreementFactory)
    institution = factory.SubFactory(InstitutionFactory)

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        if create and extracted:
            self.units.set(extracted)


class SignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signature

    party = factory.SubFactory(AgreementPartyFactory)
    signed_on = datetime.date(2024, 1, 1)
    place = "Temirtau"
    method = SignatureMethod.INK
    signatory_name = factory.Sequence(lambda n: f"Signatory {n}")


class ApprovalStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalStep

    agreement = factory.SubFactory(AgreementFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")


class CooperationConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CooperationCondition

    agreement = factory.SubFactory(AgreementFactory)
    mobility_type = MobilityType.STUDENT_STUDIES
    sending_institution = factory.SubFactory(InstitutionFactory)
    receiving_institution = factory.SubFactory(InstitutionFactory)
    mobilities_per_year = 2
    total_months_per_year = 10
    eqf_levels = ["6", "7"]
    first_academic_year = "2026/2027"
    last_academic_year = "2028/2029"


class SubjectAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubjectArea

    condition = factory.SubFactory(CooperationConditionFactory)
    isced_code = "0713"


class LanguageRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LanguageRequirement

    condition = factory.SubFactory(CooperationConditionFactory)
    language = "en"
    cefr_level = "B2"
