"""Import institutions from the world universities JSON, CSV and XLSX files.

Reading, checking and writing are separate steps so that the management command, the web
preview and the tests share them::

    rows = read_rows(data, file_format="csv", mapping={"name": "University"})
    plan = build_plan(rows)   # writes nothing; plan.errors lists every bad row
    if not plan.errors:      # one transaction, audited, all or nothing:
        services.institutions_import(plan=plan, user=user)

A row is matched to an existing institution, in this order, by an identifier (hei-id,
Erasmus code, PIC, ROR id), by any internet name (e-mail domain, hei-id, website host), then
by its folded name in the same country, so importing a file again updates what it created
and never duplicates it. Updates never blank a stored value with an empty cell and never
touch fields the file does not have.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from unibridge.core import cldr, importing, tabular
from unibridge.core.importing import (
    ImportFileError,
    ImportRejected,  # noqa: F401 (callers read it here)
    Progress,
    RowError,
    SourceRow,
    bad_rows_message,  # noqa: F401 (callers read it here)
    header_key,
)
from unibridge.core.names import fold

from .choices import InstitutionType
from .models import Institution
from .validators import normalize_ror, validate_domain

FORMATS = ("json", "csv", "xlsx")
FIELDS = (
    "name", "name_en", "name_ru", "name_kk", "name_pl", "aliases", "acronym", "kind",
    "country", "city", "address", "website", "email_domains",
    "hei_id", "erasmus_code", "pic", "ror_id",
)  # fmt: skip
NAME_FIELDS = ("name", "name_en", "name_ru", "name_kk", "name_pl")
IDENTIFIER_FIELDS = ("hei_id", "erasmus_code", "pic", "ror_id")
LIST_FIELDS = ("aliases", "email_domains")
BATCH_SIZE = importing.BATCH_SIZE
PROGRESS_EVERY = 250
INTERFACE_LANGUAGES = ("en", "ru", "kk", "pl")

# Column headers recognised without a mapping, best first (compared by core.importing's
# header_key: folded, so case, hyphens, underscores and diacritics do not count). The JSON
# keys of the world universities file are here too: alpha_two_code comes before country
# because a code is never ambiguous.
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "official name", "institution", "institution name", "university",
        "university name", "organisation", "organization", "название", "наименование",
        "полное наименование", "атауы", "nazwa", "nazwa uczelni", "uczelnia",
    ),
    "name_en": ("name_en", "name in english", "english name", "name (en)",
                "название на английском", "ағылшынша атауы", "nazwa angielska",
                "nazwa w języku angielskim"),
    "name_ru": ("name_ru", "name in russian", "russian name", "name (ru)",
                "название на русском", "орысша атауы", "nazwa rosyjska",
                "nazwa w języku rosyjskim"),
    "name_kk": ("name_kk", "name in kazakh", "kazakh name", "name (kk)",
                "название на казахском", "қазақша атауы", "nazwa kazachska",
                "nazwa w języku kazachskim"),
    "name_pl": ("name_pl", "name in polish", "polish name", "name (pl)",
                "название на польском", "полякша атауы", "nazwa polska",
                "nazwa w języku polskim"),
    "aliases": ("aliases", "alias", "other names", "also known as", "другие названия",
                "басқа атаулары", "inne nazwy"),
    "acronym": ("acronym", "abbreviation", "short name", "аббревиатура", "сокращение",
                "қысқартылған атауы", "skrót", "akronim"),
    "kind": ("kind", "type", "institution type", "тип", "түрі", "typ", "rodzaj"),
    "country": ("alpha_two_code", "country code", "iso code", "country", "страна",
                "код страны", "ел", "мемлекет", "kraj", "państwo", "kod kraju"),
    "city": ("city", "town", "город", "қала", "miasto", "miejscowość"),
    "address": ("address", "адрес", "мекенжай", "adres"),
    "website": ("website", "web site", "web_pages", "web page", "homepage", "url", "www",
                "сайт", "веб сайт", "strona", "strona www", "strona internetowa"),
    "email_domains": ("email_domains", "domains", "domain", "e-mail domains", "e-mail domain",
                      "email domain", "домены", "домен", "домендер", "domeny", "domena"),
    "hei_id": ("hei_id", "hei id", "heiid", "schac", "schac code", "schac id", "ewp hei id"),
    "erasmus_code": ("erasmus_code", "erasmus code", "erasmus", "erasmus id", "erasmus+ code",
                     "kod erasmus"),
    "pic": ("pic", "pic code", "pic number", "participant identification code"),
    "ror_id": ("ror_id", "ror", "ror id", "ror identifier"),
}  # fmt: skip

# Country names of registers that CLDR spells differently (ISO 3166's, common usage), folded.
COUNTRY_ALIASES = {
    "bolivia plurinational state of": "BO",
    "cape verde": "CV",
    "congo the democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "great britain": "GB",
    "holy see vatican city state": "VA",
    "iran islamic republic of": "IR",
    "korea republic of": "KR",
    "korea democratic people s republic of": "KP",
    "kosovo": "XK",
    "moldova republic of": "MD",
    "north korea": "KP",
    "russian federation": "RU",
    "south korea": "KR",
    "taiwan province of china": "TW",
    "tanzania united republic of": "TZ",
    "turkey": "TR",
    "turkiye": "TR",
    "uk": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "venezuela bolivarian republic of": "VE",
    "viet nam": "VN",
    "virgin islands british": "VG",
}


@dataclass
class RowSet:
    """What a reader made of a file."""

    file_format: str
    rows: list[SourceRow]
    columns: dict[str, list[str]]
    ignored_columns: list[str]


@dataclass
class PlannedCreate:
    row: int
    institution: Institution


@dataclass
class PlannedUpdate:
    row: int
    original: Institution
    institution: Institution
    changes: dict[str, tuple[Any, Any]]
    matched_by: str


@dataclass
class ImportPlan(importing.ImportPlan):
    """What importing a file would do; nothing is written until apply()."""

    to_create: list[PlannedCreate] = field(default_factory=list)
    to_update: list[PlannedUpdate] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.to_create or self.to_update)


@dataclass(frozen=True)
class ImportResult(importing.ImportResult):
    updated: int
    unchanged: int
    created_ids: list[int]
    updated_ids: list[int]


# --- Reading files -----------------------------------------------------------------------------


def detect_format(filename: str) -> str:
    """The format a file name suggests: 'json', 'csv' or 'xlsx'."""
    return importing.detect_format(filename, FORMATS)


def read_rows(
    data: tabular.Source, *, file_format: str, mapping: Mapping[str, str] | None = None
) -> RowSet:
    """Read a JSON, CSV or XLSX file (its bytes or its path) into rows keyed by our field names.

    ``mapping`` maps our field names to the file's column headers (or JSON keys); fields it
    leaves out are found by their usual headers. Raises :class:`ImportFileError`, also for a
    file over the limits of rows, columns or size (see ``tabular``) before reading it all.
    """
    mapping = importing.check_fields(mapping or {}, FIELDS)
    table = importing.read_table(
        data,
        file_format=file_format,
        formats=FORMATS,
        keep_dates=False,
        not_a_list=_("The JSON file must hold a list of institutions."),
    )
    columns, ignored = _resolve_columns(table.headers, mapping)
    rows = importing.source_rows(table.records, columns)
    return RowSet(file_format=file_format, rows=rows, columns=columns, ignored_columns=ignored)


def _resolve_columns(
    headers: Sequence[str], mapping: Mapping[str, str]
) -> tuple[dict[str, list[str]], list[str]]:
    """For each field the headers that feed it, best first; and the headers nothing reads."""
    by_key: dict[str, str] = {}
    repeated: set[str] = set()  # keys that more than one header has
    for header in headers:
        key = header_key(header)
        if not key:
            continue
        if key in by_key:
            repeated.add(key)
        else:
            by_key[key] = header
    columns: dict[str, list[str]] = {}
    used: set[str] = set()
    for target, header in mapping.items():
        actual = importing.find_header(header, target, headers)
        columns[target] = [actual]
        used.add(actual)
    for target in FIELDS:
        if target in columns:
            continue
        found = [by_key[header_key(h)] for h in DEFAULT_HEADERS[target] if header_key(h) in by_key]
        found = [h for h in dict.fromkeys(found) if h not in used]
        if found:
            columns[target] = found
            used.update(found)
    if not columns:
        raise ImportFileError(
            _(
                "None of the columns of this file was recognised (%(columns)s); "
                "give a column mapping."
            )
            % {"columns": ", ".join(by_key.values()) or "—"}
        )
    clash = sorted(h for h in used if header_key(h) in repeated)
    if clash:
        raise ImportFileError(
            _("The column “%(header)s” appears more than once in the file.") % {"header": clash[0]}
        )
    ignored = [h for h in by_key.values() if h not in used]
    return columns, ignored


# --- Checking rows and planning ------------------------------------------------------------------


class _Lookups:
    """Countries and institution types by code or by name in the interface languages.

    Countries are CLDR's (``core.cldr.country_code``): 'Қазақстан', 'Kazachstan', 'Казахстан'
    and 'Kazakhstan' are all KZ; COUNTRY_ALIASES adds the spellings of other registers.
    """

    def __init__(self) -> None:
        self.kinds: dict[str, str] = {}
        for language in INTERFACE_LANGUAGES:
            with translation.override(language):
                for code, label in InstitutionType.choices:
                    self.kinds.setdefault(fold(str(label)), code)
        for code, _label in InstitutionType.choices:
            self.kinds[fold(code)] = code

    def country(self, value: str) -> str | None:
        return cldr.country_code(value, aliases=COUNTRY_ALIASES)


class _Existing:
    """Every stored institution, loaded once, indexed for matching and uniqueness."""

    def __init__(self) -> None:
        self.by_pk: dict[int, Institution] = {}
        self.by_identifier: dict[tuple[str, str], Institution] = {}
        self.by_domain: dict[str, set[int]] = {}
        self.by_internet_name: dict[str, set[int]] = {}
        self.by_name: dict[tuple[str, str], set[int]] = {}
        self.names: dict[int, set[str]] = {}
        for institution in Institution.objects.order_by("pk"):
            self.add(institution)

    def add(self, institution: Institution) -> None:
        pk = institution.pk
        self.by_pk[pk] = institution
        for name in IDENTIFIER_FIELDS:
            value = getattr(institution, name)
            if value:
                self.by_identifier[(name, value)] = institution
        for key in _internet_names(institution.email_domains or [], institution.hei_id, []):
            self.by_domain.setdefault(key, set()).add(pk)
        for key in _internet_names(
            institution.email_domains or [], institution.hei_id, [institution.website]
        ):
            self.by_internet_name.setdefault(key, set()).add(pk)
        folded = {fold(name) for name in [*institution.all_names(), *(institution.aliases or [])]}
        folded.discard("")
        self.names[pk] = folded
        for name in folded:
            self.by_name.setdefault((name, institution.country.code), set()).add(pk)


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _internet_names(domains: Iterable[str], hei_id: str | None, urls: Iterable[str]) -> set[str]:
    keys = {domain.lower().removeprefix("www.") for domain in domains if domain}
    if hei_id:
        keys.add(hei_id.lower())
    keys.update(host for host in (_host(url) for url in urls if url) if host)
    return keys


def _same_url(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


class _Planner:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.lookups = _Lookups()
        self.existing = _Existing()
        self.field_names = [f.name for f in Institution._meta.concrete_fields]
        self.plan = ImportPlan()
        self.seen_identifiers: dict[tuple[str, str], int] = {}
        self.claimed: dict[int, int] = {}

    def run(self, rowset: RowSet) -> ImportPlan:
        plan = self.plan
        plan.rows = len(rowset.rows)
        plan.ignored_columns = list(rowset.ignored_columns)
        for done, row in enumerate(rowset.rows, start=1):
            self.check_row(row)
            if self.progress and (done % PROGRESS_EVERY == 0 or done == plan.rows):
                self.progress("check", done, plan.rows)
        plan.errors.sort(key=lambda error: error.row)
        return plan

    def error(self, row: SourceRow, target: str, message: str) -> None:
        self.plan.errors.append(RowError(row.number, row.columns.get(target, target), message))

    def check_row(self, row: SourceRow) -> None:
        if row.problem:
            self.plan.errors.append(RowError(row.number, "", row.problem))
            return
        errors_before = len(self.plan.errors)
        values, urls = self.normalise(row)
        if len(self.plan.errors) > errors_before:
            return
        self.check_identifiers_in_file(row, values)
        match, matched_by = self.match(row, values, urls)
        if len(self.plan.errors) > errors_before:
            return
        if match is None:
            self.plan_create(row, values)
        else:
            self.plan_update(row, values, match, matched_by)

    # Normalisation: one method per kind of value; errors name the file's column.

    def normalise(self, row: SourceRow) -> tuple[dict[str, Any], list[str]]:
        values: dict[str, Any] = {}
        urls: list[str] = []
        for target, raw in row.values.items():
            if target in LIST_FIELDS or target == "website":
                items = _split(raw, domains=target == "email_domains")
                if target == "aliases":
                    values[target] = list(dict.fromkeys(" ".join(item.split()) for item in items))
                elif target == "email_domains":
                    domains = self.domains(row, items)
                    if domains:
                        values[target] = domains
                elif items:
                    urls = [url if "://" in url else f"https://{url}" for url in items]
                    values[target] = urls[0]
                continue
            if isinstance(raw, list | dict):
                self.error(row, target, _("Expected one value, not a list."))
                continue
            text = str(raw).strip()
            if target in NAME_FIELDS or target in ("acronym", "city"):
                values[target] = " ".join(text.split())
            elif target == "address":
                values[target] = text
            elif target == "kind":
                kind = self.lookups.kinds.get(fold(text))
                if kind is None:
                    self.error(
                        row,
                        target,
                        _("Unknown type “%(value)s”; use one of: %(choices)s.")
                        % {"value": text, "choices": ", ".join(InstitutionType.values)},
                    )
                else:
                    values[target] = kind
            elif target == "country":
                code = self.lookups.country(text)
                if code is None:
                    self.error(
                        row,
                        target,
                        _(
                            "Unknown country “%(value)s”; "
                            "use an ISO code such as PL or an English name."
                        )
                        % {"value": text},
                    )
                else:
                    values[target] = code
            elif target == "hei_id":
                values[target] = text.lower()
            elif target == "erasmus_code":
                values[target] = text.upper()
            elif target == "pic":
                values[target] = re.sub(r"\s+", "", text)
            elif target == "ror_id":
                values[target] = normalize_ror(text)
        return values, urls

    def domains(self, row: SourceRow, items: list[str]) -> list[str]:
        domains = list(dict.fromkeys(item.lower().lstrip("@") for item in items))
        bad = []
        for domain in domains:
            try:
                validate_domain(domain)
            except ValidationError:
                bad.append(domain)
        if bad:
            self.error(
                row,
                "email_domains",
                _("Not an internet domain such as 'agh.edu.pl': %(domains)s.")
                % {"domains": ", ".join(bad)},
            )
        return domains

    def check_identifiers_in_file(self, row: SourceRow, values: dict[str, Any]) -> None:
        for name in IDENTIFIER_FIELDS:
            value = values.get(name)
            if not value:
                continue
            first = self.seen_identifiers.setdefault((name, value), row.number)
            if first != row.number:
                self.error(
                    row,
                    name,
                    _("The same value “%(value)s” is in row %(row)d.")
                    % {"value": value, "row": first},
                )

    # Matching: identifiers, then internet names, then folded name and country.

    def match(
        self, row: SourceRow, values: dict[str, Any], urls: list[str]
    ) -> tuple[Institution | None, str]:
        existing = self.existing
        by_identifier: dict[int, list[str]] = {}
        for name in IDENTIFIER_FIELDS:
            value = values.get(name)
            found = existing.by_identifier.get((name, value)) if value else None
            if found is not None:
                by_identifier.setdefault(found.pk, []).append(name)
        if len(by_identifier) > 1:
            described = "; ".join(
                f"{', '.join(names)} → {existing.by_pk[pk]}" for pk, names in by_identifier.items()
            )
            self.error(
                row,
                next(iter(by_identifier.values()))[0],
                _("The identifiers of this row belong to different institutions: %(which)s.")
                % {"which": described},
            )
            return None, ""
        if by_identifier:
            pk, names = next(iter(by_identifier.items()))
            return self.claim(row, existing.by_pk[pk]), ", ".join(names)

        names = {fold(values[n]) for n in NAME_FIELDS if values.get(n)}
        names.discard("")
        country = values.get("country")
        domains = _internet_names(values.get("email_domains", []), values.get("hei_id"), [])
        keys = domains | _internet_names([], None, urls)
        # E-mail domains and hei-ids weigh more than website hosts: two faculties of one
        # university may share its website but each has its own e-mail domain.
        strong = Counter(pk for key in domains for pk in existing.by_domain.get(key, ()))
        weak = Counter(pk for key in keys for pk in existing.by_internet_name.get(key, ()))
        if weak:
            score = {pk: (strong[pk], weak[pk]) for pk in weak}
            best = max(score.values())
            candidates = {pk for pk, value in score.items() if value == best}
            if len(candidates) > 1:
                # Still a tie: the one with the same name wins.
                candidates = {pk for pk in candidates if existing.names[pk] & names} or candidates
            if len(candidates) == 1:
                return self.claim(row, existing.by_pk[candidates.pop()]), "domain"
            self.ambiguous(
                row, "email_domains" if "email_domains" in values else "website", candidates
            )
            return None, ""

        if country and names:
            candidates = set()
            for name in names:
                candidates |= existing.by_name.get((name, country), set())
            if len(candidates) == 1:
                return self.claim(row, existing.by_pk[candidates.pop()]), "name"
            if candidates:
                self.ambiguous(row, "name", candidates)
        return None, ""

    def ambiguous(self, row: SourceRow, column: str, candidates: set[int]) -> None:
        listed = "; ".join(str(self.existing.by_pk[pk]) for pk in sorted(candidates)[:5])
        self.error(
            row,
            column,
            _(
                "This row fits several institutions (%(which)s); "
                "add an identifier to tell them apart."
            )
            % {"which": listed},
        )

    def claim(self, row: SourceRow, institution: Institution) -> Institution:
        first = self.claimed.setdefault(institution.pk, row.number)
        if first != row.number:
            self.error(
                row,
                "name",
                _("Row %(row)d already matches the same institution, “%(name)s”.")
                % {"row": first, "name": institution},
            )
        return institution

    # Planning what to write.

    def plan_create(self, row: SourceRow, values: dict[str, Any]) -> None:
        if not values.get("name"):
            # A file with names in other languages only: the first of them is the best we have.
            values["name"] = next((values[n] for n in NAME_FIELDS if values.get(n)), "")
        institution = Institution(**values)
        if self.validate(row, institution, exclude=()):
            self.plan.to_create.append(PlannedCreate(row.number, institution))

    def plan_update(
        self, row: SourceRow, values: dict[str, Any], original: Institution, matched_by: str
    ) -> None:
        changes = _changes(original, values)
        if not changes:
            self.plan.unchanged += 1
            return
        institution = copy.copy(original)
        for name, (_before, after) in changes.items():
            setattr(institution, name, after)
        exclude = [name for name in self.field_names if name not in changes]
        if self.validate(row, institution, exclude=exclude):
            self.plan.to_update.append(
                PlannedUpdate(row.number, original, institution, changes, matched_by)
            )

    def validate(self, row: SourceRow, institution: Institution, exclude: Sequence[str]) -> bool:
        """The model's own validation; uniqueness is checked above against file and database.

        The country is left out: normalise() has already resolved it against the same list of
        countries, and CountryField.validate() walks all ~250 choices for every row.
        """
        if not institution.country:
            self.error(
                row, "country", str(Institution._meta.get_field("country").error_messages["blank"])
            )
            return False
        try:
            institution.full_clean(
                exclude=[*exclude, "country"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    target = "" if name == NON_FIELD_ERRORS else name
                    self.error(row, target, message)
            return False
        return True


def _split(raw: Any, *, domains: bool = False) -> list[str]:
    """Multi-value cells are split on ; or | (domains also on commas and spaces)."""
    parts = raw if isinstance(raw, list) else [raw]
    pattern = r"[;|,\s]+" if domains else r"[;|\n]+"
    items: list[str] = []
    for part in parts:
        if part is None:
            continue
        items.extend(item.strip() for item in re.split(pattern, str(part)))
    return [item for item in items if item]


def _changes(original: Institution, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Fields the row changes, as (before, after); empty values never blank stored ones."""
    changes: dict[str, tuple[Any, Any]] = {}
    aliases = list(original.aliases or [])
    for name, new in values.items():
        if new in ("", None, []):
            continue
        old = getattr(original, name)
        if name == "country":
            old = old.code if old else ""
            if old != new:
                changes[name] = (old, new)
        elif name == "name":
            if new == old:
                continue
            known = {fold(n) for n in [*original.all_names(), *aliases]}
            if fold(new) in known:
                continue  # one of its known names, perhaps in another language: keep ours
            changes[name] = (old, new)
            if fold(old) not in {fold(a) for a in aliases}:
                aliases.append(old)  # the former name stays findable
        elif name == "aliases":
            known = {fold(alias) for alias in aliases}
            for alias in new:
                if fold(alias) not in known:
                    aliases.append(alias)
                    known.add(fold(alias))
        elif name == "email_domains":
            current = list(old or [])
            added = [domain for domain in new if domain not in current]
            if added:
                changes[name] = (current, current + added)
        elif name == "website":
            if not old or not _same_url(old, new):
                changes[name] = (old, new)
        elif old != new:
            changes[name] = (old, new)
    if aliases != list(original.aliases or []):
        changes["aliases"] = (list(original.aliases or []), aliases)
    return changes


def build_plan(rowset: RowSet, *, progress: Progress | None = None) -> ImportPlan:
    """Check every row against the file and the database and say what importing would do."""
    return _Planner(progress).run(rowset)


def plan_import(
    data: tabular.Source,
    *,
    file_format: str,
    mapping: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportPlan:
    """read_rows() and build_plan() in one call."""
    return build_plan(read_rows(data, file_format=file_format, mapping=mapping), progress=progress)


# --- Writing ----------------------------------------------------------------------------------


def apply(plan: ImportPlan, user, *, progress: Progress | None = None) -> ImportResult:
    """Write a clean plan: ``institutions.services.institutions_import``, by its old name."""
    from .services import institutions_import  # the services import this module's types

    return institutions_import(plan=plan, user=user, progress=progress)
