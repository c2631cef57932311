"""The news article about a completed visit, written only from the visit's record.

:func:`news_facts` collects what the record says (who came from where, whom they met, when,
what was discussed, decided and signed, what comes next) as plain strings in one language;
the text around them comes from an editable template per language in ``news_templates/``
(``en.txt``, ``ru.txt``…). A language is offered only when its template file exists.

The generator never adds a fact of its own: a template paragraph whose facts are missing
renders to nothing and is left out, so removing a fact from the record removes it from the
draft. Drafts are plain text (paragraphs separated by an empty line); the exports escape
them for HTML and Markdown.

Template files: anything before the first section line is a comment for the editor; the
sections start with ``=== title ===``, ``=== lead ===`` and ``=== body ===``. They are
Django templates rendered without HTML escaping. In the body, each block of lines separated
by an empty line is one paragraph and is rendered on its own (a tag cannot span paragraphs);
whitespace inside a paragraph is collapsed, so tags may be spread over several lines.
"""

import datetime
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from unibridge.core.translations import Fallbacks, Text, marked, text_in
from unibridge.meetings.choices import ActionItemStatus, MeetingKind
from unibridge.meetings.models import ActionItem

from .choices import (
    DelegationRole,
    Direction,
    NewsLanguage,
    ParticipantSide,
    ProgrammeItemKind,
)
from .models import NewsDraft, Visit

TEMPLATE_DIR = Path(__file__).resolve().parent / "news_templates"
SECTIONS = ("title", "lead", "body")
EXPORT_FORMATS = ("html", "md", "docx")
TITLE_MAX_LENGTH = NewsDraft._meta.get_field("title").max_length

# Month names as dates are written in running text (genitive in Russian and Polish).
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    "kk": [
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ],
    "pl": [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ],
}

# What a programme item or meeting is, in each language (lower case, for running text).
KIND_LABELS = {
    "en": {
        ProgrammeItemKind.MEETING: "meeting",
        ProgrammeItemKind.ROUND_TABLE: "round table",
        ProgrammeItemKind.LAB_TOUR: "laboratory tour",
        ProgrammeItemKind.LECTURE: "lecture",
        ProgrammeItemKind.SIGNING: "signing ceremony",
        ProgrammeItemKind.CULTURAL: "cultural programme",
        ProgrammeItemKind.TRANSFER: "transfer",
        MeetingKind.ONLINE: "online meeting",
    },
    "ru": {
        ProgrammeItemKind.MEETING: "встреча",
        ProgrammeItemKind.ROUND_TABLE: "круглый стол",
        ProgrammeItemKind.LAB_TOUR: "экскурсия по лабораториям",
        ProgrammeItemKind.LECTURE: "лекция",
        ProgrammeItemKind.SIGNING: "церемония подписания",
        ProgrammeItemKind.CULTURAL: "культурная программа",
        ProgrammeItemKind.TRANSFER: "трансфер",
        MeetingKind.ONLINE: "онлайн-встреча",
    },
    "kk": {
        ProgrammeItemKind.MEETING: "кездесу",
        ProgrammeItemKind.ROUND_TABLE: "дөңгелек үстел",
        ProgrammeItemKind.LAB_TOUR: "зертханаларды аралау",
        ProgrammeItemKind.LECTURE: "дәріс",
        ProgrammeItemKind.SIGNING: "қол қою рәсімі",
        ProgrammeItemKind.CULTURAL: "мәдени бағдарлама",
        ProgrammeItemKind.TRANSFER: "трансфер",
        MeetingKind.ONLINE: "онлайн кездесу",
    },
    "pl": {
        ProgrammeItemKind.MEETING: "spotkanie",
        ProgrammeItemKind.ROUND_TABLE: "okrągły stół",
        ProgrammeItemKind.LAB_TOUR: "zwiedzanie laboratoriów",
        ProgrammeItemKind.LECTURE: "wykład",
        ProgrammeItemKind.SIGNING: "uroczystość podpisania",
        ProgrammeItemKind.CULTURAL: "program kulturalny",
        ProgrammeItemKind.TRANSFER: "transfer",
        MeetingKind.ONLINE: "spotkanie online",
    },
}

# Programme items a news reader does not need (getting to the airport is not news).
KINDS_LEFT_OUT = {ProgrammeItemKind.TRANSFER}
OPEN_STATUSES = (ActionItemStatus.OPEN, ActionItemStatus.IN_PROGRESS)

_LIST_MARKER = re.compile(r"^\s*(?:[-*•·–]|\d+[.)])\s+")
_SECTION_LINE = re.compile(r"^===\s*(\w+)\s*===\s*$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([.,;:)])")


@dataclass(frozen=True)
class NewsText:
    title: str
    lead: str
    body: str


# --- Dates -------------------------------------------------------------------------------------


def format_date(day: datetime.date, language: str) -> str:
    """A date as running text in ``language`` (12 May 2026, 12 мая 2026 г.…)."""
    month = MONTHS[language][day.month - 1]
    if language == "ru":
        return f"{day.day} {month} {day.year} г."
    if language == "pl":
        return f"{day.day} {month} {day.year} r."
    if language == "kk":
        return f"{day.year} жылғы {day.day} {month}"
    return f"{day.day} {month} {day.year}"


def format_date_range(start: datetime.date, end: datetime.date, language: str) -> str:
    """The days of a visit as running text: 12–14 May 2026, 30 April – 2 May 2026…"""
    if start == end:
        return format_date(start, language)
    if start.year != end.year:
        return f"{format_date(start, language)} – {format_date(end, language)}"
    months = MONTHS[language]
    if start.month == end.month:
        days = f"{start.day}–{end.day} {months[end.month - 1]}"
    else:
        days = f"{start.day} {months[start.month - 1]} – {end.day} {months[end.month - 1]}"
    suffix = {"ru": " г.", "pl": " r."}.get(language, "")
    if language == "kk":
        return f"{end.year} жылғы {days}"
    return f"{days} {end.year}{suffix}"


# --- Facts -------------------------------------------------------------------------------------


def in_language(record, field: str, language: str) -> str:
    """``field_<language>`` of a multilingual record, else its official ``field``."""
    return (getattr(record, f"{field}_{language}", "") or getattr(record, field) or "").strip()


def person_name(person, language: str) -> str:
    """The name as written in the language's script where the record has it."""
    if language in ("ru", "kk"):
        return person.name_native or person.name_latin
    return person.name_latin or person.name_native


def _clean(text: str) -> str:
    """One line of record text for running prose: no list marker, no final full stop."""
    text = " ".join(_LIST_MARKER.sub("", text).split())
    return text.rstrip(" .;,")


def _person(person, language: str, texts: Fallbacks) -> dict:
    name = person_name(person, language)
    keywords = texts.text(
        person, "research_keywords", language, _("Expertise of %(name)s") % {"name": name}
    )
    return {
        "name": name,
        "title": texts.text(
            person, "title", language, _("Title of %(name)s") % {"name": name}
        ).strip(),
        "position": texts.text(
            person, "position", language, _("Position of %(name)s") % {"name": name}
        ).strip(),
        "keywords": [k.strip() for k in keywords.split(",") if k.strip()],
    }


def news_language_available(language: str) -> bool:
    return language in NewsLanguage.values and (TEMPLATE_DIR / f"{language}.txt").is_file()


def available_languages() -> list[str]:
    """The news languages whose template exists, in the order of ``NewsLanguage``."""
    return [language for language in NewsLanguage.values if news_language_available(language)]


def news_facts(visit: Visit, language: str, texts: Fallbacks | None = None) -> dict:
    """Everything the news may say about the visit, as plain strings in ``language``.

    Confidential people, meetings and agreements are left out: the draft is meant for
    publication, and whoever sees the visit reads it. Interpreters are left out of the
    delegation. Action items count as next steps while they are open or in progress.
    Texts the record has no translation of are noted in ``texts`` and marked ``[EN]``.
    """
    texts = texts if texts is not None else Fallbacks()
    participants = list(
        visit.participants.exclude(role=DelegationRole.INTERPRETER)
        .exclude(person__is_confidential=True)
        .select_related("person")
        .order_by("side", "order", "pk")
    )
    delegation = [p for p in participants if p.side == ParticipantSide.DELEGATION]
    # the head first, the others in the record's order
    delegation.sort(key=lambda p: p.role != DelegationRole.HEAD)
    head = next((p for p in delegation if p.role == DelegationRole.HEAD), None)
    hosts = [p for p in participants if p.side == ParticipantSide.HOME]

    programme = [
        {
            "title": _clean(
                texts.text(
                    item, "title", language, _("Programme item “%(title)s”") % {"title": item.title}
                )
            ),
            "kind": KIND_LABELS[language][item.kind],
        }
        for item in visit.programme.exclude(kind__in=KINDS_LEFT_OUT).order_by("starts_at", "pk")
    ]
    meetings = list(
        visit.meetings.filter(is_confidential=False)
        .order_by("starts_at", "pk")
        .prefetch_related(
            "decisions",
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.filter(status__in=OPEN_STATUSES)
                .select_related("owner")
                .order_by("due_on", "pk"),
            ),
        )
    )
    agenda = _unique(
        _clean(line)
        for meeting in meetings
        for line in _lines(meeting, "agenda", language, texts, _("Agenda of “%(title)s”"))
    )
    decisions = _unique(
        _clean(
            texts.text(
                decision, "text", language, _("Decision “%(text)s”") % {"text": decision.text}
            )
        )
        for meeting in meetings
        for decision in meeting.decisions.all()
    )
    actions = [
        {
            "description": _clean(
                texts.text(
                    item,
                    "description",
                    language,
                    _("Action item “%(text)s”") % {"text": item.description},
                )
            ),
            "owner": (
                person_name(item.owner, language)
                if item.owner and not item.owner.is_confidential
                else ""
            ),
            "due": format_date(item.due_on, language) if item.due_on else "",
        }
        for meeting in meetings
        for item in meeting.action_items.all()
        if _clean(item.description)
    ]
    agreements = [
        {
            "title": _clean(
                texts.text(
                    a, "title", language, _("Title of agreement %(ref)s") % {"ref": a.reference}
                )
            ),
            "reference": a.reference,
        }
        for a in visit.agreements.filter(is_confidential=False).order_by("reference")
    ]
    incoming = visit.direction == Direction.INCOMING
    visiting = in_language(visit.visiting_institution, "name", language)
    host = in_language(visit.host_institution, "name", language)
    return {
        "language": language,
        "incoming": incoming,
        "visiting": visiting,
        "host": host,
        "home": host if incoming else visiting,
        "partner": visiting if incoming else host,
        "host_unit": in_language(visit.host_unit, "name", language) if visit.host_unit else "",
        "dates": format_date_range(visit.start_date, visit.end_date, language),
        "single_day": visit.start_date == visit.end_date,
        "start": format_date(visit.start_date, language),
        "end": format_date(visit.end_date, language),
        "purpose": _clean(texts.text(visit, "purpose", language, _("Purpose of the visit"))),
        "head": _person(head.person, language, texts) if head else None,
        "delegation": [_person(p.person, language, texts) for p in delegation],
        "hosts": [_person(p.person, language, texts) for p in hosts],
        "programme": programme,
        "meetings": [
            {
                "title": _clean(
                    texts.text(m, "title", language, _("Meeting “%(title)s”") % {"title": m.title})
                ),
                "kind": KIND_LABELS[language][m.kind],
            }
            for m in meetings
        ],
        "agenda": agenda,
        "decisions": decisions,
        "agreements": agreements,
        "actions": actions,
    }


def _lines(record, name: str, language: str, texts: Fallbacks, what: str) -> list[str]:
    """The lines of a one-per-line text in ``language``, each marked when it falls back."""
    found = text_in(record, name, language)
    lines = found.text.splitlines()
    if not found.fallback:
        return lines
    texts.text(record, name, language, what % {"title": getattr(record, "title", "")})
    if not texts.mark:
        return lines
    return [marked(Text(line, found.language, True)) for line in lines if line.strip()]


def news_fallbacks(visit: Visit, language: str) -> Fallbacks:
    """The texts the visit's news in ``language`` prints in another language."""
    texts = Fallbacks(mark=False)
    news_facts(visit, language, texts)
    return texts


def _unique(items) -> list[str]:
    return [item for item in dict.fromkeys(items) if item]


# --- Rendering ---------------------------------------------------------------------------------


@cache
def _engine() -> Engine:
    # Plain text: escaping belongs to the export formats, not to the stored draft.
    return Engine(autoescape=False)


def template_sections(language: str) -> dict[str, str]:
    """The sections of the language's template file; a clear error when one is missing."""
    path = TEMPLATE_DIR / f"{language}.txt"
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ValidationError(
            _("There is no news template in %(language)s."),
            code="no_news_template",
            params={"language": NewsLanguage(language).label},
        ) from error
    parts = _SECTION_LINE.split(source)
    # parts: [comment, name, text, name, text…]
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        raise ValidationError(
            _("The %(language)s news template has no “=== %(section)s ===” section."),
            code="broken_news_template",
            params={"language": NewsLanguage(language).label, "section": missing[0]},
        )
    return sections


def _render(source: str, context: dict, language: str) -> str:
    try:
        text = _engine().from_string(source).render(Context(context, autoescape=False))
    except TemplateSyntaxError as error:
        raise ValidationError(
            _("The %(language)s news template has an error: %(error)s"),
            code="broken_news_template",
            params={"language": NewsLanguage(language).label, "error": error},
        ) from error
    # Template lines end before the punctuation that follows a loop: "A; B ." reads "A; B."
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def render_news(visit: Visit, language: str) -> NewsText:
    """Title, lead and body of the visit's news in ``language``, from its template."""
    sections = template_sections(language)
    facts = news_facts(visit, language)
    title = _render(sections["title"], facts, language)
    lead = _render(sections["lead"], facts, language)
    paragraphs = [
        _render(block, facts, language) for block in _BLANK_LINE.split(sections["body"].strip())
    ]
    body = "\n\n".join(p for p in paragraphs if p)
    return NewsText(title=Truncator(title).chars(TITLE_MAX_LENGTH), lead=lead, body=body)


# --- Exports -----------------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a draft's body (separated by empty lines), whitespace collapsed."""
    blocks = (" ".join(block.split()) for block in _BLANK_LINE.split(text.replace("\r\n", "\n")))
    return [block for block in blocks if block]


def export_html(draft: NewsDraft) -> str:
    """A standalone HTML page of the draft; every record value is escaped."""
    return render_to_string(
        "visits/news/export.html",
        {"draft": draft, "paragraphs": paragraphs(draft.body), "language": draft.language},
    )


# Characters with a meaning in Markdown (CommonMark): escaped with a backslash wherever they
# appear, so that a name such as "*Kowalski*" or "<script>" stays literal text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&!])")
# At the start of a line, these make a list, a quote, a heading or a rule.
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+(?=[.)]))")


def escape_markdown(text: str) -> str:
    """Text that renders as itself in Markdown."""
    lines = []
    for line in text.splitlines() or [""]:
        line = _MARKDOWN_SPECIAL.sub(r"\\\1", line)
        match = _MARKDOWN_LINE_START.match(line)
        if match:
            indent, start = match.groups()
            if start[0].isdigit():
                # "1. " starts an ordered list: escape the dot or parenthesis after the digits
                rest = line[match.end() :]
                line = f"{indent}{start}\\{rest}"
            else:
                line = f"{indent}\\{line[len(indent) :]}"
        lines.append(line)
    return "\n".join(lines)


def export_markdown(draft: NewsDraft) -> str:
    """The draft as Markdown: a heading, the lead in bold, the body's paragraphs."""
    parts = [f"# {escape_markdown(draft.title)}"]
    if draft.lead:
        parts.append(f"**{escape_markdown(draft.lead)}**")
    parts.extend(escape_markdown(p) for p in paragraphs(draft.body))
    return "\n\n".join(parts) + "\n"


def export_docx(draft: NewsDraft) -> bytes:
    """The draft as a Word document: the title, the lead in bold, the body's paragraphs."""
    from docx import Document

    document = Document()
    document.core_properties.title = draft.title
    document.core_properties.language = draft.language
    document.add_heading(draft.title, level=1)
    if draft.lead:
        document.add_paragraph().add_run(draft.lead).bold = True
    for paragraph in paragraphs(draft.body):
        document.add_paragraph(paragraph)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
