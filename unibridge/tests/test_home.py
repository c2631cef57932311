"""The home page: what needs the user today, a few figures with links, their partnerships."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unibridge.accounts.tests.factories import DutyFactory, DutyHolderFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    ApprovalStepFactory,
)
from unibridge.institutions.models import Person
from unibridge.institutions.tests.factories import InstitutionFactory, PersonFactory
from unibridge.meetings.tests.factories import ActionItemFactory, MeetingFactory
from unibridge.visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def card(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def partner(db):
    return InstitutionFactory(name="AGH University of Krakow", country="PL")


def agreement_with(home, partner, **fields):
    agreement = AgreementFactory(**fields)
    AgreementPartyFactory(agreement=agreement, institution=home)
    AgreementPartyFactory(agreement=agreement, institution=partner)
    return agreement


def test_approvals_waiting_for_the_user_are_listed_and_later_steps_are_not(
    office_client, office_user, viewer_user, home, partner
):
    mine = agreement_with(
        home, partner, status=AgreementStatus.IN_REVIEW, title="Memorandum with AGH"
    )
    ApprovalStepFactory(agreement=mine, order=1, name="Legal office", approver=office_user)
    later = agreement_with(home, partner, status=AgreementStatus.IN_REVIEW, title="Not yet my turn")
    ApprovalStepFactory(agreement=later, order=1, name="Head of unit", approver=viewer_user)
    ApprovalStepFactory(agreement=later, order=2, name="Vice-rector", approver=office_user)
    decided = agreement_with(
        home, partner, status=AgreementStatus.IN_REVIEW, title="Already decided"
    )
    ApprovalStepFactory(
        agreement=decided, order=1, name="Legal office", approver=office_user,
        decision=ApprovalDecision.APPROVED,
    )  # fmt: skip
    ApprovalStepFactory(agreement=decided, order=2, name="Rector", approver=viewer_user)

    html = card(office_client.get("/").content.decode(), "today-title")
    assert "Memorandum with AGH" in html
    assert "Step “Legal office” waits for your decision" in html
    assert "Not yet my turn" not in html and "Already decided" not in html


def test_agreements_expiring_within_90_days_are_listed_the_soonest_first(
    office_client, home, partner
):
    agreement_with(
        home, partner, status=AgreementStatus.ACTIVE, title="Ends in a month",
        expiry_date=today() + datetime.timedelta(days=30),
    )  # fmt: skip
    agreement_with(
        home, partner, status=AgreementStatus.ACTIVE, title="Ends next week",
        expiry_date=today() + datetime.timedelta(days=7),
    )  # fmt: skip
    agreement_with(
        home, partner, status=AgreementStatus.ACTIVE, title="Ends in a year",
        expiry_date=today() + datetime.timedelta(days=365),
    )  # fmt: skip
    agreement_with(
        home, partner, status=AgreementStatus.EXPIRED, title="Already over",
        expiry_date=today() - datetime.timedelta(days=3),
    )  # fmt: skip
    html = card(office_client.get("/").content.decode(), "expiring-title")
    assert html.index("Ends next week") < html.index("Ends in a month")
    assert "Ends in a year" not in html and "Already over" not in html
    assert "status=active&amp;expiring_within=90" in html


def test_confidential_records_stay_off_the_home_page_of_a_viewer(viewer_client, home, partner):
    agreement_with(
        home, partner, status=AgreementStatus.ACTIVE, title="Secret memorandum",
        expiry_date=today() + datetime.timedelta(days=10), is_confidential=True,
    )  # fmt: skip
    VisitFactory(
        title="Secret delegation", visiting_institution=partner, host_institution=home,
        start_date=today() + datetime.timedelta(days=3),
        end_date=today() + datetime.timedelta(days=4), is_confidential=True,
    )  # fmt: skip
    html = viewer_client.get("/").content.decode()
    assert "Secret memorandum" not in html and "Secret delegation" not in html
    figures = card(html, "figures-title")
    assert re.search(
        r'<div class="h1 mb-1">0</div>\s*<div class="text-secondary">\s*expiring', figures
    )


def test_upcoming_visits_are_listed_with_the_partner_and_dates(office_client, home, partner):
    VisitFactory(
        title="AGH delegation", visiting_institution=partner, host_institution=home,
        start_date=today() + datetime.timedelta(days=5),
        end_date=today() + datetime.timedelta(days=7),
    )  # fmt: skip
    VisitFactory(
        title="Far away", visiting_institution=partner, host_institution=home,
        start_date=today() + datetime.timedelta(days=200),
        end_date=today() + datetime.timedelta(days=201),
    )  # fmt: skip
    html = card(office_client.get("/").content.decode(), "visits-title")
    assert "AGH delegation" in html and "AGH University of Krakow" in html
    assert "Far away" not in html


def test_my_open_action_items_are_listed_the_late_ones_marked(
    office_client, office_user, home, partner
):
    me = PersonFactory(institution=home, user=office_user)
    visit = VisitFactory(visiting_institution=partner, host_institution=home)
    meeting = MeetingFactory(visit=visit, title="Round table")
    ActionItemFactory(
        meeting=meeting, owner=me, description="Send the draft memorandum",
        due_on=today() - datetime.timedelta(days=2),
    )  # fmt: skip
    ActionItemFactory(
        meeting=meeting, owner=me, description="Book the lab tour",
        due_on=today() + datetime.timedelta(days=9),
    )  # fmt: skip
    ActionItemFactory(
        meeting=meeting, owner=PersonFactory(institution=home), description="Not mine"
    )
    html = card(office_client.get("/").content.decode(), "today-title")
    late = html.index("Send the draft memorandum")
    assert "Late" in html[late - 400 : late]
    assert "Book the lab tour" in html and "Not mine" not in html
    assert "All my action items" in html


def test_figures_count_and_link_to_the_records_behind_them(office_client, home, partner):
    agreement_with(home, partner, status=AgreementStatus.ACTIVE, expiry_date=None)
    agreement_with(home, partner, status=AgreementStatus.DRAFT)
    html = card(office_client.get("/").content.decode(), "figures-title")
    assert re.search(
        r'href="/agreements/\?status=active"[^>]*>\s*<div class="card-body">\s*'
        r'<div class="h1 mb-1">1</div>',
        html,
    )
    year = today().year
    assert f"date_from={year}-01-01&amp;date_to={year}-12-31" in html


def test_nothing_to_do_says_so(viewer_client):
    html = card(viewer_client.get("/").content.decode(), "today-title")
    assert "Nothing waits for you" in html


def test_the_page_is_translated(office_client, home):
    office_client.cookies["django_language"] = "kk"
    html = office_client.get("/").content.decode()
    assert "Бүгін сізді не күтеді" in html and "What needs you today" not in html


def _fill(home, partner, user, number: int) -> None:
    me = Person.objects.filter(user=user).first() or PersonFactory(institution=home, user=user)
    for n in range(number):
        agreement_with(
            home, partner, status=AgreementStatus.ACTIVE,
            expiry_date=today() + datetime.timedelta(days=10 + n),
        )  # fmt: skip
        in_review = agreement_with(home, partner, status=AgreementStatus.IN_REVIEW)
        ApprovalStepFactory(agreement=in_review, order=1, approver=user)
        visit = VisitFactory(
            visiting_institution=partner, host_institution=home,
            start_date=today() + datetime.timedelta(days=n),
            end_date=today() + datetime.timedelta(days=n + 1),
        )  # fmt: skip
        ActionItemFactory(meeting=MeetingFactory(visit=visit), owner=me, due_on=today())


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_page_uses_the_same_number_of_queries_for_1_and_8_records_of_each_kind(
    office_client, office_user, home, partner
):
    _fill(home, partner, office_user, 1)
    few = count_queries(office_client)
    other = InstitutionFactory(country="DE")
    _fill(home, other, office_user, 7)
    assert count_queries(office_client) == few


def test_steps_of_a_duty_the_user_holds_are_listed_for_the_units_it_is_held_for(
    office_client, office_user, home, partner, engineering, engineering_department, economics
):
    head = DutyFactory(name="Head of unit", per_unit=True)
    legal = DutyFactory(name="Legal office")
    DutyHolderFactory(duty=head, user=office_user, unit=engineering)
    DutyHolderFactory(duty=legal, user=office_user)
    review = AgreementStatus.IN_REVIEW
    below = agreement_with(home, partner, status=review, title="For the department")
    below.parties.get(institution=home).units.set([engineering_department])
    ApprovalStepFactory(agreement=below, order=1, name="Dean", duty=head)
    other = agreement_with(home, partner, status=review, title="For economics")
    other.parties.get(institution=home).units.set([economics])
    ApprovalStepFactory(agreement=other, order=1, name="Dean", duty=head)
    anyone = agreement_with(home, partner, status=review, title="For the lawyers")
    ApprovalStepFactory(agreement=anyone, order=1, name="Lawyers", duty=legal)
    html = card(office_client.get("/").content.decode(), "today-title")
    assert "For the department" in html and "For the lawyers" in html
    assert "For economics" not in html
