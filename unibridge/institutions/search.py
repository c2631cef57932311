"""Institutions, units, people and partnerships in the global search.

A country is indexed by its CLDR name in every interface language, so 'Казахстан',
'Қазақстан', 'Kazachstan' and 'Kazakhstan' all find an institution in Kazakhstan.

Imported by ``InstitutionsConfig.ready()``; see ``unibridge.core.search`` for the weights.
"""

from unibridge.core import cldr, search
from unibridge.core.tables import choice_label

from .models import Institution, OrganizationalUnit, Partnership, Person


def institution_fields(institution: Institution) -> list[tuple[object, int]]:
    return [
        *((name, search.NAME) for name in institution.all_names()),
        *((alias, search.ALIAS) for alias in institution.aliases or []),
        (institution.acronym, search.ALIAS),
        (institution.city, search.DETAIL),
        *((name, search.DETAIL) for name in cldr.country_names(str(institution.country))),
        (institution.erasmus_code, search.DETAIL),
        (institution.hei_id, search.DETAIL),
        (institution.pic, search.DETAIL),
        (institution.ror_id, search.DETAIL),
    ]


def institution_subtitle(institution: Institution) -> str:
    return ", ".join(part for part in (institution.city, institution.country.name) if part)


def unit_fields(unit: OrganizationalUnit) -> list[tuple[object, int]]:
    return [
        *((name, search.NAME) for name in unit.all_names()),
        (unit.acronym, search.ALIAS),
        (unit.institution.acronym, search.CONTEXT),
    ]


def person_fields(person: Person) -> list[tuple[object, int]]:
    return [
        (person.name_native, search.NAME),
        (person.name_latin, search.NAME),
        (person.research_keywords, search.DETAIL),
        (person.position, search.CONTEXT),
        (person.unit.acronym if person.unit else "", search.CONTEXT),
        (person.institution.acronym if person.institution else "", search.CONTEXT),
    ]


def person_subtitle(person: Person) -> str:
    place = person.unit or person.institution
    return ", ".join(str(part) for part in (person.position, place) if part)


def partnership_fields(partnership: Partnership) -> list[tuple[object, int]]:
    partner = partnership.partner
    return [
        *((name, search.NAME) for name in partner.all_names()),
        *((alias, search.ALIAS) for alias in partner.aliases or []),
        (partner.acronym, search.ALIAS),
        (partner.city, search.DETAIL),
        *((name, search.DETAIL) for name in cldr.country_names(str(partner.country))),
    ]


INSTITUTIONS = search.searchable(
    Institution,
    kind="institution",
    fields=institution_fields,
    title=lambda institution: institution.display_name,
    subtitle=institution_subtitle,
)
UNITS = search.searchable(
    OrganizationalUnit,
    kind="unit",
    fields=unit_fields,
    title=lambda unit: unit.display_name,
    subtitle=lambda unit: unit.institution.display_name,
    queryset=OrganizationalUnit.objects.select_related("institution"),
    depends_on={Institution: "institution"},
)
PEOPLE = search.searchable(
    Person,
    kind="person",
    fields=person_fields,
    subtitle=person_subtitle,
    queryset=Person.objects.select_related("institution", "unit"),
    depends_on={Institution: "institution", OrganizationalUnit: "unit"},
)
PARTNERSHIPS = search.searchable(
    Partnership,
    kind="partnership",
    fields=partnership_fields,
    title=lambda partnership: partnership.partner.display_name,
    subtitle=choice_label(Partnership, "status"),
    queryset=Partnership.objects.select_related("partner"),
    depends_on={Institution: "partner"},
)
