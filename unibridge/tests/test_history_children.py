"""A record's History tab shows the entries of its child records too: documents, news drafts,
decisions and action items, added, changed and deleted (issue 8)."""

import re

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.agreements import documents as agreement_documents
from unibridge.agreements.tests.test_pages import make_agreement
from unibridge.core.services import delete_record, save_record
from unibridge.core.testing import pdf_bytes
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings import services as meetings
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.visits import document_services
from unibridge.visits import services as visit_services
from unibridge.visits.choices import VisitStatus
from unibridge.visits.tests.factories import ParticipantFactory, VisitFactory


def history(client, record) -> str:
    response = client.get(record.get_absolute_url() + "history/")
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def row(kind: str, name: str, action: str) -> str:
    return f'<span class="kind">{kind}</span> “<span class="name">{name}</span>” {action}'


def count_queries(client, record) -> int:
    with CaptureQueriesContext(connection) as queries:
        history(client, record)
    return len(queries)


def upload(service, user, name, **parent):
    return service(user=user, file=SimpleUploadedFile(name, pdf_bytes()), **parent)


@pytest.fixture
def visit(home, engineering):
    visit = VisitFactory(
        title="AGH delegation",
        host_institution=home,
        visiting_institution=InstitutionFactory(name="AGH University of Krakow"),
        status=VisitStatus.COMPLETED,
    )
    visit.home_units.set([engineering])
    return visit


@pytest.fixture
def meeting(visit):
    return MeetingFactory(visit=visit)


@pytest.fixture
def agreement(home):
    return make_agreement(home, InstitutionFactory(), 1)


def test_agreement_history_shows_its_documents(office_client, office_user, agreement):
    document = upload(
        agreement_documents.document_upload,
        office_user,
        "Signed memorandum.pdf",
        agreement=agreement,
    )
    agreement_documents.document_mark_signed_original(document=document, user=office_user)
    document.refresh_from_db()
    delete_record(instance=document, user=office_user)

    page = history(office_client, agreement)
    for action in ("created", "changed", "deleted"):
        assert row("Agreement document", "Signed memorandum.pdf", action) in page


def test_visit_history_shows_its_documents_and_news_drafts(office_client, office_user, visit):
    document = upload(
        document_services.document_upload, office_user, "Programme notes.pdf", visit=visit
    )
    document.title = "Final programme notes"
    save_record(instance=document, user=office_user)
    document_services.document_delete(document=document, user=office_user)
    draft = visit_services.news_generate(visit=visit, user=office_user, language="en")
    visit_services.news_update(
        draft=draft, user=office_user, title="Partners visit", lead="L", body="B"
    )
    delete_record(instance=draft, user=office_user)

    page = history(office_client, visit)
    assert row("Visit document", "Programme notes.pdf", "created") in page
    assert row("Visit document", "Final programme notes", "changed") in page
    assert row("Visit document", "Final programme notes", "deleted") in page
    assert row("News draft", "Partners visit", "changed") in page
    assert row("News draft", "Partners visit", "deleted") in page
    assert page.count('<span class="kind">News draft</span>') == 3


def test_meeting_history_shows_its_decisions_and_action_items(office_client, office_user, meeting):
    decision = meetings.decision_add(meeting=meeting, user=office_user, text="Open a joint lab")
    meetings.decision_update(decision=decision, user=office_user, text="Open a joint lab soon")
    decision_pk = decision.pk
    meetings.decision_delete(decision=decision, user=office_user)
    item = meetings.action_item_create(
        meeting=meeting, user=office_user, values={"description": "Send the draft"}
    )
    meetings.action_item_set_status(item=item, user=office_user, status=ActionItemStatus.DONE)
    meetings.action_item_delete(item=item, user=office_user)

    # the parent is found from the entries themselves: their change of the foreign key
    created, deleted = LogEntry.objects.filter(
        content_type__model="decision", object_pk=str(decision_pk)
    ).order_by("timestamp")[::2]
    assert created.changes["meeting"] == ["None", str(meeting.pk)]
    assert deleted.changes["meeting"] == [str(meeting.pk), "None"]

    page = history(office_client, meeting)
    assert row("Decision", "Open a joint lab", "created") in page
    assert row("Decision", "Open a joint lab soon", "changed") in page
    assert row("Decision", "Open a joint lab soon", "deleted") in page
    for action in ("created", "changed", "deleted"):
        assert row("Action item", "Send the draft", action) in page


def test_children_of_other_records_are_not_shown(office_client, office_user, meeting, visit):
    other = MeetingFactory(visit=visit)
    meetings.decision_add(meeting=other, user=office_user, text="Elsewhere decided")
    gone = meetings.decision_add(meeting=other, user=office_user, text="Elsewhere removed")
    meetings.decision_delete(decision=gone, user=office_user)
    meetings.decision_add(meeting=meeting, user=office_user, text="Here decided")

    page = history(office_client, meeting)
    assert "Here decided" in page
    assert "Elsewhere" not in page


def test_the_history_tab_uses_the_same_queries_for_few_and_many_child_entries(
    office_client, office_user, meeting, django_assert_num_queries
):
    def add(n):
        for number in range(n):
            decision = meetings.decision_add(meeting=meeting, user=office_user, text=f"D{number}")
            meetings.decision_update(decision=decision, user=office_user, text=f"D{number}+")
            meetings.decision_delete(decision=decision, user=office_user)
            meetings.decision_add(meeting=meeting, user=office_user, text=f"Kept {number}")
            meetings.action_item_create(
                meeting=meeting, user=office_user, values={"description": f"A{number}"}
            )

    add(1)
    history(office_client, meeting)  # warm the content type cache
    few = count_queries(office_client, meeting)
    add(8)
    with django_assert_num_queries(few):
        history(office_client, meeting)


def test_a_viewer_is_not_told_the_name_of_a_document_for_a_member_they_may_not_see(
    office_user, viewer_client, visit, economics
):
    secret = PersonFactory(name_native="Secret Member", is_confidential=True, unit=economics)
    member = ParticipantFactory(visit=visit, person=secret)
    document = upload(document_services.document_upload, office_user, "letter.pdf", visit=visit)
    document.participant = member
    document.title = "Visa letter for Secret Member"
    save_record(instance=document, user=office_user)
    other = upload(document_services.document_upload, office_user, "gone.pdf", visit=visit)
    other.participant = member
    other.title = "Secret Member certificate"
    save_record(instance=other, user=office_user)
    document_services.document_delete(document=other, user=office_user)
    upload(document_services.document_upload, office_user, "Public notes.pdf", visit=visit)

    page = history(viewer_client, visit)
    assert "Secret Member" not in page
    assert "letter.pdf" not in page
    assert "gone.pdf" not in page
    assert row("Visit document", "Public notes.pdf", "created") in page
    assert page.count('<span class="kind">Visit document</span>') == 6
