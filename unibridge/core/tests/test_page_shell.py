"""The page shell every page shares: one header row, the sidebar by area, the footer with the
version, the languages by their own names and the Content-Security-Policy."""

import re

import pytest
from django.urls import reverse

from unibridge.context_processors import version

pytestmark = pytest.mark.django_db


def test_a_page_has_one_title_row_with_breadcrumbs(office_client):
    response = office_client.get(reverse("agreements:agreement_list"))
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'class="breadcrumb"' in html
    assert re.search(r'<li class="breadcrumb-item"><a href="/agreements/">Agreements</a>', html)


def test_the_sidebar_groups_sections_by_area_and_marks_the_current_one(office_client):
    html = office_client.get(reverse("agreements:agreement_list")).content.decode()
    for area in ("Partners", "Agreements", "Visits &amp; meetings"):
        assert f'<span class="nav-area-title">{area}</span>' in html
    assert re.search(r'class="nav-link active" href="/agreements/" aria-current="page"', html)


def test_the_footer_shows_the_version(office_client):
    html = office_client.get(reverse("home")).content.decode()
    assert f"UniBridge {version()}" in html


def test_the_language_switcher_names_each_language_in_itself_as_cldr_does(office_client):
    for reader in ("en", "ru", "kk", "pl"):
        office_client.cookies["django_language"] = reader
        html = office_client.get(reverse("home")).content.decode()
        options = dict(re.findall(r'<option value="(\w+)" lang="\1"(?: selected)?>([^<]+)<', html))
        assert options == {"en": "English", "ru": "Русский", "kk": "Қазақша", "pl": "Polski"}


def test_every_page_carries_a_strict_content_security_policy(office_client):
    policy = office_client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy


def test_no_page_template_has_inline_scripts_or_handlers():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(template.relative_to(root)))
        if re.search(r'\sstyle="', text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_the_api_docs_page_loads_its_start_script_from_a_file(office_client):
    html = office_client.get(reverse("api-docs")).content.decode()
    assert re.search(r'<html lang="en">', html)
    assert "<script>" not in html
    assert re.search(r'<script src="/api/v1/docs/\?[^"]*script', html)
