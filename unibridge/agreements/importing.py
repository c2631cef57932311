"""Import a legacy register of agreements (the spreadsheet an office keeps) from CSV or XLSX.

Reading, checking and writing are separate steps, shared by the web pages, the management
command and the tests::

    table = read_table(data, file_format="xlsx")
    mapping = suggest_mapping(table.headers)          # or the user's choice
    plan = build_plan(read_rows(table, mapping))       # writes nothing
    # plan.errors: every bad row; plan.partners: how each partner name was matched
    if not plan.errors:
        apply(plan, user, decisions={key: "12" | "new" | "skip"})   # all or nothing

Partners are found in the institution directory with the transliteration-aware search
(``core.search.matching``), so 'Краковская горно-металлургическая академия' and 'Akademia
Górniczo-Hutnicza' both find AGH. A name that fits one institution (or exactly one by its full
name) is matched; one that fits several, or none, waits for the user's decision: one of the
candidates, a new institution with the file's name and country, or skipping its rows.

Imported agreements are already signed: they are not sent through approval. Their status
follows the dates (active from the effective date, expired after the expiry date); one that
only comes into force later keeps the status the file gives, or 'signing'. A reference number
in the file is kept when no other agreement has it; rows without one get the next number of
their type and year (``services.next_reference``).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unibridge.core import cldr, importing, search, tabular
from unibridge.core.importing import (
    ImportFileError,
    ImportRejected,
    RowError,
    SourceRow,
    Table,
    bad_rows_message,  # noqa: F401 (callers read it here)
    error_report,  # noqa: F401 (callers read it here)
    header_key,
)
from unibridge.core.names import fold
from unibridge.core.services import save_record
from unibridge.institutions.models import Institution, Person

from . import services
from .choices import AgreementStatus, SignatureMethod
from .import_values import (
    FINAL_STATUSES,
    IMPORTABLE_STATUSES,
    INDEFINITE,
    YEARS,
    display_value,  # noqa: F401 (callers read it here)
    parse_country,
    parse_date,
    status_lookup,
    text_of,
    type_lookup,
    years_later,
)
from .models import Agreement, AgreementParty, AgreementType, ReferenceCounter, Signature

FORMATS = ("csv", "xlsx")
FIELDS = (
    "reference", "partner", "country", "agreement_type", "title", "signed_on",
    "effective_date", "expiry_date", "status", "responsible", "notes",
)  # fmt: skip
REQUIRED_FIELDS = ("partner", "title")
DATE_FIELDS = ("signed_on", "effective_date", "expiry_date")
MAX_CANDIDATES = 8

FIELD_LABELS = {
    "reference": gettext_lazy("Reference number"),
    "partner": gettext_lazy("Partner institution"),
    "country": gettext_lazy("Partner's country"),
    "agreement_type": gettext_lazy("Type"),
    "title": gettext_lazy("Title"),
    "signed_on": gettext_lazy("Signed on"),
    "effective_date": gettext_lazy("Effective from"),
    "expiry_date": gettext_lazy("Valid until"),
    "status": gettext_lazy("Status"),
    "responsible": gettext_lazy("Responsible person"),
    "notes": gettext_lazy("Notes"),
}

# Column headers recognised without a mapping, best first; compared folded (lower-case ASCII,
# Cyrillic transliterated, diacritics dropped), so 'Партнёр' and 'партнер' are alike.
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "reference": (
        "reference", "reference number", "ref", "ref no", "agreement number", "number", "no",
        "№", "№ договора", "№ соглашения", "номер", "номер договора", "номер соглашения",
        "регистрационный номер", "рег номер", "тіркеу нөмірі", "нөмірі", "numer",
        "numer umowy", "nr umowy", "nr", "sygnatura",
    ),
    "partner": (
        "partner", "partner institution", "partner university", "partner organisation",
        "partner organization", "institution", "university", "партнёр", "партнер",
        "вуз партнер", "вуз-партнёр", "организация партнер", "партнерская организация",
        "университет партнер", "организация", "университет", "серіктес", "серіктес ұйым",
        "uczelnia partnerska", "instytucja partnerska", "partner zagraniczny", "uczelnia",
        "instytucja",
    ),
    "country": ("country", "partner country", "страна", "страна партнера", "ел", "мемлекет",
                "kraj", "państwo"),
    "agreement_type": (
        "type", "agreement type", "kind", "тип", "тип соглашения", "вид", "вид соглашения",
        "вид договора", "түрі", "келісім түрі", "typ", "typ umowy", "rodzaj", "rodzaj umowy",
    ),
    "title": (
        "title", "agreement", "subject", "name", "agreement title", "название",
        "наименование", "наименование соглашения", "название соглашения", "предмет",
        "предмет соглашения", "тема", "атауы", "келісім атауы", "tytuł", "nazwa",
        "nazwa umowy", "przedmiot", "przedmiot umowy", "tytuł umowy",
    ),
    "signed_on": (
        "signed", "signed on", "date signed", "signing date", "date of signing", "signature date",
        "дата подписания", "подписан", "подписано", "дата заключения",
        "қол қойылған күні", "data zawarcia", "data podpisania", "zawarta", "podpisana",
    ),
    "effective_date": (
        "effective", "effective from", "effective date", "valid from", "start", "start date",
        "from", "дата вступления в силу", "вступает в силу", "действует с", "начало",
        "дата начала", "күшіне енген күні", "басталуы", "obowiązuje od", "ważna od",
        "data wejścia w życie", "data rozpoczęcia", "od",
    ),
    "expiry_date": (
        "valid until", "expires", "expires on", "expiry", "expiry date", "expiration date",
        "end", "end date", "valid to", "until", "срок действия", "действует до",
        "дата окончания", "окончание", "срок окончания", "действителен до", "аяқталуы",
        "қолданылу мерзімі", "ważna do", "obowiązuje do", "data wygaśnięcia",
        "termin obowiązywania", "data zakończenia", "do",
    ),
    "status": ("status", "state", "статус", "состояние", "мәртебесі", "status umowy", "stan"),
    "responsible": (
        "responsible", "responsible person", "contact person", "coordinator", "ответственный",
        "ответственное лицо", "куратор", "координатор", "жауапты", "жауапты тұлға",
        "osoba odpowiedzialna", "odpowiedzialny", "koordynator", "opiekun",
    ),
    "notes": ("notes", "note", "comments", "comment", "remarks", "примечание", "примечания",
              "комментарий", "ескертпе", "uwagi", "komentarz"),
}  # fmt: skip


@dataclass
class PartnerMatch:
    """One partner name of the file (with its country) and what the directory offers for it."""

    key: str
    name: str
    country: str  # ISO code, '' when the file gives none
    rows: list[int] = field(default_factory=list)
    candidates: list[Institution] = field(default_factory=list)
    match: Institution | None = None
    how: str = ""  # 'name' (the full name or acronym), 'search' (the only hit), '' (undecided)

    @property
    def field_name(self) -> str:
        """A stable form field name for the decision about this partner."""
        return "partner_" + hashlib.sha1(self.key.encode()).hexdigest()[:16]

    @property
    def can_create(self) -> bool:
        return bool(self.country)

    @property
    def country_name(self) -> str:
        """The country in the reader's language ('' when the file gives none)."""
        return cldr.country_name(self.country)


@dataclass
class PlannedAgreement:
    row: int
    partner_key: str
    agreement_type: AgreementType
    reference: str
    title: str
    signed_on: datetime.date | None
    effective_date: datetime.date | None
    expiry_date: datetime.date | None
    status: str
    responsible: list[Person]
    notes: str

    @property
    def status_label(self) -> str:
        return str(AgreementStatus(self.status).label)


@dataclass
class ImportPlan(importing.ImportPlan):
    """What importing a file would do; nothing is written until apply()."""

    agreements: list[PlannedAgreement] = field(default_factory=list)
    partners: list[PartnerMatch] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def unresolved(self) -> list[PartnerMatch]:
        return [partner for partner in self.partners if partner.match is None]

    @property
    def matched(self) -> list[PartnerMatch]:
        return [partner for partner in self.partners if partner.match is not None]

    def partner(self, key: str) -> PartnerMatch:
        return next(partner for partner in self.partners if partner.key == key)


@dataclass(frozen=True)
class ImportResult(importing.ImportResult):
    skipped: int
    institutions_created: int
    agreement_ids: list[int]


# --- Reading files -----------------------------------------------------------------------------


def detect_format(filename: str) -> str:
    """'csv' or 'xlsx', from the file name."""
    return importing.detect_format(filename, FORMATS)


def read_table(data: tabular.Source, *, file_format: str, max_rows: int | None = None) -> Table:
    """The header row and the records of a CSV or XLSX file (its bytes or its path).

    Raises ImportFileError, also for a file over the limits of rows (IMPORT_MAX_ROWS, or
    ``max_rows`` if lower: tabular.TooManyRows), columns or size, before reading it all.
    """
    return importing.read_table(
        data, file_format=file_format, formats=FORMATS, keep_dates=True, max_rows=max_rows
    )


# --- Mapping columns to fields ------------------------------------------------------------------


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """The column each field is most likely in, by the usual headers in four languages."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(header_key(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target in FIELDS:
        for known in DEFAULT_HEADERS[target]:
            header = by_key.get(header_key(known))
            if header is not None and header not in used:
                mapping[target] = header
                used.add(header)
                break
    return mapping


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> dict[str, str]:
    """The mapping without empty entries; raises ImportFileError when it does not fit."""
    mapping = importing.check_fields(mapping, FIELDS)
    resolved = {
        target: importing.find_header(header, target, headers) for target, header in mapping.items()
    }
    repeated = [h for h in dict.fromkeys(resolved.values()) if list(resolved.values()).count(h) > 1]
    if repeated:
        raise ImportFileError(
            _("The column “%(header)s” is given for more than one field.") % {"header": repeated[0]}
        )
    missing = [FIELD_LABELS[name] for name in REQUIRED_FIELDS if name not in resolved]
    if missing:
        raise ImportFileError(
            _("Choose the column that holds: %(fields)s.")
            % {"fields": ", ".join(str(label) for label in missing)}
        )
    return resolved


def read_rows(table: Table, mapping: Mapping[str, str]) -> list[SourceRow]:
    """The table's records keyed by our field names (see check_mapping)."""
    mapping = check_mapping(mapping, table.headers)
    return importing.source_rows(
        table.records, {target: [header] for target, header in mapping.items()}
    )


# --- Values ---------------------------------------------------------------------------------------


# --- Planning -----------------------------------------------------------------------------------


class _Planner:
    def __init__(self, default_type: AgreementType | None, today: datetime.date) -> None:
        self.default_type = default_type
        self.today = today
        self.plan = ImportPlan()
        self.home = Institution.objects.filter(is_home=True).first()
        if self.home is None:
            raise ImportFileError(
                _("No home institution is recorded; mark it in the directory first.")
            )
        self.types = type_lookup()
        self.statuses = status_lookup()
        self.partners: dict[str, PartnerMatch] = {}
        self.people: dict[str, Person | None] = {}
        self.references: dict[str, int] = {}
        self.reference_column = ""

    def error(self, row: SourceRow, target: str, message: str) -> None:
        raw = row.values.get(target)
        value = "" if raw is None else text_of(raw)
        self.plan.errors.append(RowError(row.number, row.columns.get(target, ""), message, value))

    def warn(self, row: SourceRow, target: str, message: str) -> None:
        raw = row.values.get(target)
        value = "" if raw is None else text_of(raw)
        self.plan.warnings.append(RowError(row.number, row.columns.get(target, ""), message, value))

    def run(self, rows: Sequence[SourceRow]) -> ImportPlan:
        self.plan.rows = len(rows)
        for row in rows:
            self.check_row(row)
        self.check_references()
        self.plan.partners = list(self.partners.values())
        self.plan.errors.sort(key=lambda error: error.row)
        return self.plan

    def check_row(self, row: SourceRow) -> None:
        values = row.values
        errors_before = len(self.plan.errors)
        for target in REQUIRED_FIELDS:
            if target not in values:
                self.error(row, target, _("This cell is empty; it is required."))
        title = text_of(values.get("title", ""))
        if len(title) > Agreement._meta.get_field("title").max_length:
            self.error(row, "title", _("The title is longer than 500 characters."))
        reference = text_of(values.get("reference", ""))
        if len(reference) > Agreement._meta.get_field("reference").max_length:
            self.error(row, "reference", _("The reference number is longer than 60 characters."))
        agreement_type = self.agreement_type(row)
        country = ""
        if "country" in values:
            country = parse_country(text_of(values["country"])) or ""
            if not country:
                self.error(
                    row,
                    "country",
                    _("Unknown country; use an ISO code such as PL or the country's name."),
                )
        dates = self.dates(row)
        status = self.status(row, dates)
        responsible, notes = self.responsible(row)
        if len(self.plan.errors) > errors_before or agreement_type is None or status is None:
            return
        if reference:
            self.reference_column = row.columns.get("reference", "")
            self.references.setdefault(reference, row.number)
            if self.references[reference] != row.number:
                self.error(
                    row,
                    "reference",
                    _("Row %(row)d has the same reference number.")
                    % {"row": self.references[reference]},
                )
                return
        partner = self.partner(text_of(values["partner"]), country)
        partner.rows.append(row.number)
        self.plan.agreements.append(
            PlannedAgreement(
                row=row.number,
                partner_key=partner.key,
                agreement_type=agreement_type,
                reference=reference,
                title=title,
                signed_on=dates["signed_on"],
                effective_date=dates["effective_date"],
                expiry_date=dates["expiry_date"],
                status=status,
                responsible=responsible,
                notes=notes,
            )
        )

    def agreement_type(self, row: SourceRow) -> AgreementType | None:
        raw = row.values.get("agreement_type")
        if raw is None:
            if self.default_type is None:
                self.error(
                    row, "agreement_type", _("The type is missing and no default type is chosen.")
                )
            return self.default_type
        found = self.types.find(text_of(raw))
        if isinstance(found, AgreementType):
            return found
        if found:
            self.error(
                row,
                "agreement_type",
                _("This fits several types (%(types)s); write the type's code.")
                % {"types": ", ".join(t.code for t in found)},
            )
        else:
            self.error(
                row,
                "agreement_type",
                _("Unknown agreement type; use one of: %(types)s.")
                % {"types": ", ".join(self.types.codes)},
            )
        return None

    def dates(self, row: SourceRow) -> dict[str, datetime.date | None]:
        dates: dict[str, datetime.date | None] = dict.fromkeys(DATE_FIELDS)
        indefinite = False
        years = 0
        for target in DATE_FIELDS:
            raw = row.values.get(target)
            if raw is None:
                continue
            if target == "expiry_date" and not isinstance(raw, datetime.date):
                text = fold(text_of(raw))
                if text in INDEFINITE:
                    indefinite = True
                    continue
                duration = YEARS.match(text_of(raw))
                if duration:
                    years = int(duration.group(1))
                    continue
            try:
                dates[target] = parse_date(raw)
            except ValueError:
                self.error(
                    row,
                    target,
                    _(
                        "Not a date; write it as dd.mm.yyyy (31.12.2027) "
                        "or yyyy-mm-dd (2027-12-31)."
                    ),
                )
        if dates["effective_date"] is None:
            dates["effective_date"] = dates["signed_on"]
        effective, expiry, signed = (
            dates["effective_date"],
            dates["expiry_date"],
            dates["signed_on"],
        )
        if years and not indefinite:
            if effective is None:
                self.error(row, "expiry_date", _("A duration needs an effective or signing date."))
            else:
                expiry = dates["expiry_date"] = years_later(effective, years)
        if effective and expiry and expiry <= effective:
            self.error(row, "expiry_date", _("The expiry date must come after the effective date."))
        if signed and signed > self.today:
            self.error(row, "signed_on", _("A signature cannot be dated in the future."))
        return dates

    def status(self, row: SourceRow, dates: Mapping[str, datetime.date | None]) -> str | None:
        given = ""
        raw = row.values.get("status")
        if raw is not None:
            given = self.statuses.get(fold(text_of(raw)), "")
            if not given:
                self.error(
                    row,
                    "status",
                    _("Unknown status; use one of: %(statuses)s.")
                    % {
                        "statuses": ", ".join(
                            str(AgreementStatus(s).label) for s in IMPORTABLE_STATUSES
                        )
                    },
                )
                return None
        if given in FINAL_STATUSES:
            return given
        effective, expiry = dates["effective_date"], dates["expiry_date"]
        # In force through its expiry date, as the daily job counts it.
        if expiry is not None and expiry < self.today:
            return AgreementStatus.EXPIRED
        if effective is None or effective <= self.today:
            return AgreementStatus.ACTIVE
        if given in (AgreementStatus.SIGNING, ""):
            if dates["signed_on"] is None:
                self.warn(
                    row,
                    "signed_on",
                    _(
                        "Comes into force later but has no signing date: it stays in signing "
                        "until the signatures are recorded."
                    ),
                )
            return AgreementStatus.SIGNING
        return given

    def responsible(self, row: SourceRow) -> tuple[list[Person], str]:
        notes = text_of(row.values["notes"]) if "notes" in row.values else ""
        raw = row.values.get("responsible")
        if raw is None:
            return [], notes
        name = text_of(raw)
        if name not in self.people:
            self.people[name] = _find_person(name, self.home)
        person = self.people[name]
        if person is not None:
            return [person], notes
        self.warn(
            row,
            "responsible",
            _("No single person of the home institution has this name; it is kept in the notes."),
        )
        line = _("Responsible (from the register): %(name)s") % {"name": name}
        return [], "\n".join(part for part in (notes, line) if part)

    def partner(self, name: str, country: str) -> PartnerMatch:
        key = f"{fold(name)}|{country}"
        if key not in self.partners:
            partner = PartnerMatch(key=key, name=name, country=country)
            partner.match, partner.how, partner.candidates = find_partner(
                name, country, exclude=self.home
            )
            self.partners[key] = partner
        return self.partners[key]

    def check_references(self) -> None:
        if not self.references:
            return
        taken = set(
            Agreement.objects.filter(reference__in=list(self.references)).values_list(
                "reference", flat=True
            )
        )
        if not taken:
            return
        kept = []
        for item in self.plan.agreements:
            if item.reference in taken:
                self.plan.errors.append(
                    RowError(
                        item.row,
                        self.reference_column,
                        _("Another agreement already has the reference number “%(reference)s”.")
                        % {"reference": item.reference},
                        item.reference,
                    )
                )
                partner = self.partners[item.partner_key]
                partner.rows.remove(item.row)
            else:
                kept.append(item)
        self.plan.agreements = kept
        self.partners = {key: p for key, p in self.partners.items() if p.rows}


def _names_of(institution: Institution) -> set[str]:
    names = [*institution.all_names(), *(institution.aliases or []), institution.acronym]
    return {fold(name) for name in names if name}


def find_partner(
    name: str, country: str = "", *, exclude: Institution | None = None
) -> tuple[Institution | None, str, list[Institution]]:
    """(the institution, how it was found, the candidates) for a partner's name.

    Matched when exactly one institution has this very name (in any language or script, or
    as an alias or acronym), or when the search finds only one; candidates otherwise.
    Institutions in the given country come first, and alone when there are any.
    """
    query = search.matching(name, Institution)
    if query is None:
        return None, "", []
    found = Institution.objects.filter(query)
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    candidates = list(found.order_by("name", "pk")[:50])
    if country:
        in_country = [i for i in candidates if i.country.code == country]
        candidates = in_country or candidates
    folded = fold(name)
    exact = [i for i in candidates if folded in _names_of(i)]
    if len(exact) == 1:
        return exact[0], "name", exact
    if len(candidates) == 1:
        return candidates[0], "search", candidates
    others = [i for i in candidates if i not in exact]
    return None, "", (exact + others)[:MAX_CANDIDATES]


def _find_person(name: str, home: Institution) -> Person | None:
    query = search.matching(name, Person)
    if query is None:
        return None
    people = list(Person.objects.filter(query, institution=home)[:2])
    return people[0] if len(people) == 1 else None


def build_plan(
    rows: Sequence[SourceRow],
    *,
    default_type: AgreementType | None = None,
    today: datetime.date | None = None,
) -> ImportPlan:
    """Check every row against the file and the database and say what importing would do."""
    return _Planner(default_type, today or timezone.localdate()).run(rows)


def plan_import(
    data: tabular.Source,
    *,
    file_format: str,
    mapping: Mapping[str, str] | None = None,
    default_type: AgreementType | None = None,
) -> ImportPlan:
    """read_table(), read_rows() and build_plan() in one call.

    ``mapping`` is the whole mapping (field → column); None takes the suggested one.
    """
    table = read_table(data, file_format=file_format)
    if mapping is None:
        mapping = suggest_mapping(table.headers)
    plan = build_plan(read_rows(table, mapping), default_type=default_type)
    used = set(check_mapping(mapping, table.headers).values())
    plan.ignored_columns = [header for header in table.headers if header not in used]
    return plan


def merge_mapping(suggested: Mapping[str, str], given: Mapping[str, str]) -> dict[str, str]:
    """The suggested mapping with the given columns in place; a column serves one field only.

    A given empty header ('status=') leaves that field out.
    """
    given_headers = {header for header in given.values() if header}
    merged = {
        target: header
        for target, header in suggested.items()
        if target not in given and header not in given_headers
    }
    merged.update({target: header for target, header in given.items() if header})
    return merged


def decision_errors(plan: ImportPlan, decisions: Mapping[str, str]) -> list[str]:
    """What is wrong with the decisions about the partners (empty: every partner is settled)."""
    problems = []
    for partner in plan.partners:
        choice = decisions.get(partner.key, "")
        if not choice:
            if partner.match is None:
                problems.append(
                    _("Choose what to do with the partner “%(name)s”.") % {"name": partner.name}
                )
            continue
        if choice == "skip":
            continue
        if choice == "new":
            if not partner.can_create:
                problems.append(
                    _(
                        "The file gives no country for “%(name)s”; choose an institution "
                        "or skip its rows."
                    )
                    % {"name": partner.name}
                )
            continue
        if choice not in {str(i.pk) for i in partner.candidates}:
            problems.append(
                _("Choose one of the institutions offered for “%(name)s”.") % {"name": partner.name}
            )
    return problems


# --- Writing --------------------------------------------------------------------------------------


def apply(plan: ImportPlan, user, decisions: Mapping[str, str] | None = None) -> ImportResult:
    """Write a clean plan in one transaction, audited as ``user``; all or nothing.

    ``decisions`` maps a partner's key to an institution id among its candidates, 'new' (a
    new institution with the file's name and country) or 'skip' (its rows are left out);
    a partner matched automatically needs none. Raises ImportRejected and writes nothing when
    the plan has bad rows, a partner is undecided, or the database refuses a row.
    """
    decisions = dict(decisions or {})
    importing.reject_bad_rows(plan)
    problems = decision_errors(plan, decisions)
    if problems:
        raise ImportRejected(" ".join(problems))
    home = Institution.objects.filter(is_home=True).first()
    if home is None:
        raise ImportRejected(_("No home institution is recorded; mark it in the directory first."))
    not_recorded = _("not recorded (imported)")

    def write(actor) -> tuple[list[int], int]:
        institutions, created_institutions = _resolve_partners(plan, decisions, actor)
        items = [item for item in plan.agreements if institutions[item.partner_key]]
        # Numbers given by the file first, so that a generated one never takes them.
        items.sort(key=lambda item: (not item.reference, item.row))
        references = _References()
        ids = []
        for item in items:
            agreement = _write_agreement(
                item, home, institutions[item.partner_key], actor, not_recorded, references
            )
            ids.append(agreement.pk)
        references.save()
        search.reindex(Agreement, ids)
        return ids, created_institutions

    ids, created_institutions = importing.apply_plan(plan, user, write)
    return ImportResult(
        created=len(ids),
        skipped=len(plan.agreements) - len(ids),
        institutions_created=created_institutions,
        agreement_ids=ids,
    )


def _resolve_partners(
    plan: ImportPlan, decisions: Mapping[str, str], actor
) -> tuple[dict[str, Institution | None], int]:
    institutions: dict[str, Institution | None] = {}
    created = 0
    for partner in plan.partners:
        choice = decisions.get(partner.key, "")
        if choice == "skip":
            institutions[partner.key] = None
        elif choice == "new":
            institution = Institution(name=partner.name, country=partner.country)
            institutions[partner.key] = save_record(instance=institution, user=actor)
            created += 1
        elif choice:
            institutions[partner.key] = next(i for i in partner.candidates if str(i.pk) == choice)
        else:
            institutions[partner.key] = partner.match
    return institutions, created


class _References:
    """Reference numbers for rows without one, by ``services.take_reference``.

    Each type and year's counter is locked and read once, and written once at the end,
    instead of three queries per agreement; the numbers and the rule (skip a number another
    agreement has, never reuse one) are the same.
    """

    def __init__(self) -> None:
        self.counters: dict[tuple[int, int], ReferenceCounter] = {}

    def next(self, agreement_type: AgreementType, year: int) -> str:
        key = (agreement_type.pk, year)
        counter = self.counters.get(key)
        if counter is None:
            counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
                agreement_type=agreement_type, year=year
            )
            self.counters[key] = counter
        return services.take_reference(counter, agreement_type=agreement_type, year=year)

    def save(self) -> None:
        for counter in self.counters.values():
            counter.save(update_fields=["last_number"])


# What the plan has checked already (the file's references against the database, dates in
# order, the partner apart from the home institution) or the import set itself (the type,
# the records just written): validating them again would cost a query per field and row, and
# the database's constraints still refuse a clash, which apply() reports.
AGREEMENT_CHECKED = ("agreement_type", "reference", "uuid", "effective_date", "expiry_date")
PARTY_CHECKED = ("agreement", "institution")
SIGNATURE_CHECKED = ("party", "recorded_by")


def _write_agreement(
    item: PlannedAgreement,
    home: Institution,
    partner: Institution,
    actor,
    not_recorded: str,
    references: _References,
) -> Agreement:
    agreement = Agreement(
        agreement_type=item.agreement_type,
        title=item.title,
        status=item.status,
        effective_date=item.effective_date,
        expiry_date=item.expiry_date,
        notes=item.notes,
    )
    if item.reference:
        agreement.reference = item.reference
    else:
        when = item.effective_date or item.signed_on or timezone.localdate()
        agreement.reference = references.next(item.agreement_type, when.year)
    # Saved without signals: a saved agreement, and each party saved to it, would reindex it
    # for the search (about ten queries each time); apply() reindexes all of them at the end.
    importing.bulk_write(Agreement, create=[agreement], validate_exclude=AGREEMENT_CHECKED)
    if item.responsible:
        agreement.responsible_people.set(item.responsible)  # audited as a many-to-many change
    parties = [
        AgreementParty(agreement=agreement, institution=institution, order=order)
        for order, institution in enumerate((home, partner))
    ]
    importing.bulk_write(AgreementParty, create=parties, validate_exclude=PARTY_CHECKED)
    for party in parties:
        if item.signed_on is not None:
            save_record(
                instance=Signature(
                    party=party,
                    signed_on=item.signed_on,
                    method=SignatureMethod.INK,
                    signatory_name=not_recorded,
                    recorded_by=actor,
                ),
                user=actor,
                exclude_validation=SIGNATURE_CHECKED,
            )
    return agreement
