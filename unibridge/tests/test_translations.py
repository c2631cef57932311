"""The interface in Russian, Kazakh and Polish: catalogs complete, compiled and really used.

The .po files are read by a small reader of our own (no polib): it understands comments and
flags, msgctxt, multi-line strings, plural forms and obsolete (#~) entries.
"""

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation

from unibridge.institutions.tests.factories import InstitutionFactory

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["ru", "kk", "pl"]
# Languages whose catalog must translate every message (all three are complete).
COMPLETE = ["ru", "kk", "pl"]
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "kk": "nplurals=2; plural=(n != 1);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}
# What the navigation calls "Institutions" in each language.
INSTITUTIONS = {"ru": "Организации", "kk": "Ұйымдар", "pl": "Instytucje"}


# --- A small .po reader ---------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")\s*$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{where}: not a quoted string: {text!r}")

    def unescape(match: re.Match) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise ValueError(f"{where}: unknown escape \\{char}")
        return _ESCAPES[char]

    return re.sub(r"\\(.)", unescape, text[1:-1])


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def key(self) -> str:
        """The key of the message in a compiled catalog (msgctxt EOT msgid)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None
    pending_flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{path}:{number}"
        line = raw.strip()
        if not line:
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, value = match.groups()
            text = _unquote(value, where)
            # msgctxt opens an entry; so does msgid, unless it follows that msgctxt.
            if keyword == "msgctxt" or (
                keyword == "msgid" and (target is None or target[0] != "msgctxt")
            ):
                entry = Entry(flags=pending_flags, line=number)
                entries.append(entry)
                pending_flags = set()
            if entry is None:
                raise ValueError(f"{where}: {keyword} outside an entry")
            if keyword == "msgstr":
                position = int(index) if index is not None else 0
                if index is not None and entry.msgid_plural is None:
                    raise ValueError(f"{where}: msgstr[{index}] without msgid_plural")
                entry.msgstr[position] = text
                target = ("msgstr", position)
            else:
                setattr(entry, keyword, text)
                target = (keyword, None)
        elif line.startswith('"'):
            if entry is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            text = _unquote(line, where)
            keyword, position = target
            if keyword == "msgstr":
                entry.msgstr[position] += text
            else:
                setattr(entry, keyword, getattr(entry, keyword) + text)
        else:
            raise ValueError(f"{where}: cannot read {raw!r}")
    for entry in entries:
        if not entry.msgstr:
            raise ValueError(f"{path}:{entry.line}: an entry without msgstr")
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def header_fields(entries: list[Entry]) -> dict[str, str]:
    header = entries[0]
    assert header.is_header, "the header must be the first entry"
    lines = [line for line in header.msgstr[0].split("\n") if line.strip()]
    return {name.strip(): value.strip() for name, value in (line.split(":", 1) for line in lines)}


# --- The reader itself ----------------------------------------------------------------------------


def test_reader_handles_multiline_plural_context_and_obsolete(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: ru\\n"\n'
        '"Plural-Forms: nplurals=3; plural=(n != 1);\\n"\n'
        "\n"
        "#: a.py:1\n"
        "#, python-format\n"
        'msgid ""\n'
        '"A long %(name)s "\n'
        '"message"\n'
        'msgid_plural "Many \\"%(name)s\\""\n'
        'msgstr[0] "Одно "\n'
        '"%(name)s"\n'
        'msgstr[1] "Два"\n'
        'msgstr[2] ""\n'
        "\n"
        "#, fuzzy\n"
        'msgctxt "menu"\n'
        'msgid "Open"\n'
        'msgstr "Открыть"\n'
        "\n"
        '#~ msgid "Gone"\n'
        '#~ msgstr "Нет"\n',
        encoding="utf-8",
    )
    header, plural, contextual = read_po(po)
    assert header_fields([header])["Language"] == "ru"
    assert plural.msgid == "A long %(name)s message"
    assert plural.msgid_plural == 'Many "%(name)s"'
    assert plural.msgstr == {0: "Одно %(name)s", 1: "Два", 2: ""}
    assert plural.flags == {"python-format"}
    assert not plural.translated
    assert contextual.key == "menu\x04Open"
    assert contextual.flags == {"fuzzy"}


# --- (a) the catalogs -----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=LANGUAGES)
def catalog(request):
    language = request.param
    return language, read_po(po_path(language))


def test_catalog_parses_and_has_the_right_header(catalog):
    language, entries = catalog
    fields = header_fields(entries)
    assert fields["Language"] == language
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == PLURAL_FORMS[language]
    assert len(entries) > 100, "the catalog should hold the whole interface"
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), "duplicate messages"


def test_catalog_has_no_fuzzy_entries(catalog):
    language, entries = catalog
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == [], f"{language}: fuzzy entries {fuzzy}"


def test_catalog_is_complete(catalog):
    language, entries = catalog
    if language not in COMPLETE:
        pytest.skip(f"{language} is not required to be complete")
    nplurals = int(re.search(r"nplurals=(\d+)", PLURAL_FORMS[language]).group(1))
    missing = [entry.msgid for entry in entries[1:] if not entry.translated]
    assert missing == [], f"{language}: untranslated {missing}"
    wrong_forms = [
        entry.msgid
        for entry in entries[1:]
        if entry.msgid_plural is not None and sorted(entry.msgstr) != list(range(nplurals))
    ]
    assert wrong_forms == [], f"{language}: plural entries without {nplurals} forms"


def _forms_for_several_numbers(language: str) -> set[int]:
    plural = gettext.c2py(PLURAL_FORMS[language].split("plural=", 1)[1].rstrip(";"))
    counts: dict[int, int] = {}
    for n in range(1000):
        counts[plural(n)] = counts.get(plural(n), 0) + 1
    return {form for form, count in counts.items() if count > 1}


def test_translations_keep_the_placeholders(catalog):
    """%(name)s and {name} survive translation; a form used for many numbers keeps them all."""
    language, entries = catalog
    several = _forms_for_several_numbers(language)
    problems = []
    for entry in entries[1:]:
        if not entry.translated:
            continue
        if entry.msgid_plural is None:
            expected = sorted(PLACEHOLDER.findall(entry.msgid))
            if sorted(PLACEHOLDER.findall(entry.msgstr[0])) != expected:
                problems.append(entry.msgid)
            continue
        allowed = set(PLACEHOLDER.findall(entry.msgid + entry.msgid_plural))
        needed = sorted(PLACEHOLDER.findall(entry.msgid_plural))
        for form, text in entry.msgstr.items():
            found = PLACEHOLDER.findall(text)
            if not set(found) <= allowed or (form in several and sorted(found) != needed):
                problems.append(f"{entry.msgid} [{form}]")
    assert problems == [], f"{language}: placeholders changed in {problems}"


def test_translations_add_no_html(catalog):
    """Markup stays out of translations unless the English message has it too."""
    language, entries = catalog
    tag = re.compile(r"</?[a-zA-Z][^>]*>")
    problems = [
        entry.msgid
        for entry in entries[1:]
        for text in entry.msgstr.values()
        if not set(tag.findall(text)) <= set(tag.findall(entry.msgid + (entry.msgid_plural or "")))
    ]
    assert problems == [], f"{language}: HTML in {problems}"


# --- (b) the compiled catalogs match their sources ------------------------------------------------


def test_mo_holds_every_translation_of_the_po(catalog):
    language, entries = catalog
    with mo_path(language).open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries[1:]:
        if not entry.translated or "fuzzy" in entry.flags:
            continue
        if entry.msgid_plural is None:
            if compiled._catalog.get(entry.key) != entry.msgstr[0]:
                stale.append(entry.msgid)
        else:
            for form, text in entry.msgstr.items():
                if compiled._catalog.get((entry.key, form)) != text:
                    stale.append(f"{entry.msgid} [{form}]")
    assert stale == [], f"{language}: django.mo is older than django.po, run `make messages`"
    plural = gettext.c2py(PLURAL_FORMS[language].split("plural=", 1)[1].rstrip(";"))
    assert [compiled.plural(n) for n in range(200)] == [plural(n) for n in range(200)]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_po_passes_msgfmt_check_and_compiles_to_the_committed_catalog(catalog, tmp_path):
    language, _ = catalog
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(po_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    with fresh.open("rb") as handle:
        expected = gettext.GNUTranslations(handle)._catalog
    with mo_path(language).open("rb") as handle:
        committed = gettext.GNUTranslations(handle)._catalog
    assert committed == expected, f"{language}: django.mo is stale, run `make messages`"


# --- (c) the pages in each language ---------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """Requests activate a language for the thread; leave the default one to other tests."""
    yield
    translation.deactivate()


def _switch(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def test_pages_in_russian(office_client, home):
    _switch(office_client, "ru")
    home_page = office_client.get("/").content.decode()
    assert '<html lang="ru">' in home_page
    assert "Организации" in home_page  # the navigation
    assert "Партнёрства" in home_page
    assert "Что ждёт вас сегодня" in home_page
    assert "Выйти" in home_page
    listing = office_client.get("/institutions/").content.decode()
    assert '<html lang="ru">' in listing
    assert '<h1 class="page-title">Организации</h1>' in listing
    assert "Страна" in listing
    assert "1 запись" in listing  # the home university


@pytest.mark.parametrize("language", ["kk", "pl"])
def test_pages_in_kazakh_and_polish(office_client, home, language):
    _switch(office_client, language)
    home_page = office_client.get("/").content.decode()
    assert f'<html lang="{language}">' in home_page
    assert INSTITUTIONS[language] in home_page
    listing = office_client.get("/institutions/").content.decode()
    assert f'<h1 class="page-title">{INSTITUTIONS[language]}</h1>' in listing


def test_english_stays_the_default(office_client, home):
    page = office_client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Institutions" in page


# --- (d) Russian plurals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 запись"), (3, "3 записи"), (5, "5 записей")],
)
def test_russian_record_count_on_the_list_page(office_client, count, expected):
    InstitutionFactory.create_batch(count)
    _switch(office_client, "ru")
    content = office_client.get("/institutions/").content.decode()
    assert f'<p class="card-title text-secondary mb-0" role="status">{expected}</p>' in content


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "1 запись"),
        ("ru", 2, "2 записи"),
        ("ru", 5, "5 записей"),
        ("ru", 11, "11 записей"),
        ("ru", 14, "14 записей"),
        ("ru", 21, "21 запись"),
        ("ru", 22, "22 записи"),
        ("ru", 111, "111 записей"),
        ("pl", 1, "1 rekord"),
        ("pl", 3, "3 rekordy"),
        ("pl", 5, "5 rekordów"),
        ("pl", 12, "12 rekordów"),
        ("pl", 22, "22 rekordy"),
        ("kk", 1, "1 жазба"),
        ("kk", 7, "7 жазба"),
        ("en", 1, "1 record"),
        ("en", 3, "3 records"),
    ],
)
def test_record_count_partial_uses_the_plural_rules(language, count, expected):
    page = Paginator(range(count), 50).page(1)
    with translation.override(language):
        html = render_to_string("core/partials/record_table.html", {"page": page, "rows": []})
    assert f">{expected}</p>" in html
