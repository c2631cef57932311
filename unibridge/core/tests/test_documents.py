"""DOCX templates filled in with docxtpl, PDF made by LibreOffice, templates checked on upload."""

import io
import os
import stat

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from unibridge.accounts.tests.factories import UserFactory
from unibridge.core import documents
from unibridge.core.models import DocumentTemplate
from unibridge.core.tests.test_uploads import png_bytes


def template_with(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def text_of(docx_bytes: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(docx_bytes)).paragraphs)


@pytest.fixture
def soffice():
    """LibreOffice for PDF tests: skipped when missing, unless CI (REQUIRE_BROWSER) needs it."""
    path = documents.soffice_path()
    if path is None:
        message = "PDF tests need LibreOffice (apt-get install libreoffice-writer-nogui)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"REQUIRE_BROWSER is set but {message}")
        pytest.skip(message)
    return path


# --- Rendering ---------------------------------------------------------------------------------


def test_a_template_is_filled_in():
    template = template_with("Agreement {{ reference }} with {{ partner.name }}")
    result = documents.render_docx(template, {"reference": "MoU-1", "partner": {"name": "AGH"}})
    assert text_of(result) == "Agreement MoU-1 with AGH"


def test_values_are_escaped_so_the_document_stays_valid():
    result = documents.render_docx(template_with("{{ name }}"), {"name": "R&D <Lab> “Ltd”"})
    assert text_of(result) == "R&D <Lab> “Ltd”"


def test_a_syntax_error_is_named():
    with pytest.raises(documents.TemplateProblem) as caught:
        documents.render_docx(template_with("{{ agreement.title"), {"agreement": {}})
    assert "syntax error" in str(caught.value)
    assert "agreement.title" in str(caught.value)


def test_an_unknown_filter_is_named():
    with pytest.raises(documents.TemplateProblem) as caught:
        documents.render_docx(template_with("{{ name|shout }}"), {"name": "x"})
    assert "shout" in str(caught.value)


def test_an_undefined_variable_is_an_error():
    with pytest.raises(documents.TemplateProblem) as caught:
        documents.render_docx(template_with("{{ agreement.titel }}"), {"agreement": {}})
    assert "titel" in str(caught.value)


def test_templates_run_in_a_sandbox():
    template = template_with("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(documents.TemplateProblem):
        documents.render_docx(template, {})


@pytest.mark.parametrize("content", [b"not a zip at all", png_bytes(), b"PK\x03\x04broken"])
def test_a_file_that_is_not_a_docx_is_named_so(content):
    with pytest.raises(documents.TemplateProblem) as caught:
        documents.render_docx(content, {})
    assert "not a DOCX" in str(caught.value)


def test_a_kind_without_sample_context_is_checked_for_syntax_only():
    documents.validate_template(template_with("{{ anything.goes }}"), "news_draft")
    with pytest.raises(documents.TemplateProblem):
        documents.validate_template(template_with("{% if %}"), "news_draft")


# --- PDF ---------------------------------------------------------------------------------------


def test_a_docx_becomes_a_pdf_with_its_text(soffice):
    pdf = documents.convert_to_pdf(template_with("Меморандум — Memorandum — Porozumienie Kraków"))
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Меморандум" in text
    assert "Porozumienie Kraków" in text


def test_a_missing_libreoffice_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFFICE", str(tmp_path / "no-soffice-here"))
    with pytest.raises(documents.ConversionError) as caught:
        documents.convert_to_pdf(template_with("x"))
    assert "LibreOffice" in str(caught.value)


def test_a_conversion_that_hangs_is_stopped(monkeypatch, tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("SOFFICE", str(fake))
    with pytest.raises(documents.ConversionError) as caught:
        documents.convert_to_pdf(template_with("x"), timeout=0.5)
    assert "longer than" in str(caught.value)


def test_a_failing_conversion_is_a_clear_error(monkeypatch, tmp_path):
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("SOFFICE", str(fake))
    with pytest.raises(documents.ConversionError) as caught:
        documents.convert_to_pdf(template_with("x"))
    assert "could not be loaded" in str(caught.value)


# --- Templates in the administration ------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def post_template(client, content: bytes, name: str = "memo.docx"):
    return client.post(
        "/admin/core/documenttemplate/add/",
        {
            "kind": "agreement",
            "name": "Our memorandum",
            "is_active": "on",
            "file": SimpleUploadedFile(name, content),
        },
    )


def test_admin_refuses_a_template_with_a_syntax_error(superuser_client):
    response = post_template(superuser_client, template_with("{{ agreement.title"))
    assert response.status_code == 200
    assert "syntax error" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_admin_refuses_a_template_using_an_unknown_filter(superuser_client):
    response = post_template(superuser_client, template_with("{{ reference|shout }}"))
    assert response.status_code == 200
    assert "shout" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_admin_refuses_a_file_that_is_not_a_docx(superuser_client):
    response = post_template(superuser_client, png_bytes(), name="memo.docx")
    assert response.status_code == 200
    assert "memo.docx" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_admin_accepts_a_template_that_fills_in(superuser_client, media_root):
    template = template_with(
        "{{ reference }}: {{ en.title }} / {% for v in others %}{{ v.title }}{% endfor %}"
    )
    response = post_template(superuser_client, template)
    assert response.status_code == 302
    saved = DocumentTemplate.objects.get()
    assert saved.uploaded_by.username == "root"
    assert saved.file.name.startswith("templates/")
    assert "memo" not in saved.file.name
    assert saved.file.read() == template
