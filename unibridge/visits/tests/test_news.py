"""The news draft is written from the visit's record and from nothing else."""

import datetime
import io
import re

import docx
import pytest
from django.core.exceptions import ValidationError

from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.tests.factories import AgreementFactory
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings.choices import ActionItemStatus, MeetingKind
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.visits import news
from unibridge.visits import services as visit_services
from unibridge.visits.choices import (
    DelegationRole,
    Direction,
    ParticipantSide,
    ProgrammeItemKind,
    VisitStatus,
)
from unibridge.visits.models import NewsDraft
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
    at,
)

LANGUAGES = ["en", "ru"]

# Runs of two or more capitalised words: the names of people, institutions, documents.
UPPER = "A-ZÀ-ÞĄĆĘŁŃÓŚŹŻА-ЯЁӘҒҚҢӨҰҮҺІ"
WORD = rf"[{UPPER}][^\W\d_]*(?:-[^\W\d_]+)*"
NAME_RUN = re.compile(rf"{WORD}(?:[ \t]+{WORD})+")
REFERENCE = re.compile(r"\b[A-Z]{2,}-\d{4}-\d+\b")
DATES = {
    "en": re.compile(
        r"\d{1,2}(?:–\d{1,2})? [A-Z][a-z]+(?: – \d{1,2} [A-Z][a-z]+)? \d{4}",
    ),
    "ru": re.compile(r"\d{1,2}(?:–\d{1,2})? [а-я]+(?: – \d{1,2} [а-я]+)? \d{4} г\."),
}


@pytest.fixture
def office(db):
    return UserFactory(username="news-office", role="office")


@pytest.fixture
def agh(db):
    return InstitutionFactory(
        name="Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        name_en="AGH University of Krakow",
        name_ru="Горно-металлургическая академия им. Станислава Сташица в Кракове",
        country="PL",
    )


@pytest.fixture
def story(home, engineering, agh):
    """A completed AGH visit with everything the news can tell, and a few things it must not."""
    visit = VisitFactory(
        title="AGH delegation",
        visiting_institution=agh,
        host_institution=home,
        host_unit=engineering,
        status=VisitStatus.COMPLETED,
        start_date=datetime.date(2026, 5, 12),
        end_date=datetime.date(2026, 5, 14),
        purpose="Cooperation in Metallurgy and Materials Engineering.",
    )
    engineering.name_ru = "Инженерный факультет"
    engineering.save()
    head = PersonFactory(
        name_native="Jan Kowalski",
        title="Prof.",
        position="Vice-Rector for Science",
        research_keywords="metallurgy, Powder Metallurgy",
        institution=agh,
    )
    member = PersonFactory(
        name_native="Anna Nowak",
        title="Dr",
        position="Head of International Relations",
        research_keywords="materials science",
        institution=agh,
    )
    interpreter = PersonFactory(name_native="Olga Petrova", institution=agh)
    dean = PersonFactory(
        name_native="Айгерим Садыкова",
        name_latin="Aigerim Sadykova",
        position="Dean of Engineering",
        institution=home,
    )
    ParticipantFactory(visit=visit, person=head, role=DelegationRole.HEAD, order=2)
    member_row = ParticipantFactory(visit=visit, person=member, order=1)
    ParticipantFactory(visit=visit, person=interpreter, role=DelegationRole.INTERPRETER)
    ParticipantFactory(visit=visit, person=dean, side=ParticipantSide.HOME)

    ProgrammeItemFactory(
        visit=visit, title="Round Table on Joint Research", kind=ProgrammeItemKind.ROUND_TABLE
    )
    ProgrammeItemFactory(
        visit=visit,
        title="Metallurgy Laboratories",
        kind=ProgrammeItemKind.LAB_TOUR,
        starts_at=at(visit.start_date, 14),
        ends_at=at(visit.start_date, 15),
    )
    ProgrammeItemFactory(
        visit=visit,
        title="Airport Pickup",
        kind=ProgrammeItemKind.TRANSFER,
        starts_at=at(visit.start_date, 7),
        ends_at=at(visit.start_date, 8),
    )
    round_table = MeetingFactory(
        visit=visit,
        title="Round Table",
        kind=MeetingKind.ROUND_TABLE,
        agenda="1. Joint Research Projects\n- Student Exchange\n\n",
    )
    first = DecisionFactory(meeting=round_table, text="Prepare a Horizon Europe application.")
    second = DecisionFactory(meeting=round_table, text="Launch a Double Degree Programme")
    action = ActionItemFactory(
        meeting=round_table,
        description="Draft the Exchange Agreement",
        owner=dean,
        due_on=datetime.date(2026, 6, 30),
    )
    ActionItemFactory(
        meeting=round_table,
        description="Send the Photographs",
        status=ActionItemStatus.DONE,
        due_on=datetime.date(2026, 5, 20),
    )
    secret = MeetingFactory(visit=visit, title="Closed Session", is_confidential=True)
    DecisionFactory(meeting=secret, text="Secret Budget Plan")
    ActionItemFactory(meeting=secret, description="Secret Follow Up")
    memorandum = AgreementFactory(
        reference="MOU-2026-017",
        title="Memorandum of Cooperation",
        title_ru="Меморандум о сотрудничестве",
    )
    hidden = AgreementFactory(reference="MOU-2026-099", title="Hidden Side Letter")
    hidden.is_confidential = True
    hidden.save()
    visit.agreements.set([memorandum, hidden])
    return {
        "visit": visit,
        "head": head,
        "member": member,
        "member_row": member_row,
        "decisions": [first, second],
        "action": action,
        "memorandum": memorandum,
    }


def record_values(story) -> list[str]:
    """Every string the record holds that the draft may quote."""
    visit = story["visit"]
    values = [visit.purpose, visit.title]
    for institution in (visit.visiting_institution, visit.host_institution, visit.host_unit):
        values += institution.all_names()
    for participant in visit.participants.select_related("person"):
        person = participant.person
        values += [
            person.name_native,
            person.name_latin,
            person.title,
            person.position,
            person.research_keywords,
            # the academic title written before the name
            f"{person.title} {person.name_native}",
            f"{person.title} {person.name_latin}",
        ]
    values += [item.title for item in visit.programme.all()]
    for meeting in visit.meetings.all():
        values += [meeting.title, meeting.agenda]
        values += [d.text for d in meeting.decisions.all()]
        values += [a.description for a in meeting.action_items.all()]
    for agreement in visit.agreements.all():
        values += [agreement.reference, agreement.title, agreement.title_ru]
    return [v for v in values if v]


def record_dates(story, language: str) -> set[str]:
    visit = story["visit"]
    dates = {news.format_date_range(visit.start_date, visit.end_date, language)}
    for meeting in visit.meetings.all():
        dates |= {
            news.format_date(a.due_on, language) for a in meeting.action_items.all() if a.due_on
        }
    return dates


def record_numbers(story) -> set[str]:
    numbers = set()
    for value in record_values(story):
        numbers |= set(re.findall(r"\d+", value))
    visit = story["visit"]
    days = [visit.start_date, visit.end_date]
    days += [a.due_on for m in visit.meetings.all() for a in m.action_items.all() if a.due_on]
    for day in days:
        numbers |= {str(day.day), str(day.year)}
    return numbers


def text_of(draft: NewsDraft) -> str:
    return "\n".join([draft.title, draft.lead, draft.body])


def generate(visit, user, language: str) -> str:
    return text_of(visit_services.news_generate(visit=visit, user=user, language=language))


# --- Every fact comes from the record ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_name_in_the_draft_comes_from_the_record(story, office, language):
    text = generate(story["visit"], office, language)
    values = record_values(story)
    names = NAME_RUN.findall(text)
    assert names, "the pattern should find the names of people and institutions"
    strays = [name for name in names if not any(name in value for value in values)]
    assert strays == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_reference_and_number_comes_from_the_record(story, office, language):
    text = generate(story["visit"], office, language)
    dates = DATES[language].findall(text)
    assert dates
    assert set(dates) <= record_dates(story, language)
    assert set(REFERENCE.findall(text)) == {"MOU-2026-017"}
    assert set(re.findall(r"\d+", text)) <= record_numbers(story)


def test_the_english_draft_tells_the_whole_story(story, office):
    draft = visit_services.news_generate(visit=story["visit"], user=office, language="en")
    assert (
        draft.title
        == "Delegation of AGH University of Krakow visits Karaganda Industrial University"
    )
    assert draft.lead == (
        "On 12–14 May 2026, a delegation of AGH University of Krakow visited Karaganda "
        "Industrial University (Faculty of Engineering). The delegation was headed by "
        "Prof. Jan Kowalski, Vice-Rector for Science."
    )
    assert news.paragraphs(draft.body) == [
        "Purpose of the visit: Cooperation in Metallurgy and Materials Engineering.",
        "Members of the delegation: Prof. Jan Kowalski, Vice-Rector for Science (fields of "
        "expertise: metallurgy, Powder Metallurgy); Dr Anna Nowak, Head of International "
        "Relations (fields of expertise: materials science).",
        "On the side of Karaganda Industrial University, the visit was attended by Aigerim "
        "Sadykova, Dean of Engineering.",
        "The programme of the visit included: round table “Round Table on Joint Research”; "
        "laboratory tour “Metallurgy Laboratories”.",
        "The topics discussed were: Joint Research Projects; Student Exchange.",
        "The following decisions were taken: Prepare a Horizon Europe application; Launch a "
        "Double Degree Programme.",
        "During the visit, the parties signed “Memorandum of Cooperation” (reference "
        "MOU-2026-017).",
        "Next steps: Draft the Exchange Agreement (responsible: Aigerim Sadykova, due "
        "30 June 2026).",
    ]
    assert draft.is_edited is False


def test_the_russian_draft_uses_the_russian_names_and_dates(story, office):
    draft = visit_services.news_generate(visit=story["visit"], user=office, language="ru")
    assert draft.title == (
        "Визит делегации: Горно-металлургическая академия им. Станислава Сташица в Кракове — "
        "Карагандинский индустриальный университет"
    )
    assert draft.lead.startswith("12–14 мая 2026 г. состоялся визит делегации.")
    assert "(Инженерный факультет)" in draft.lead
    # the title and position have no Russian text: the draft shows them marked as English
    assert (
        "Руководитель делегации — [EN] Prof. Jan Kowalski, [EN] Vice-Rector for Science."
        in draft.lead
    )
    assert "Айгерим Садыкова" in draft.body
    assert "Aigerim Sadykova" not in draft.body
    assert "подписан документ: «Меморандум о сотрудничестве» (рег. № MOU-2026-017)." in draft.body
    assert "(ответственный: Айгерим Садыкова, срок — 30 июня 2026 г.)" in draft.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_confidential_records_interpreters_transfers_and_closed_items_stay_out(
    story, office, language
):
    text = generate(story["visit"], office, language)
    for absent in [
        "Secret Budget Plan",
        "Secret Follow Up",
        "Closed Session",
        "Hidden Side Letter",
        "MOU-2026-099",
        "Olga Petrova",
        "Airport Pickup",
        "Send the Photographs",
    ]:
        assert absent not in text


# --- Removing a fact removes it from the draft ---------------------------------------------------


@pytest.mark.parametrize(
    ("language", "signing_words"),
    [("en", "parties signed"), ("ru", "подписан")],
)
def test_unlinking_the_agreement_removes_the_signing_sentence(
    story, office, language, signing_words
):
    visit = story["visit"]
    assert signing_words in generate(visit, office, language)
    visit.agreements.remove(story["memorandum"])
    text = generate(visit, office, language)
    assert signing_words not in text
    assert "MOU-2026-017" not in text
    assert "Memorandum" not in text
    assert "Меморандум" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_removing_a_member_removes_their_name_and_expertise(story, office, language):
    visit = story["visit"]
    assert "Anna Nowak" in generate(visit, office, language)
    story["member_row"].delete()
    text = generate(visit, office, language)
    assert "Anna Nowak" not in text
    assert "materials science" not in text
    assert "Jan Kowalski" in text


@pytest.mark.parametrize(
    ("language", "decisions_words"),
    [("en", "decisions were taken"), ("ru", "Принятые решения")],
)
def test_deleting_decisions_removes_them_and_then_the_paragraph(
    story, office, language, decisions_words
):
    visit = story["visit"]
    first, second = story["decisions"]
    first.delete()
    text = generate(visit, office, language)
    assert "Horizon Europe" not in text
    assert "Double Degree Programme" in text
    second.delete()
    text = generate(visit, office, language)
    assert "Double Degree Programme" not in text
    assert decisions_words not in text


@pytest.mark.parametrize(
    ("language", "next_words"), [("en", "Next steps"), ("ru", "Дальнейшие шаги")]
)
def test_a_cancelled_action_item_is_no_longer_a_next_step(story, office, language, next_words):
    visit = story["visit"]
    action = story["action"]
    assert "Draft the Exchange Agreement" in generate(visit, office, language)
    action.status = ActionItemStatus.CANCELLED
    action.save()
    text = generate(visit, office, language)
    assert "Draft the Exchange Agreement" not in text
    assert next_words not in text
    assert news.format_date(action.due_on, language) not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_removing_the_head_removes_the_head_sentence(story, office, language):
    visit = story["visit"]
    visit.participants.filter(role=DelegationRole.HEAD).delete()
    text = generate(visit, office, language)
    assert "Jan Kowalski" not in text
    assert "headed by" not in text
    assert "Руководитель" not in text


@pytest.mark.parametrize("language", ["en", "ru", "kk", "pl"])
def test_a_visit_with_only_its_dates_gets_a_lead_and_no_invented_body(home, office, language):
    visit = VisitFactory(host_institution=home, status=VisitStatus.COMPLETED, purpose="")
    draft = visit_services.news_generate(visit=visit, user=office, language=language)
    assert draft.body == ""
    assert news.format_date_range(visit.start_date, visit.end_date, language) in draft.lead
    assert set(re.findall(r"\d+", text_of(draft))) <= {"12", "14", "2026"} | set(
        re.findall(r"\d+", visit.visiting_institution.name)
    )


def test_an_outgoing_visit_names_the_home_side_as_the_sending_one(home, office, agh):
    visit = VisitFactory(
        direction=Direction.OUTGOING,
        visiting_institution=home,
        host_institution=agh,
        status=VisitStatus.COMPLETED,
    )
    ParticipantFactory(
        visit=visit, person=PersonFactory(name_native="Ержан Ахметов"), side=ParticipantSide.HOME
    )
    draft = visit_services.news_generate(visit=visit, user=office, language="en")
    assert (
        draft.title
        == "Delegation of Karaganda Industrial University visits AGH University of Krakow"
    )
    assert "On the side of Karaganda Industrial University" in draft.body


# --- Kazakh and Polish, dates --------------------------------------------------------------------


def test_kazakh_and_polish_drafts_are_generated_from_their_templates(story, office):
    assert news.available_languages() == ["en", "ru", "kk", "pl"]
    kazakh = visit_services.news_generate(visit=story["visit"], user=office, language="kk")
    assert kazakh.lead.startswith("2026 жылғы 12–14 мамыр аралығында делегация сапары өтті.")
    assert "«[EN] Memorandum of Cooperation» (тіркеу нөмірі: MOU-2026-017)" in kazakh.body
    polish = visit_services.news_generate(visit=story["visit"], user=office, language="pl")
    assert polish.lead.startswith("W dniach 12–14 maja 2026 r. odbyła się wizyta delegacji.")
    assert "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie" in polish.title
    assert "termin: 30 czerwca 2026 r." in polish.body


@pytest.mark.parametrize(
    ("start", "end", "language", "expected"),
    [
        ((2026, 5, 12), (2026, 5, 12), "en", "12 May 2026"),
        ((2026, 5, 12), (2026, 5, 14), "en", "12–14 May 2026"),
        ((2026, 4, 30), (2026, 5, 2), "en", "30 April – 2 May 2026"),
        ((2026, 12, 30), (2027, 1, 2), "en", "30 December 2026 – 2 January 2027"),
        ((2026, 4, 30), (2026, 5, 2), "ru", "30 апреля – 2 мая 2026 г."),
        ((2026, 5, 12), (2026, 5, 14), "kk", "2026 жылғы 12–14 мамыр"),
        ((2026, 9, 1), (2026, 9, 1), "pl", "1 września 2026 r."),
    ],
)
def test_dates_are_written_as_in_running_text(start, end, language, expected):
    start_date, end_date = datetime.date(*start), datetime.date(*end)
    assert news.format_date_range(start_date, end_date, language) == expected


def test_a_language_without_a_template_is_not_offered(story, office, tmp_path, monkeypatch):
    (tmp_path / "en.txt").write_text(
        (news.TEMPLATE_DIR / "en.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setattr(news, "TEMPLATE_DIR", tmp_path)
    assert news.available_languages() == ["en"]
    with pytest.raises(ValidationError, match="no news template"):
        visit_services.news_generate(visit=story["visit"], user=office, language="pl")
    assert not NewsDraft.objects.exists()


def test_a_broken_template_is_a_clear_error_and_writes_nothing(
    story, office, tmp_path, monkeypatch
):
    (tmp_path / "en.txt").write_text(
        "=== title ===\n{% if %}\n=== lead ===\nx\n=== body ===\n", encoding="utf-8"
    )
    (tmp_path / "ru.txt").write_text("=== title ===\nx\n=== body ===\n", encoding="utf-8")
    monkeypatch.setattr(news, "TEMPLATE_DIR", tmp_path)
    with pytest.raises(ValidationError, match="English news template has an error"):
        visit_services.news_generate(visit=story["visit"], user=office, language="en")
    with pytest.raises(ValidationError, match="=== lead ==="):
        visit_services.news_generate(visit=story["visit"], user=office, language="ru")
    assert not NewsDraft.objects.exists()


# --- Generating and editing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [VisitStatus.PLANNED, VisitStatus.CONFIRMED, VisitStatus.ONGOING, VisitStatus.CANCELLED],
)
def test_only_a_completed_visit_gets_a_draft(home, office, status):
    visit = VisitFactory(host_institution=home, status=status)
    with pytest.raises(ValidationError, match="generated from a completed visit"):
        visit_services.news_generate(visit=visit, user=office, language="en")
    assert not NewsDraft.objects.exists()


def test_generating_again_replaces_a_generated_draft_in_place(story, office):
    first = visit_services.news_generate(visit=story["visit"], user=office, language="en")
    story["member_row"].delete()
    second = visit_services.news_generate(visit=story["visit"], user=office, language="en")
    assert second.pk == first.pk
    assert NewsDraft.objects.count() == 1
    assert "Anna Nowak" not in NewsDraft.objects.get().body


def test_an_edited_draft_is_replaced_only_when_confirmed(story, office):
    draft = visit_services.news_generate(visit=story["visit"], user=office, language="en")
    visit_services.news_update(
        draft=draft, user=office, title="My title", lead="My lead", body="A\n\n\nB"
    )
    draft.refresh_from_db()
    assert (draft.title, draft.body, draft.is_edited) == ("My title", "A\n\nB", True)
    with pytest.raises(visit_services.EditedDraftExists):
        visit_services.news_generate(visit=story["visit"], user=office, language="en")
    draft.refresh_from_db()
    assert draft.title == "My title"
    visit_services.news_generate(
        visit=story["visit"], user=office, language="en", replace_edited=True
    )
    draft.refresh_from_db()
    assert draft.title.startswith("Delegation of AGH")
    assert draft.is_edited is False


# --- Exports -------------------------------------------------------------------------------------


@pytest.fixture
def hostile_draft(home, office):
    """A draft whose record values look like HTML and Markdown."""
    visit = VisitFactory(
        host_institution=home,
        visiting_institution=InstitutionFactory(
            name="<script>alert(1)</script> *Uni* [x](http://evil) & Co", name_en=""
        ),
        status=VisitStatus.COMPLETED,
        purpose="# not a heading",
    )
    ParticipantFactory(visit=visit, person=PersonFactory(name_native="_Anna_ <b>Nowak</b>"))
    return visit_services.news_generate(visit=visit, user=office, language="en")


def test_the_html_export_escapes_record_values(hostile_draft):
    html = news.export_html(hostile_draft)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Nowak&lt;/b&gt;" in html
    assert '<html lang="en">' in html
    assert html.count("<p>") == len(news.paragraphs(hostile_draft.body))


def test_the_markdown_export_escapes_markdown_in_record_values(hostile_draft):
    markdown = news.export_markdown(hostile_draft)
    assert markdown.startswith("# Delegation of \\<script\\>alert(1)\\</script\\> \\*Uni\\* ")
    assert "\\[x\\](http://evil) \\& Co" in markdown
    assert "\\_Anna\\_ \\<b\\>Nowak\\</b\\>" in markdown
    assert "\\# not a heading" in markdown
    assert "<script>" not in markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("1. First", "1\\. First"),
        ("2026) year", "2026\\) year"),
        ("> quote", "\\> quote"),
        ("a `code` b", "a \\`code\\` b"),
        ("plain text, 12–14 May 2026.", "plain text, 12–14 May 2026."),
    ],
)
def test_escape_markdown(text, expected):
    assert news.escape_markdown(text) == expected


def test_the_docx_export_holds_the_title_lead_and_paragraphs(story, office):
    draft = visit_services.news_generate(visit=story["visit"], user=office, language="ru")
    document = docx.Document(io.BytesIO(news.export_docx(draft)))
    texts = [p.text for p in document.paragraphs]
    assert texts == [draft.title, draft.lead, *news.paragraphs(draft.body)]
    assert document.paragraphs[1].runs[0].bold is True
    assert document.core_properties.title == draft.title
