"""The agreements story in a real browser (Debian chromium driven by Playwright).

From the AGH partner page the international office drafts the memorandum of cooperation
between Karaganda Industrial University and AGH, sends it through the approval route of the
type, records both signatures, generates and downloads the DOCX and the PDF, and sees the
memorandum in force on the agreement's page, the partner's agreements and the partnership's
timeline.
"""

import datetime
import re

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader

from unibridge.accounts.models import Duty
from unibridge.accounts.tests.factories import DutyHolderFactory, UserFactory
from unibridge.agreements.demo import _ensure_default_types
from unibridge.agreements.models import Agreement, AgreementType
from unibridge.core.testing import assert_accessible, choose, log_in
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Memorandum of cooperation between Karaganda Industrial University and AGH"
TITLE_RU = "Меморандум о сотрудничестве между Карагандинским индустриальным университетом и AGH"
HOME_RU = "Карагандинский индустриальный университет"
AGH_EN = "AGH University of Krakow"
AGH_PL = "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie"
AGH_RU = "Горно-металлургическая академия имени Станислава Сташица в Кракове"
VICE_RECTOR_NATIVE = "Жумабекова Айгуль Сериковна"
VICE_RECTOR_LATIN = "Zhumabekova Aigul Serikovna"
PROFESSOR = "Zbigniew Łęczycki"
# a document generated with LibreOffice can take a few seconds on a busy machine
DOCUMENTS_TIMEOUT = 60_000


def years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@pytest.fixture
def story(live_server, home, engineering, office_user):
    """Karaganda Industrial University, AGH with a unit and a professor, the partnership."""
    # The types come with a migration; a flush after an earlier live-server test removed them.
    _ensure_default_types()
    home.name_ru = HOME_RU
    home.save()
    agh = InstitutionFactory(
        name=AGH_PL,
        name_en=AGH_EN,
        name_ru=AGH_RU,
        acronym="AGH",
        hei_id="agh.edu.pl",
        country="PL",
        city="Kraków",
    )
    approvers = {
        "head-of-unit": UserFactory(username="dean", first_name="Nurlan", last_name="Akhmetov"),
        "legal-office": UserFactory(username="lawyer", first_name="Saule", last_name="Kasymova"),
        "vice-rector-international": UserFactory(
            username="vice", first_name="Aigul", last_name="Zhumabekova"
        ),
    }
    for code, user in approvers.items():
        duty = Duty.objects.get(code=code)
        DutyHolderFactory(duty=duty, user=user, unit=engineering if duty.per_unit else None)
    return {
        "approvers": approvers,
        "home": home,
        "agh": agh,
        "metallurgy": UnitFactory(
            institution=home, parent=engineering, name="Department of Metallurgy", kind="department"
        ),
        "mineral_processing": UnitFactory(
            institution=agh,
            name="Katedra Inżynierii Środowiska i Przeróbki Surowców",
            name_en="Department of Environmental Engineering and Mineral Processing",
        ),
        "vice_rector": PersonFactory(
            institution=home,
            name_native=VICE_RECTOR_NATIVE,
            name_latin=VICE_RECTOR_LATIN,
            position="Vice-Rector for International Affairs",
        ),
        "professor": PersonFactory(
            institution=agh, name_native=PROFESSOR, position="Head of the AGH delegation"
        ),
        "partnership": PartnershipFactory(partner=agh),
    }


def message(page) -> str:
    return page.get_by_role("status").inner_text()


def test_office_concludes_the_memorandum_with_agh_from_the_partner_page(page, story, tmp_path):
    today = timezone.localdate()
    expiry = years_later(today, 5)
    agh, partnership = story["agh"], story["partnership"]
    route = list(AgreementType.objects.get(code="mou").route.select_related("duty"))
    approvers = [story["approvers"][step.duty.code] for step in route]
    log_in(page, "office")

    # 1. The AGH page → Agreements → New agreement: the form, prefilled with AGH.
    page.goto(agh.get_absolute_url())
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Agreements"
    ).click()
    page.wait_for_url(re.compile(r"/institutions/[0-9a-f-]+/agreements/$"))
    assert "No agreements with this institution yet." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="New agreement").click()
    page.wait_for_url(re.compile(r"/agreements/new/\?partner="))
    expect(page.get_by_role("heading", level=1)).to_have_text("New agreement")
    partners = page.get_by_role("group", name="Partner institutions")
    expect(partners.get_by_role("checkbox", name=f"{AGH_EN} (Poland)")).to_be_checked()
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Type")).select_option(label="Memorandum of cooperation")
    page.get_by_label(re.compile(r"^Title\b(?! in)")).fill(TITLE)
    page.get_by_label("Title in English").fill(TITLE)
    page.get_by_label("Title in Russian").fill(TITLE_RU)
    areas = page.get_by_role("group", name="Cooperation areas")
    for area in ("Joint research", "Student exchange", "Staff exchange", "Internships"):
        areas.get_by_label(area).check()
    page.get_by_label("Effective from").fill(today.isoformat())
    page.get_by_label("Expires on").fill(expiry.isoformat())
    page.get_by_label("Renews automatically for (years)").fill("5")
    page.get_by_label("Notice period (days)").fill("180")
    # the home units: a searchable tree-select
    choose(page, "^Home units", "Engineering", "Faculty of Engineering")
    choose(page, "^Home units", "Metallurgy", "Department of Metallurgy")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r"/agreements/[0-9a-f-]+/$"))
    reference = f"MoU-{today.year}-001"
    assert f"Created the draft {reference}." in message(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    summary = page.get_by_role("region", name="Summary")
    header = summary.inner_text()
    assert reference in header and "Memorandum of cooperation" in header and "Draft" in header
    expect(summary.get_by_role("region", name="Next step")).to_contain_text("Send for approval.")
    agreement = Agreement.objects.get(reference=reference)
    assert agreement.title_ru == TITLE_RU
    assert agreement.effective_date == today and agreement.expiry_date == expiry
    assert_accessible(page)

    # ... and the parties: units and signatories on both sides.
    tabs = page.get_by_role("navigation", name="Sections of this record")
    tabs.get_by_role("link", name="Parties").click()
    page.get_by_role("link", name="Edit parties").click()
    page.wait_for_url(re.compile(r"/parties/edit/$"))
    home_party = page.get_by_role("group", name=re.compile(r"^Karaganda Industrial University"))
    home_party.get_by_label("Signatory", exact=True).select_option(label=str(story["vice_rector"]))
    home_party.get_by_label("Signatory's position", exact=True).fill(
        "Vice-Rector for International Affairs"
    )
    agh_party = page.get_by_role("group", name=re.compile(rf"^{AGH_EN}"))
    unit = "Department of Environmental Engineering and Mineral Processing"
    choose(page, "^Units", "Environmental", unit, within=agh_party)
    agh_party.get_by_label("Signatory", exact=True).select_option(label=str(story["professor"]))
    agh_party.get_by_label("Signatory's position", exact=True).fill("Head of the AGH delegation")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/parties/$"))
    assert f"Saved the parties to {reference}." in message(page)
    parties = page.locator("main table").inner_text()
    assert VICE_RECTOR_NATIVE in parties and PROFESSOR in parties
    assert "Department of Metallurgy" in parties
    assert "Department of Environmental Engineering and Mineral Processing" in parties
    assert_accessible(page)

    # 2. Approval: each step of the type's route by the person who holds its duty; the
    # office waits for them.
    page.get_by_role("button", name="Send for approval").click()
    page.wait_for_url(re.compile(r"/approvals/$"))
    assert "Sent for approval." in message(page)
    approvals_url = page.url
    next_step = page.get_by_role("region", name="Next step")
    expect(next_step).to_contain_text(
        "Waiting for Head of unit of Faculty of Engineering, Department of Metallurgy "
        "(Nurlan Akhmetov) to decide step 1, “Head of unit”."
    )
    assert page.get_by_role("button", name="Approve").count() == 0
    expect(page.get_by_role("link", name=re.compile(r"^Approvals 3$"))).to_be_visible()
    assert_accessible(page)
    for step, approver in zip(route, approvers, strict=True):
        page.context.clear_cookies()
        log_in(page, approver.username)
        page.goto(approvals_url)
        expect(next_step).to_contain_text(f"Your decision: step {step.order}, “{step.name}”.")
        expect(page.get_by_role("heading", name=f"Your decision on “{step.name}”")).to_be_visible()
        assert_accessible(page)
        page.get_by_label("Comment").fill(f"{step.name}: agreed.")
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_role("status")).to_contain_text(f"Approved “{step.name}”.")
    page.context.clear_cookies()
    log_in(page, "office")
    page.goto(approvals_url)
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(len(route))
    for row, step, approver in zip(rows.all(), route, approvers, strict=True):
        text = row.inner_text()
        assert step.name in text and "Approved" in text and f"{step.name}: agreed." in text
        assert approver.get_full_name() in text  # who decided, beside when
    assert page.get_by_role("button", name="Approve").count() == 0
    assert "Approved" in summary.inner_text()
    expect(next_step).to_contain_text("Send for signature.")
    assert_accessible(page)

    # 3. Signing: the home party's signature, then AGH's, which puts it in force today.
    page.get_by_role("button", name="Send for signature").click()
    page.wait_for_url(re.compile(r"/parties/$"))
    assert "Sent to the parties for signature." in message(page)
    signatures = [
        ("Karaganda Industrial University", "Temirtau", "Ink", "Signature recorded."),
        (AGH_EN, "Kraków", "Electronic", "the agreement is now in force"),
    ]
    for institution, place, method, outcome in signatures:
        page.get_by_role("link", name=f"Record the signature of {institution}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Signature of {institution}")
        expect(page.get_by_label("Signed on")).to_have_value(today.isoformat())
        page.get_by_label("Place").fill(place)
        page.get_by_label("Method").select_option(label=method)
        assert_accessible(page)
        page.get_by_role("button", name="Record the signature").click()
        page.wait_for_url(re.compile(r"/parties/$"))
        assert outcome in message(page)
    parties = page.locator("main table").inner_text()
    assert "Temirtau (Ink)" in parties and "Kraków (Electronic)" in parties
    assert "Active" in summary.inner_text()
    assert_accessible(page)

    # 4. The documents: generated from the template, downloaded, read back.
    tabs.get_by_role("link", name="Documents").click()
    page.wait_for_url(re.compile(r"/documents/$"))
    assert "No documents yet." in page.locator("main").inner_text()
    page.get_by_role("button", name="Generate DOCX and PDF").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The document was generated: version 1 (DOCX) and 2 (PDF).", timeout=DOCUMENTS_TIMEOUT
    )
    versions = page.get_by_role("table").get_by_role("row").filter(has_text="generated")
    expect(versions).to_have_count(2)
    assert_accessible(page)
    files = {}
    for version, suffix in ((1, "docx"), (2, "pdf")):
        with page.expect_download() as download_info:
            page.get_by_role("link", name=f"Download version {version}").click()
        download = download_info.value
        assert download.suggested_filename == f"{reference}.{suffix}"
        files[suffix] = tmp_path / download.suggested_filename
        download.save_as(files[suffix])

    docx = Document(files["docx"])
    docx_text = "\n".join(
        [paragraph.text for paragraph in docx.paragraphs]
        + [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    )
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(files["pdf"]).pages)
    for name, text in (("DOCX", docx_text), ("PDF", pdf_text)):
        flat = " ".join(text.split())
        for expected in (
            reference,
            TITLE,
            TITLE_RU,
            "Karaganda Industrial University",
            HOME_RU,
            AGH_EN,
            AGH_RU,
            AGH_PL,
            VICE_RECTOR_LATIN,
            VICE_RECTOR_NATIVE,
            PROFESSOR,
            "Temirtau",
            "Kraków",
        ):
            assert expected in flat, f"the {name} misses {expected!r}"

    # 5. In force: on its page, on the partner's agreements tab and on the timeline.
    tabs.get_by_role("link", name="Overview").click()
    page.wait_for_url(re.compile(r"/agreements/[0-9a-f-]+/$"))
    assert "Active" in summary.inner_text()
    expect(next_step).to_contain_text("The current period ends on")
    expect(page.get_by_role("link", name=re.compile(r"^Documents 2$"))).to_be_visible()
    assert page.get_by_role("link", name="Terminate").is_visible()
    assert_accessible(page)
    # On a phone the summary and its next step fit the screen's width.
    page.set_viewport_size({"width": 375, "height": 812})
    box = summary.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    expect(next_step).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    tabs.get_by_role("link", name="Parties").click()
    page.locator("main table").get_by_role("link", name=AGH_EN).click()
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Agreements"
    ).click()
    page.wait_for_url(re.compile(r"/institutions/[0-9a-f-]+/agreements/$"))
    row = page.locator("main table tbody tr", has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    assert TITLE in row.inner_text() and "Active" in row.inner_text()
    assert_accessible(page)

    page.goto(partnership.get_absolute_url())
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name="Timeline"
    ).click()
    page.wait_for_url(re.compile(r"/timeline/$"))
    timeline = page.locator("main ol.timeline").inner_text()
    for entry in (
        f"{reference} drafted",
        f"{reference} sent for approval",
        f"{reference} approved",
        f"{reference} sent for signature",
        f"{reference} signed by Karaganda Industrial University",
        f"{reference} signed by {AGH_EN}",
        f"{reference} came into force",
    ):
        assert entry in timeline, f"the timeline misses {entry!r}"
    newest = page.locator("main ol.timeline > li").first.inner_text()
    assert f"{reference} came into force" in newest
    assert_accessible(page)
