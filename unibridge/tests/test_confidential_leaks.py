"""Confidential records never show through the records linked to them.

One world: a confidential person, partnership, agreement (and an addendum), visit and meeting,
each linked to non-confidential records wherever a link exists. Every page, tab, API endpoint
(list and detail), export, feed, history, timeline, search and generated document that shows
the non-confidential records is read as the office (who sees the confidential ones: the test
cannot pass by showing nothing), then as a viewer and as the coordinator of another unit
(who must find neither the confidential records' names nor their public ids anywhere).
"""

import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from unibridge.agreements import documents as agreement_documents
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementTypeFactory,
    SignatureFactory,
)
from unibridge.institutions.models import Institution
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
)
from unibridge.meetings.tests.factories import ActionItemFactory, DecisionFactory, MeetingFactory
from unibridge.visits import document_services, news
from unibridge.visits import services as visit_services
from unibridge.visits.choices import ParticipantSide, VisitStatus
from unibridge.visits.models import VisitDocumentKind
from unibridge.visits.tests.factories import (
    ParticipantFactory,
    ProgrammeItemFactory,
    VisitFactory,
    at,
)

PAST = datetime.date(2020, 1, 1)  # due dates of overdue action items


@dataclass
class World:
    secrets: dict[str, str]  # what must not show, by what it is (names and public ids)
    urls: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def world(home, engineering, economics, office_user, viewer_user, other_coordinator_user):
    agh = InstitutionFactory(name="AGH University of Krakow", name_en="AGH University of Krakow")
    borealis = InstitutionFactory(name="Borealis Institute", name_en="Borealis Institute")
    PartnershipFactory(partner=agh, status="active")
    secret_partnership = PartnershipFactory(partner=borealis, is_confidential=True)
    secret_partnership.home_units.set([engineering])

    # confidential people: one of the Faculty of Engineering, one delegation guest
    secret_person = PersonFactory(
        name_native="Zofia Sekretna", institution=home, unit=engineering, is_confidential=True
    )
    secret_guest = PersonFactory(name_native="Gustaw Poufny", institution=agh, is_confidential=True)
    open_person = PersonFactory(name_native="Jan Jawny", institution=agh)
    viewer_person = PersonFactory(
        name_native="Wiktor Czytelnik", institution=home, user=viewer_user
    )
    office_person = PersonFactory(name_native="Olga Biuro", institution=home, user=office_user)
    other_person = PersonFactory(
        name_native="Emil Ekonomista", institution=home, unit=economics, user=other_coordinator_user
    )

    # agreements: a confidential umbrella with an open child, an open renewal of it, and a
    # confidential addendum under the open child
    kind = AgreementTypeFactory(name="Memorandum", name_en="Memorandum")
    secret_agreement = AgreementFactory(
        agreement_type=kind, reference="MOU-SECRET-1", title="Hidden memorandum",
        is_confidential=True,
    )  # fmt: skip
    open_agreement = AgreementFactory(
        agreement_type=kind, reference="MOU-OPEN-1", title="Open memorandum",
        parent=secret_agreement,
    )  # fmt: skip
    renewal = AgreementFactory(
        agreement_type=kind, reference="MOU-OPEN-2", title="Open renewal",
        predecessor=secret_agreement,
    )  # fmt: skip
    secret_addendum = AgreementFactory(
        agreement_type=kind, reference="ADD-SECRET-2", title="Hidden addendum",
        parent=open_agreement, is_confidential=True,
    )  # fmt: skip
    for agreement in (secret_agreement, secret_addendum):
        AgreementPartyFactory(agreement=agreement, institution=home, units=[engineering])
        AgreementPartyFactory(agreement=agreement, institution=agh, order=1)
    home_party = AgreementPartyFactory(
        agreement=open_agreement, institution=home, signatory=secret_person
    )
    SignatureFactory(party=home_party, signatory_name="Zofia Sekretna")
    AgreementPartyFactory(agreement=open_agreement, institution=agh, order=1)
    AgreementPartyFactory(agreement=renewal, institution=agh)
    open_agreement.responsible_people.set([secret_person, open_person])
    agreement_documents.document_generate(agreement=open_agreement, user=office_user, pdf=False)

    # the open visit: its people, agreements, programme, meeting, news and documents
    visit = VisitFactory(
        title="Open delegation", visiting_institution=agh, host_institution=home,
        status=VisitStatus.COMPLETED,
    )  # fmt: skip
    visit.home_units.set([engineering])
    visit.responsible_people.set([secret_person, open_person])
    visit.agreements.set([secret_agreement, open_agreement])
    ParticipantFactory(visit=visit, person=open_person, role="head", order=0)
    ParticipantFactory(
        visit=visit, person=secret_guest, order=1, needs_visa_invitation=True,
        nationality="PL", passport_number="EA7654321", date_of_birth=datetime.date(1980, 1, 1),
    )  # fmt: skip
    ParticipantFactory(visit=visit, person=secret_person, side=ParticipantSide.HOME)
    item = ProgrammeItemFactory(
        visit=visit, title="Senate round table", place="Senate hall", responsible=secret_person
    )
    item.participants.set([secret_person, secret_guest, open_person])
    meeting = MeetingFactory(visit=visit, title="Open round table", partner=agh)
    meeting.participants.set([secret_person, open_person])
    DecisionFactory(meeting=meeting, text="Exchange students from 2027")
    open_item = ActionItemFactory(
        meeting=meeting, description="Prepare the exchange annex", owner=secret_person,
        partnership=secret_partnership, agreement=secret_agreement, due_on=PAST,
    )  # fmt: skip
    visit_services.news_generate(visit=visit, user=office_user, language="en")
    document_services.programme_generate(visit=visit, user=office_user, pdf=False)
    document_services.visa_invitations_generate(visit=visit, user=office_user, pdf=False)

    # the confidential visit, booked in the same hall at the same time
    hidden_visit = VisitFactory(
        title="Hidden delegation", visiting_institution=agh, host_institution=home,
        is_confidential=True,
    )  # fmt: skip
    hidden_visit.home_units.set([engineering])
    ProgrammeItemFactory(
        visit=hidden_visit,
        title="Hidden hall booking",
        place="Senate hall",
        starts_at=at(visit.start_date, 10),
        ends_at=at(visit.start_date, 11),
    )

    # a confidential standalone meeting whose action items ordinary users own
    hidden_meeting = MeetingFactory(
        visit=None, partner=agh, title="Hidden round table", is_confidential=True
    )
    hidden_meeting.home_units.set([engineering])
    hidden_items = {
        user: ActionItemFactory(
            meeting=hidden_meeting, description=f"Task of {person}", owner=person, due_on=PAST
        )
        for user, person in (
            ("viewer", viewer_person),
            ("office", office_person),
            ("other", other_person),
        )
    }

    visa_letter = visit.documents.get(kind=VisitDocumentKind.VISA_INVITATION)
    programme_document = visit.documents.get(kind=VisitDocumentKind.PROGRAMME)
    agreement_document = open_agreement.documents.get()
    secrets = {
        "person name": "Sekretna",
        "person id": str(secret_person.uuid),
        "guest name": "Poufny",
        "guest id": str(secret_guest.uuid),
        "partnership id": str(secret_partnership.uuid),
        "agreement reference": "MOU-SECRET-1",
        "agreement title": "Hidden memorandum",
        "agreement id": str(secret_agreement.uuid),
        "addendum reference": "ADD-SECRET-2",
        "addendum id": str(secret_addendum.uuid),
        "visit title": "Hidden delegation",
        "visit id": str(hidden_visit.uuid),
        "meeting title": "Hidden round table",
        "meeting id": str(hidden_meeting.uuid),
        "visa letter id": str(visa_letter.uuid),
    }
    v, m, a = visit.uuid, meeting.uuid, open_agreement.uuid
    urls = {
        # visit pages, tabs, downloads
        "visit": reverse("visits:visit_detail", args=[v]),
        **{
            f"visit {tab}": reverse("visits:visit_tab", args=[v, tab])
            for tab in ("participants", "programme", "meetings", "documents", "news", "history")
        },
        "visit .ics": reverse("visits:programme_ics", args=[v]),
        **{
            f"news .{ext}": reverse("visits:news_download", args=[v, "en", ext])
            for ext in news.EXPORT_FORMATS
        },
        "programme document": reverse(
            "visits:visit_document_download", args=[v, programme_document.uuid]
        ),
        "visa letter": reverse("visits:visit_document_download", args=[v, visa_letter.uuid]),
        # meetings and action items
        "meeting": reverse("meetings:meeting_detail", args=[m]),
        "meeting history": reverse("meetings:meeting_tab", args=[m, "history"]),
        "action item": reverse("meetings:action_item_detail", args=[open_item.uuid]),
        **{
            f"hidden action item of {who}": reverse("meetings:action_item_detail", args=[i.uuid])
            for who, i in hidden_items.items()
        },
        "my action items": reverse("meetings:my_action_items"),
        "overdue action items": reverse("meetings:overdue_action_items"),
        # agreements
        "agreement": reverse("agreements:agreement_detail", args=[a]),
        **{
            f"agreement {tab}": reverse("agreements:agreement_tab", args=[a, tab])
            for tab in ("parties", "documents", "history")
        },
        "renewal": reverse("agreements:agreement_detail", args=[renewal.uuid]),
        "agreement document": reverse(
            "agreements:document_download", args=[a, agreement_document.uuid]
        ),
        # the partner, its partnership's timeline, the people who are not confidential
        **{
            f"partner {tab}": reverse("institutions:institution_tab", args=[agh.uuid, tab])
            for tab in ("overview", "people", "agreements", "visits")
        },
        "other partner": reverse("institutions:institution_detail", args=[borealis.uuid]),
        "partner timeline": reverse(
            "institutions:partnership_tab", args=[agh.partnership.uuid, "timeline"]
        ),
        "home page": reverse("home"),
        # lists and their exports
        **{
            f"{name} list{suffix}": reverse(name_url) + suffix
            for name, name_url in (
                ("visit", "visits:visit_list"),
                ("meeting", "meetings:meeting_list"),
                ("agreement", "agreements:agreement_list"),
                ("person", "institutions:person_list"),
                ("partnership", "institutions:partnership_list"),
            )
            for suffix in ("", "?export=csv")
        },
        # search (in lower case: the page repeats the query, not the names it finds)
        **{
            f"search {word}": f"{reverse('core:search')}?q={word.lower()}"
            for word in ("Sekretna", "Hidden", "Poufny")
        },
        # the API
        **{
            f"API {name}": f"/api/v1/{path}"
            for name, path in (
                ("visit", f"visits/{v}/"),
                ("visits", "visits/"),
                ("participants", f"visits/{v}/participants/"),
                ("programme", f"visits/{v}/programme/"),
                ("programme item", f"visits/{v}/programme/{item.uid}/"),
                ("meeting", f"meetings/{m}/"),
                ("meetings", "meetings/"),
                ("action items", "action-items/"),
                ("action item", f"action-items/{open_item.uuid}/"),
                ("hidden action item", f"action-items/{hidden_items['viewer'].uuid}/"),
                ("agreement", f"agreements/{a}/"),
                ("renewal", f"agreements/{renewal.uuid}/"),
                ("agreements", "agreements/"),
                ("partnerships", "partnerships/"),
                ("people", "people/"),
                ("search", "search/?q=sekretna"),
                ("search hidden", "search/?q=hidden"),
            )
        },
    }
    return World(secrets=secrets, urls=urls)


# What the office finds on each page: proof that the page shows the linked records at all.
OFFICE_SEES = {
    "visit": ["person name", "person id", "agreement reference", "agreement id"],
    "visit participants": ["person name", "guest name", "guest id"],
    "visit programme": ["person name", "guest name", "visit title"],
    "visit meetings": [],  # the meeting of the visit is not confidential
    "visit documents": ["guest name", "visa letter id"],
    "visit news": [],  # the news is for publication: it names no confidential record at all
    "visit history": ["person name", "agreement reference", "agreement title"],
    "visit .ics": ["person name", "guest name"],
    "news .html": [],
    "news .md": [],
    "news .docx": [],
    "programme document": [],  # a stored file names no confidential person (see documents)
    "visa letter": ["guest name"],
    "meeting": ["person name", "person id", "agreement reference"],
    "meeting history": ["person name"],
    "action item": ["person name", "agreement reference", "agreement title"],
    "hidden action item of viewer": ["meeting title", "meeting id"],
    "hidden action item of office": ["meeting title", "meeting id"],
    "hidden action item of other": ["meeting title", "meeting id"],
    "my action items": ["meeting title", "meeting id"],
    "overdue action items": ["person name", "meeting title", "meeting id"],
    "agreement": ["person name", "person id", "agreement reference", "addendum reference"],
    "agreement parties": ["person name"],
    "agreement documents": [],
    "agreement history": ["person name"],
    "renewal": ["agreement reference", "agreement id"],
    "agreement document": [],  # a stored file names no confidential signatory
    "partner overview": [],
    "partner people": ["guest name", "guest id"],
    "partner agreements": ["agreement reference", "agreement id", "addendum reference"],
    "partner visits": ["visit title", "visit id", "meeting title", "meeting id"],
    "other partner": ["partnership id"],
    "partner timeline": ["visit title", "meeting title", "agreement reference", "person name"],
    "home page": [],
    "visit list": ["visit title", "visit id"],
    "visit list?export=csv": ["visit title"],
    "meeting list": ["meeting title", "meeting id"],
    "meeting list?export=csv": ["meeting title"],
    "agreement list": ["agreement reference", "agreement id"],
    "agreement list?export=csv": ["agreement reference", "agreement title"],
    "person list": ["person name", "person id"],
    "person list?export=csv": ["person name", "guest name"],
    "partnership list": ["partnership id"],
    "partnership list?export=csv": [],  # the partner's name only, which is public
    "search Sekretna": ["person name", "person id"],
    "search Hidden": ["visit title", "meeting title", "agreement title"],
    "search Poufny": ["guest name", "guest id"],
    "API visit": ["person id", "person name", "guest id", "agreement id"],
    "API visits": ["visit title", "visit id"],
    "API participants": ["person name", "person id", "guest name"],
    "API programme": ["person id", "guest id", "visit title"],
    "API programme item": ["person id", "guest id", "visit title"],
    "API meeting": ["person name", "person id"],
    "API meetings": ["meeting title", "meeting id"],
    "API action items": ["person name", "agreement id", "partnership id", "meeting title"],
    "API action item": ["person name", "person id", "agreement id", "partnership id"],
    "API hidden action item": ["meeting title", "meeting id"],
    "API agreement": ["person id", "person name", "agreement id"],
    "API renewal": ["agreement id"],
    "API agreements": ["agreement reference", "agreement id"],
    "API partnerships": ["partnership id"],
    "API people": ["person name", "person id"],
    "API search": ["person name", "person id"],
    "API search hidden": ["visit title", "meeting title", "agreement title"],
}


def text_of(response) -> str:
    """What a response shows: page, JSON, CSV, calendar or the text of a Word document."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:2] == b"PK":  # DOCX: its document, headers, footers and core properties
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = [archive.read(name) for name in archive.namelist() if name.endswith(".xml")]
        content = b"\n".join(parts)
    text = content.decode("utf-8", errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        text += json.dumps(json.loads(content or b"null"), ensure_ascii=False)
    return text.replace("\r\n ", "")  # unfold iCalendar lines


def fetch(user, url: str):
    if url.startswith("/api/"):
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client.get(url)
    client = Client()
    client.force_login(user)
    return client.get(url)


def owner_key(name: str) -> str | None:
    """The action item of each user: only its owner (and the office) reads it."""
    if name == "API hidden action item":
        return "viewer"
    return name.removeprefix("hidden action item of ") if name.startswith("hidden action") else None


def test_every_page_is_checked(world):
    assert set(world.urls) == set(OFFICE_SEES)


def test_the_office_sees_the_confidential_records_on_every_page(world, office_user):
    for name, url in world.urls.items():
        response = fetch(office_user, url)
        assert response.status_code == 200, (name, response.status_code)
        shown = text_of(response)
        missing = [what for what in OFFICE_SEES[name] if world.secrets[what] not in shown]
        assert not missing, f"{name}: the office does not see {missing}"


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_no_page_shows_a_confidential_record_to_others(
    world, role, viewer_user, other_coordinator_user
):
    user = {"viewer": viewer_user, "other": other_coordinator_user}[role]
    leaks = []
    for name, url in world.urls.items():
        response = fetch(user, url)
        owner = owner_key(name)
        if owner is not None:  # an owner sees their action item, others get 404
            assert response.status_code == (200 if owner == role else 404), name
        elif name == "overdue action items":
            assert response.status_code == 403  # the office's page
        elif name == "visa letter":
            assert response.status_code == 404  # issued for a confidential guest
        else:
            assert response.status_code == 200, (name, response.status_code)
        if response.status_code != 200:
            continue  # an error page repeats the address asked for, nothing else
        shown = text_of(response)
        leaks += [f"{name}: {what}" for what, value in world.secrets.items() if value in shown]
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("role", ["viewer", "other"])
def test_the_partner_filter_does_not_count_a_hidden_partnership(
    world, role, viewer_user, other_coordinator_user, office_user
):
    url = reverse("institutions:institution_list")

    def partners(user, value: str) -> str:
        return text_of(fetch(user, f"{url}?is_partner={value}&export=csv"))

    assert "Borealis Institute" in partners(office_user, "true")
    user = {"viewer": viewer_user, "other": other_coordinator_user}[role]
    assert "Borealis Institute" not in partners(user, "true")
    assert "Borealis Institute" in partners(user, "false")


def test_starting_a_partnership_does_not_tell_of_a_hidden_one(
    world, office_user, other_coordinator_user
):
    borealis = Institution.objects.get(name="Borealis Institute")
    page = reverse("institutions:partnership_create", args=[borealis.uuid])
    assert fetch(office_user, page).status_code == 403  # "already has a partnership"
    # to others the institution's hidden partnership is like any record they may not see
    assert fetch(other_coordinator_user, page).status_code == 404

    def api_post(user):
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client.post(
            "/api/v1/partnerships/",
            {"partner": str(borealis.uuid), "home_units": []},
            format="json",
        )

    office = api_post(office_user)
    assert office.status_code == 400
    assert "This institution already has a partnership." in text_of(office)
    other = api_post(other_coordinator_user)
    assert other.status_code == 400
    assert "already has a partnership" not in text_of(other)
    assert "cannot be chosen here" in text_of(other)
