"""The demo memorandum and news draft in Russian and Kazakh hold no English, only proper names.

Each document is read back from its DOCX (python-docx), and every word in Latin script must be
on the allow-list below: names of people and places as they are written in their own country,
acronyms and programme names, references, e-mail addresses and links.
"""

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from docx import Document

from unibridge.agreements import documents
from unibridge.agreements.demo import MEMORANDUM_TITLE
from unibridge.agreements.models import Agreement
from unibridge.visits import news
from unibridge.visits.demo import AGH_VISIT_TITLE
from unibridge.visits.models import Visit

ALLOWED = {
    # acronyms and programmes
    "AGH", "Erasmus", "KA", "KGF", "MoU", "PhD",
    # the AGH delegation's names, written in Polish
    "Zbigniew", "Łęczycki", "Agnieszka", "Wąsowicz-Żak", "Paweł", "Ślęzak", "Katarzyna",
    "Gołębiowska",
    # the cities of the institutions' records (the directory keeps one spelling)
    "Temirtau", "Kraków",
}  # fmt: skip
# Latin letters (with the Polish and other diacritics), joined by hyphens or apostrophes.
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏ]+(?:[-'’][A-Za-zÀ-ɏ]+)*")
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+")


@pytest.fixture
def demo(db, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=StringIO())


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def english_words(text: str) -> set[str]:
    words = set(LATIN_WORD.findall(ADDRESSES.sub(" ", text)))
    return {word for word in words if word not in ALLOWED}


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_demo_memorandum_in_russian_and_kazakh_has_no_english(demo, language):
    memorandum = Agreement.objects.get(title=MEMORANDUM_TITLE)
    assert not documents.document_fallbacks(memorandum)
    text = docx_text(documents.render_agreement_docx(memorandum, languages=[language]))
    assert "Меморандум" in text or "меморандум" in text
    assert english_words(text) == set()


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_demo_news_draft_in_russian_and_kazakh_has_no_english(demo, language):
    visit = Visit.objects.get(title=AGH_VISIT_TITLE)
    draft = visit.news_drafts.get(language=language)
    assert not news.news_fallbacks(visit, language)
    text = docx_text(news.export_docx(draft))
    assert "AGH" in text
    assert english_words(text) == set()


def test_an_english_text_would_be_found():
    # the check itself: an untranslated text in a Russian draft is caught
    assert english_words("Цель визита: [EN] Round table, prof. Łęczycki") == {
        "EN",
        "Round",
        "table",
        "prof",
    }
