"""The news tab, generating and editing drafts, and their downloads, with permissions."""

import io

import docx
import pytest
from django.urls import reverse

from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.visits import services as visit_services
from unibridge.visits.choices import VisitStatus
from unibridge.visits.models import NewsDraft
from unibridge.visits.tests.factories import ParticipantFactory, VisitFactory


@pytest.fixture
def visit(home, engineering):
    visit = VisitFactory(
        title="AGH delegation",
        host_institution=home,
        visiting_institution=InstitutionFactory(name="AGH University of Krakow"),
        status=VisitStatus.COMPLETED,
    )
    visit.home_units.set([engineering])
    ParticipantFactory(visit=visit, person=PersonFactory(name_native="<script>x</script> Nowak"))
    return visit


@pytest.fixture
def secret_visit(home, economics):
    visit = VisitFactory(host_institution=home, status=VisitStatus.COMPLETED, is_confidential=True)
    visit.home_units.set([economics])
    return visit


def tab_url(visit) -> str:
    return reverse("visits:visit_tab", args=[visit.uuid, "news"])


def generate_url(visit, language="en") -> str:
    return reverse("visits:news_generate", args=[visit.uuid, language])


def edit_url(visit, language="en") -> str:
    return reverse("visits:news_edit", args=[visit.uuid, language])


def download_url(visit, language="en", extension="html") -> str:
    return reverse("visits:news_download", args=[visit.uuid, language, extension])


def make_draft(visit, office_user, language="en") -> NewsDraft:
    return visit_services.news_generate(visit=visit, user=office_user, language=language)


# --- The tab -------------------------------------------------------------------------------------


def test_the_tab_offers_generation_per_language_to_editors(office_client, visit):
    response = office_client.get(tab_url(visit))
    assert response.status_code == 200
    content = response.content.decode()
    for language in ["en", "ru", "kk", "pl"]:
        assert generate_url(visit, language) in content
    assert "No draft in this language yet." in content


def test_the_tab_explains_why_a_visit_that_is_not_completed_has_no_draft(office_client, visit):
    visit.status = VisitStatus.CONFIRMED
    visit.save()
    content = office_client.get(tab_url(visit)).content.decode()
    assert "A news draft is generated from a completed visit; this visit is confirmed." in content
    assert generate_url(visit) not in content


def test_the_tab_shows_the_draft_with_its_links_escaped(office_client, office_user, visit):
    make_draft(visit, office_user)
    content = office_client.get(tab_url(visit)).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; Nowak" in content
    assert "<script>x</script>" not in content
    assert edit_url(visit) in content
    for extension in ["html", "md", "docx"]:
        assert download_url(visit, "en", extension) in content
    assert "Generate again" in content


def test_viewers_see_drafts_without_the_editing_buttons(viewer_client, office_user, visit):
    make_draft(visit, office_user)
    content = viewer_client.get(tab_url(visit)).content.decode()
    assert download_url(visit) in content
    assert edit_url(visit) not in content
    assert generate_url(visit) not in content


@pytest.mark.parametrize("drafts", [1, 4])
def test_the_tab_reads_a_constant_number_of_queries(
    office_client, office_user, visit, drafts, django_assert_num_queries
):
    for language in ["en", "ru", "kk", "pl"][:drafts]:
        make_draft(visit, office_user, language)
    office_client.get(tab_url(visit))  # warm the session and caches
    # session, user, visit and its prefetches, the editable check, the drafts and their
    # publications: not per draft
    with django_assert_num_queries(11):
        response = office_client.get(tab_url(visit))
    assert response.status_code == 200


# --- Generating ----------------------------------------------------------------------------------


def test_office_generates_a_draft(office_client, visit):
    response = office_client.post(generate_url(visit, "ru"))
    assert response.status_code == 302
    assert response.url == tab_url(visit)
    draft = NewsDraft.objects.get(visit=visit)
    assert draft.language == "ru"
    assert "AGH University of Krakow" in draft.title


def test_the_coordinator_of_a_home_unit_generates_a_draft(coordinator_client, visit):
    assert coordinator_client.post(generate_url(visit)).status_code == 302
    assert NewsDraft.objects.filter(visit=visit).exists()


def test_generating_a_draft_of_a_visit_not_completed_writes_nothing(office_client, visit):
    visit.status = VisitStatus.ONGOING
    visit.save()
    response = office_client.post(generate_url(visit), follow=True)
    assert "A news draft is generated from a completed visit" in response.content.decode()
    assert not NewsDraft.objects.exists()


def test_generating_requires_edit_rights(viewer_client, other_coordinator_user, client, visit):
    assert viewer_client.post(generate_url(visit)).status_code == 403
    client.force_login(other_coordinator_user)
    assert client.post(generate_url(visit)).status_code == 403
    assert not NewsDraft.objects.exists()


def test_generating_for_an_invisible_visit_is_404(viewer_client, coordinator_client, secret_visit):
    assert viewer_client.post(generate_url(secret_visit)).status_code == 404
    assert coordinator_client.post(generate_url(secret_visit)).status_code == 404
    assert not NewsDraft.objects.exists()


def test_generating_needs_post_and_a_known_language(office_client, visit):
    assert office_client.get(generate_url(visit)).status_code == 405
    assert office_client.post(generate_url(visit, "de")).status_code == 404
    assert not NewsDraft.objects.exists()


def test_an_edited_draft_is_replaced_only_after_confirmation(office_client, office_user, visit):
    draft = make_draft(visit, office_user)
    visit_services.news_update(
        draft=draft, user=office_user, title="Edited", lead="Lead", body="Body"
    )
    response = office_client.post(generate_url(visit))
    assert response.status_code == 409
    assert "Replace the edited draft" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "Edited"
    response = office_client.post(generate_url(visit), {"confirm": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title != "Edited"
    assert draft.is_edited is False


# --- Editing -------------------------------------------------------------------------------------


def test_editing_saves_the_text_and_marks_the_draft_edited(office_client, office_user, visit):
    draft = make_draft(visit, office_user)
    page = office_client.get(edit_url(visit))
    assert page.status_code == 200
    version = page.context["form"].initial["version"]
    response = office_client.post(
        edit_url(visit),
        {"title": "New title", "lead": "New lead", "body": "One\r\n\r\nTwo", "version": version},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.lead, draft.body, draft.is_edited) == (
        "New title",
        "New lead",
        "One\n\nTwo",
        True,
    )


def test_an_empty_title_is_refused_and_nothing_is_saved(office_client, office_user, visit):
    draft = make_draft(visit, office_user)
    response = office_client.post(
        edit_url(visit),
        {"title": "", "lead": "x", "body": "y", "version": draft.updated.isoformat()},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_edited is False


def test_a_stale_edit_is_refused_with_a_conflict(office_client, office_user, visit):
    draft = make_draft(visit, office_user)
    version = office_client.get(edit_url(visit)).context["form"].initial["version"]
    visit_services.news_update(draft=draft, user=office_user, title="Theirs", lead="L", body="B")
    response = office_client.post(
        edit_url(visit), {"title": "Mine", "lead": "L", "body": "B", "version": version}
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else saved this draft" in content
    assert 'value="Mine"' in content
    assert "Theirs" in content
    draft.refresh_from_db()
    assert draft.title == "Theirs"


def test_editing_requires_edit_rights_and_visibility(
    viewer_client, office_user, visit, secret_visit
):
    make_draft(visit, office_user)
    make_draft(secret_visit, office_user)
    assert viewer_client.get(edit_url(visit)).status_code == 403
    assert viewer_client.post(edit_url(visit), {"title": "x"}).status_code == 403
    assert viewer_client.get(edit_url(secret_visit)).status_code == 404


def test_editing_a_missing_draft_is_404(office_client, visit):
    assert office_client.get(edit_url(visit)).status_code == 404


# --- Downloads -----------------------------------------------------------------------------------


def test_the_html_download_is_escaped(viewer_client, office_user, visit):
    make_draft(visit, office_user)
    response = viewer_client.get(download_url(visit, "en", "html"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert 'filename="news-agh-delegation-en.html"' in response["Content-Disposition"]
    assert response["Content-Security-Policy"] == "sandbox"
    content = response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt; Nowak" in content
    assert "<script>" not in content


def test_the_markdown_download_escapes_record_values(viewer_client, office_user, visit):
    make_draft(visit, office_user, "ru")
    response = viewer_client.get(download_url(visit, "ru", "md"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    content = response.content.decode()
    assert content.startswith("# Визит делегации: AGH University of Krakow")
    assert "\\<script\\>x\\</script\\> Nowak" in content


def test_the_docx_download_opens_with_the_draft_text(viewer_client, office_user, visit):
    draft = make_draft(visit, office_user)
    response = viewer_client.get(download_url(visit, "en", "docx"))
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == [draft.title, draft.lead]
    assert "<script>x</script> Nowak" in "\n".join(texts)


def test_downloads_of_an_invisible_visit_are_404(viewer_client, office_user, secret_visit):
    make_draft(secret_visit, office_user)
    for extension in ["html", "md", "docx"]:
        assert viewer_client.get(download_url(secret_visit, "en", extension)).status_code == 404


def test_the_coordinator_of_the_confidential_visits_unit_downloads_it(
    client, other_coordinator_user, office_user, secret_visit
):
    draft = make_draft(secret_visit, office_user)
    client.force_login(other_coordinator_user)
    response = client.get(download_url(secret_visit))
    assert response.status_code == 200
    assert draft.title in response.content.decode()


def test_unknown_formats_languages_and_missing_drafts_are_404(office_client, office_user, visit):
    make_draft(visit, office_user)
    assert office_client.get(download_url(visit, "en", "pdf")).status_code == 404
    assert office_client.get(download_url(visit, "xx", "html")).status_code == 404
    assert office_client.get(download_url(visit, "ru", "html")).status_code == 404


def test_downloads_require_logging_in(client, office_user, visit):
    make_draft(visit, office_user)
    response = client.get(download_url(visit))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
