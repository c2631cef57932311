"""Reads shaped for the agreements pages and API: visibility applied, relations pre-loaded."""

from django.db.models import Prefetch, QuerySet

from .models import Agreement, AgreementParty


def agreement_list(user) -> QuerySet[Agreement]:
    parties = AgreementParty.objects.select_related("institution").order_by("order", "pk")
    return (
        Agreement.objects.visible_to(user)
        .select_related("agreement_type")
        .prefetch_related(Prefetch("parties", queryset=parties))
    )


def agreement_detail(user) -> QuerySet[Agreement]:
    parties = (
        AgreementParty.objects.select_related("institution", "signatory", "signature")
        .prefetch_related("units")
        .order_by("order", "pk")
    )
    return (
        Agreement.objects.visible_to(user)
        .select_related("agreement_type", "parent", "predecessor")
        .prefetch_related(Prefetch("parties", queryset=parties), "responsible_people")
    )
