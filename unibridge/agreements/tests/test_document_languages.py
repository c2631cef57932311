"""The agreement's document in each of its languages: texts in that language, fallbacks marked
and listed, dates and countries as the language writes them, no identical version twice."""

import pytest
from django.core.exceptions import ValidationError

from unibridge.agreements import documents, services
from unibridge.agreements.tests import test_documents
from unibridge.core.testing import messages_of, text_of_docx

# The memorandum with AGH of the document tests, and its partner.
agreement, agh = test_documents.agreement, test_documents.agh

DEAN = {"ru": "Декан", "kk": "Декан", "pl": "Dziekan"}
RECTOR = {"ru": "Ректор", "kk": "Ректор", "pl": "Rektor"}
KRAKOW = {"ru": "Краков", "kk": "Краков", "pl": "Kraków"}


def translate_everything(agreement) -> None:
    """Write every text the document prints in Russian, Kazakh and Polish."""
    agreement.title_kk = "AGH-пен ынтымақтастық туралы меморандум"
    agreement.title_pl = "Memorandum o współpracy z AGH"
    agreement.save()
    for party in agreement.parties.all():
        texts = RECTOR if party.signatory_position == "Rector" else DEAN
        party.translations = {"signatory_position": texts}
        party.save()
        signature = getattr(party, "signature", None)
        if signature is not None:
            signature.translations = {"signatory_position": texts, "place": KRAKOW}
            signature.save()


def russian_only(agreement) -> str:
    return text_of_docx(documents.render_agreement_docx(agreement, languages=["ru"]))


def test_a_document_in_one_language_has_that_language_alone(agreement):
    translate_everything(agreement)
    text = russian_only(agreement)
    assert "Меморандум о сотрудничестве с AGH" in text
    assert "Польша" in text  # the country named in Russian (core.cldr)
    assert "1 марта 2026\u202fг." in text  # the date spelled out in Russian
    assert "Декан" in text and "Краков" in text
    for english in ("Memorandum of cooperation with AGH", "The parties", "Dean", "Poland"):
        assert english not in text
    assert "[EN]" not in text


def test_a_text_without_a_translation_falls_back_to_english_marked_in_a_draft(agreement):
    assert agreement.status == "draft"
    text = russian_only(agreement)
    assert "[EN] Dean" in text  # the position has no Russian text yet
    assert "[EN] Kraków" in text  # nor the place of the signature
    assert "Меморандум о сотрудничестве с AGH" in text  # the title has one: not marked


def test_the_fallbacks_are_listed_for_the_author(agreement):
    fallbacks = documents.document_fallbacks(agreement)
    assert {(item.language, item.used, item.text) for item in fallbacks.items} >= {
        ("ru", "en", "Dean"),
        ("pl", "en", "Dean"),
        ("ru", "en", "Rector"),
    }
    assert "texts fall back to English: " in fallbacks.summary()
    translate_everything(agreement)
    assert not documents.document_fallbacks(agreement)


def test_the_documents_tab_warns_which_texts_fall_back(office_client, agreement):
    response = office_client.get(f"/agreements/{agreement.uuid}/documents/")
    assert "texts fall back to English: " in response.content.decode()
    assert "Position of the signatory of AGH University of Krakow (Russian)" in (
        response.content.decode()
    )


def test_generating_says_which_texts_fall_back(office_client, agreement):
    response = office_client.post(
        f"/agreements/{agreement.uuid}/documents/generate/", {"language": "ru"}, follow=True
    )
    shown = " ".join(messages_of(response))
    assert "texts fall back to English: " in shown
    document = agreement.documents.get(original_name__endswith=".docx")
    assert document.original_name == "KA171-2026-007-ru.docx"


def test_generating_an_unchanged_document_adds_no_version(office_user, agreement):
    first = documents.document_generate(agreement=agreement, user=office_user, pdf=False)
    again = documents.document_generate(agreement=agreement, user=office_user, pdf=False)
    assert again.unchanged
    assert again.docx == first.docx
    assert agreement.documents.count() == 1


def test_a_changed_text_makes_a_new_version(office_user, agreement):
    documents.document_generate(agreement=agreement, user=office_user, pdf=False)
    services.agreement_update(
        agreement=agreement,
        user=office_user,
        values={"translations": {"title": {"kk": "Меморандум"}}},
    )
    result = documents.document_generate(agreement=agreement, user=office_user, pdf=False)
    assert not result.unchanged
    assert result.docx.version == 2


def test_the_page_says_no_changes_since_the_last_version(office_client, agreement):
    url = f"/agreements/{agreement.uuid}/documents/generate/"
    office_client.post(url, {"language": "ru"})
    response = office_client.post(url, {"language": "ru"}, follow=True)
    assert "No changes since version 1; no new version was added." in messages_of(response)
    assert agreement.documents.filter(original_name__endswith=".docx").count() == 1


def test_a_language_not_of_the_agreement_is_refused(office_user, agreement):
    with pytest.raises(ValidationError) as error:
        documents.document_generate(agreement=agreement, user=office_user, pdf=False, language="de")
    assert "“de” is not one of them" in str(error.value)
    assert not agreement.documents.exists()
