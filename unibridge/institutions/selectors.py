"""Reads shaped for pages, the API and exports: visibility applied, relations pre-loaded."""

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.http import urlencode

from unibridge.core import cldr

from .models import Institution, OrganizationalUnit, Partnership, Person


def institution_list(user) -> QuerySet[Institution]:
    """Institutions flagged ``partnership_visible``: the list names only a partnership the
    user may see."""
    visible = Partnership.objects.visible_to(user).filter(partner=OuterRef("pk"))
    return (
        Institution.objects.visible_to(user)
        .select_related("partnership")
        .annotate(partnership_visible=Exists(visible))
    )


def institution_detail(user) -> QuerySet[Institution]:
    return (
        Institution.objects.visible_to(user)
        .select_related("partnership")
        .annotate(unit_count=Count("units", distinct=True))
    )


def short_name(institution: Institution) -> str:
    """An institution as people say it: its acronym (AGH), else its name in their language."""
    return institution.acronym or institution.display_name


def partnership_name(partnership: Partnership) -> str:
    """A partnership as its two sides: "KIU – AGH" (the partner alone while no home is marked)."""
    home = Institution.home()
    partner = short_name(partnership.partner)
    return f"{short_name(home)} – {partner}" if home is not None else partner


def unit_list(user) -> QuerySet[OrganizationalUnit]:
    return OrganizationalUnit.objects.visible_to(user).select_related("institution", "parent")


def person_list(user) -> QuerySet[Person]:
    return Person.objects.visible_to(user).select_related("institution", "unit")


def partnership_list(user) -> QuerySet[Partnership]:
    return (
        Partnership.objects.visible_to(user)
        .select_related("partner")
        .prefetch_related(
            Prefetch(
                "home_units",
                queryset=OrganizationalUnit.objects.only(
                    "id", "name", "name_en", "name_ru", "name_kk", "name_pl", "uuid"
                ),
            ),
        )
    )


def partnership_detail(user) -> QuerySet[Partnership]:
    return (
        Partnership.objects.visible_to(user)
        .select_related("partner")
        .prefetch_related(
            "home_units",
            Prefetch("responsible_people", queryset=person_list(user)),
        )
    )


@dataclass(frozen=True)
class CountryName:
    """A country as a page shows it: its ISO code (for links) and its CLDR name in the
    reader's language, read when the selector runs (the page's language)."""

    code: str
    name: str

    def __str__(self) -> str:
        return self.name


def home_dashboard(user) -> dict:
    """Figures and lists for the home page, in a constant number of queries."""
    partnerships = Partnership.objects.visible_to(user)
    by_status = dict(partnerships.values_list("status").annotate(n=Count("pk")).order_by())
    by_country = (
        partnerships.values("partner__country")
        .annotate(n=Count("pk"))
        .order_by("-n", "partner__country")[:8]
    )
    mine = Q(responsible_people__user=user)
    if user.unit_scope_ids:
        mine |= Q(home_units__in=user.unit_scope_ids)
    my_partnerships = (
        partnership_list(user)
        .filter(pk__in=partnerships.filter(mine).values("pk"))
        .order_by("partner__name")[:20]
    )
    return {
        "status_counts": [
            (status, label, by_status.get(status, 0))
            # the field is declared with choices, flat ones (no groups)
            for status, label in cast("list[tuple[str, Any]]", Partnership.status.field.choices)
        ],
        # (country, number of partnerships), most first; the country named for the reader
        "partner_countries": [
            (
                CountryName(row["partner__country"], cldr.country_name(row["partner__country"])),
                row["n"],
            )
            for row in by_country
        ],
        "institution_count": Institution.objects.visible_to(user).count(),
        "my_partnerships": my_partnerships,
    }


AGREEMENT_TREE_ROWS = 100


def institution_agreements(user, institution: Institution) -> dict:
    """The partner page's agreements tab: its agreements as a tree, in one query.

    The home institution is party to every agreement: its tab links to the list instead.
    """
    from unibridge.agreements.selectors import institution_agreement_tree  # agreements → here

    list_url = reverse("agreements:agreement_list")
    if institution.is_home:
        return {"agreement_tree": [], "agreements_url": list_url}
    tree = institution_agreement_tree(user, institution)
    partner_query = urlencode({"partner": str(institution.uuid)})
    return {
        # the newest first; a partner with hundreds continues in the list (filters, export)
        "agreement_tree": tree[:AGREEMENT_TREE_ROWS],
        "agreement_count": len(tree),
        "agreements_url": f"{list_url}?{partner_query}",
        "new_agreement_url": f"{reverse('agreements:agreement_create')}?{partner_query}",
    }
