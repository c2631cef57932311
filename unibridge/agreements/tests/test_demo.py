"""The demo story's agreements: the signed memorandum with AGH and the KA171 under it."""

from io import StringIO

import docx
import pytest
from django.core.management import call_command

from unibridge.accounts.models import User
from unibridge.agreements.demo import KA171_TITLE, MEMORANDUM_TITLE
from unibridge.agreements.models import Agreement


@pytest.fixture
def demo(db, settings):
    settings.DEMO_PASSWORD = "demo"
    call_command("load_demo", stdout=StringIO())


def test_the_memorandum_is_signed_by_both_parties_and_active(demo):
    memorandum = Agreement.objects.get(title=MEMORANDUM_TITLE)
    assert memorandum.status == "active"
    assert memorandum.reference.startswith("MoU-")
    parties = list(memorandum.parties.select_related("institution", "signature"))
    assert {p.institution.hei_id for p in parties} == {"kiu.kz", "agh.edu.pl"}
    assert all(p.signature.signed_on == memorandum.effective_date for p in parties)
    assert {a.decision for a in memorandum.approvals.all()} == {"approved"}
    # each step by the one holding its duty: three different people, none of them the admin
    approvers = [a.decided_by.username for a in memorandum.approvals.order_by("order")]
    assert approvers == ["coordinator", "legal", "viewer"]


def test_the_ka171_agreement_has_student_and_staff_mobility_both_ways(demo):
    ka171 = Agreement.objects.get(title=KA171_TITLE)
    assert ka171.parent.title == MEMORANDUM_TITLE
    assert ka171.status == "active"
    flows = {
        (c.mobility_type, c.sending_institution.hei_id)
        for c in ka171.conditions.select_related("sending_institution")
    }
    assert ("student-studies", "kiu.kz") in flows and ("student-studies", "agh.edu.pl") in flows
    assert ("staff-teacher", "kiu.kz") in flows and ("staff-teacher", "agh.edu.pl") in flows
    assert all(c.subject_areas.exists() for c in ka171.conditions.all())


def test_loading_the_demo_twice_adds_no_agreement(demo):
    call_command("load_demo", stdout=StringIO())
    assert Agreement.objects.count() == 2
    assert Agreement.objects.get(title=MEMORANDUM_TITLE).documents.count() == 1


def test_the_memorandum_has_its_generated_bilingual_document(demo):
    memorandum = Agreement.objects.get(title=MEMORANDUM_TITLE)
    [document] = memorandum.documents.all()
    assert document.source == "generated"
    assert document.original_name.endswith(".docx")
    text = "\n".join(
        cell.text
        for table in docx.Document(document.file.path).tables
        for row in table.rows
        for cell in row.cells
    ) + "\n".join(p.text for p in docx.Document(document.file.path).paragraphs)
    assert memorandum.reference in text
    assert "AGH" in text
    assert document.is_signed_original  # the documents tab marks it "Signed original"
    assert "Меморандум" in text or "меморандум" in text


def test_the_agh_partner_timeline_shows_the_signed_memorandum(demo, client):
    client.force_login(User.objects.get(username="office"))
    memorandum = Agreement.objects.get(title=MEMORANDUM_TITLE)
    agh = memorandum.parties.get(institution__hei_id="agh.edu.pl").institution
    page = client.get(agh.partnership.get_absolute_url() + "timeline/").content.decode()
    assert memorandum.reference in page
