"""Agreements in the global search: by reference, titles, type and the parties' names.

Imported by ``AgreementsConfig.ready()``; see ``unibridge.core.search`` for the weights.
"""

from unibridge.core import search
from unibridge.core.tables import choice_label
from unibridge.institutions.models import Institution

from .models import Agreement, AgreementParty


def agreement_fields(agreement: Agreement) -> list[tuple[object, int]]:
    titles = [agreement.title, agreement.title_en, agreement.title_ru]
    titles += [agreement.title_kk, agreement.title_pl]
    parties = [party.institution for party in agreement.parties.all()]
    return [
        (agreement.reference, search.ALIAS),
        *((title, search.NAME) for title in titles),
        (agreement.agreement_type.name_en or agreement.agreement_type.name, search.DETAIL),
        *((name, search.CONTEXT) for institution in parties for name in institution.all_names()),
        *((institution.acronym, search.CONTEXT) for institution in parties),
    ]


AGREEMENTS = search.searchable(
    Agreement,
    kind="agreement",
    fields=agreement_fields,
    title=lambda agreement: f"{agreement.reference} {agreement.display_title}",
    subtitle=choice_label(Agreement, "status"),
    queryset=Agreement.objects.select_related("agreement_type").prefetch_related(
        "parties__institution"
    ),
    depends_on={AgreementParty: "parties", Institution: "parties__institution"},
    # a hit shows the reference, the title and the status, not the parties
    shown_queryset=Agreement.objects.all(),
)
