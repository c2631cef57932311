"""The agreement page's summary: the next step in every state, and the tabs' counts."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from unibridge.accounts.tests.factories import DutyFactory, DutyHolderFactory, UserFactory
from unibridge.agreements import documents, selectors
from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.lifecycle_services import agreement_submit
from unibridge.agreements.models import AgreementType
from unibridge.agreements.services import PartyInput, agreement_create
from unibridge.core.cldr import format_date
from unibridge.core.testing import pdf_bytes
from unibridge.institutions.tests.factories import InstitutionFactory

from .factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementTypeFactory,
    CooperationConditionFactory,
    RouteStepFactory,
    SignatureFactory,
)

Status = AgreementStatus
TODAY = datetime.date(2026, 12, 7)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University")


def agreement_with(home, agh, *, signed=(), **fields):
    """An agreement row in any state, with both parties; ``signed``: who has signed."""
    agreement = AgreementFactory(**fields)
    for order, institution in enumerate((home, agh)):
        party = AgreementPartyFactory(agreement=agreement, institution=institution, order=order)
        if institution in signed:
            SignatureFactory(party=party, signed_on=TODAY - 3 * DAY)
    return agreement


def add_document(agreement, user):
    file = SimpleUploadedFile("scan.pdf", pdf_bytes())
    return documents.document_upload(agreement=agreement, user=user, file=file)


def step_for(agreement, user, today=TODAY):
    detailed = selectors.agreement_detail(user).get(pk=agreement.pk)
    return selectors.next_step(detailed, user, today=today)


# --- Every state ---------------------------------------------------------------------------------


def test_a_draft_is_to_be_sent_for_approval(home, agh, office_user, viewer_user):
    draft = agreement_with(home, agh, status=Status.DRAFT)
    assert step_for(draft, office_user) == selectors.NextStep(
        "draft", "Send for approval.", "submit"
    )
    assert step_for(draft, viewer_user).text == (
        "The draft is to be sent for approval by the international office."
    )
    assert step_for(draft, viewer_user).action == ""


def test_in_review_it_waits_for_whoever_decides_the_current_step(
    home, agh, engineering, office_user
):
    duty = DutyFactory(name="Legal office")
    lawyer = UserFactory(first_name="Saule", last_name="Kasymova")
    DutyHolderFactory(duty=duty, user=lawyer)
    agreement_type = AgreementTypeFactory()
    RouteStepFactory(agreement_type=agreement_type, order=1, name="Legal office", duty=duty)
    agreement = agreement_create(
        user=office_user,
        agreement_type=agreement_type,
        title="Memorandum",
        parties=[PartyInput(home, [engineering]), PartyInput(agh)],
    )
    agreement_submit(agreement=agreement, user=office_user)
    waiting = step_for(agreement, office_user)
    assert (waiting.state, waiting.text, waiting.action) == (
        "in_review",
        "Waiting for Legal office (Saule Kasymova) to decide step 1, “Legal office”.",
        "",
    )
    assert step_for(agreement, lawyer) == selectors.NextStep(
        "in_review", "Your decision: step 1, “Legal office”.", "decide"
    )


def test_an_approved_agreement_is_to_be_sent_for_signature(home, agh, office_user, viewer_user):
    approved = agreement_with(home, agh, status=Status.APPROVED)
    assert step_for(approved, office_user) == selectors.NextStep(
        "approved", "Send for signature.", "start_signing"
    )
    assert step_for(approved, viewer_user).action == ""


def test_in_signing_it_waits_for_the_parties_not_signed_yet(home, agh, office_user):
    nobody = agreement_with(home, agh, status=Status.SIGNING)
    assert step_for(nobody, office_user) == selectors.NextStep(
        "signing",
        "Waiting for the signatures of Karaganda Industrial University, AGH University.",
        "sign",
    )
    one = agreement_with(home, agh, status=Status.SIGNING, signed=[home])
    assert step_for(one, office_user) == selectors.NextStep(
        "signed_by_some",
        "Signed by Karaganda Industrial University; waiting for the signature of AGH University.",
        "sign",
    )


def test_signed_by_both_it_comes_into_force_on_its_date_spelled_out(home, agh, office_user):
    signed = agreement_with(
        home,
        agh,
        status=Status.SIGNING,
        signed=[home, agh],
        effective_date=datetime.date(2027, 1, 15),
        expiry_date=datetime.date(2032, 1, 14),
    )
    step = step_for(signed, office_user)
    assert (step.state, step.text, step.action) == (
        "signed",
        "Comes into force on 15 January 2027.",
        "",
    )
    with translation.override("ru"):
        assert step_for(signed, office_user).text == "Вступает в силу 15 января 2027\u202fг."
    with translation.override("pl"):
        assert step_for(signed, office_user).text == "Wchodzi w życie 15 stycznia 2027."


def test_in_force_it_expires_on_a_day_counted_from_today(home, agh, office_user):
    far = agreement_with(
        home, agh, status=Status.ACTIVE, expiry_date=TODAY + 400 * DAY, effective_date=TODAY
    )
    assert step_for(far, office_user) == selectors.NextStep(
        "active", f"Expires on {format_date(TODAY + 400 * DAY)} (in 400 days)."
    )


def test_near_its_expiry_it_offers_the_renewal(home, agh, office_user):
    near = agreement_with(home, agh, status=Status.ACTIVE, expiry_date=TODAY + DAY)
    assert step_for(near, office_user) == selectors.NextStep(
        "expiring", f"Expires on {format_date(TODAY + DAY)} (in 1 day). Renew it in time.", "renew"
    )
    # the window is the type's first reminder (180 days by default)
    edge = agreement_with(home, agh, status=Status.ACTIVE, expiry_date=TODAY + 180 * DAY)
    assert step_for(edge, office_user).action == "renew"
    outside = agreement_with(home, agh, status=Status.ACTIVE, expiry_date=TODAY + 181 * DAY)
    assert step_for(outside, office_user).action == ""


def test_a_renewing_agreement_says_when_its_period_ends_and_that_it_renews(home, agh, office_user):
    renewing = agreement_with(
        home,
        agh,
        status=Status.ACTIVE,
        effective_date=TODAY - 100 * DAY,
        expiry_date=TODAY + 10 * DAY,
        renewal_years=5,
    )
    assert step_for(renewing, office_user).text == (
        f"The current period ends on {format_date(TODAY + 10 * DAY)} (in 10 days); the "
        "agreement then renews itself for 5 years unless a party gives notice."
    )


def test_without_an_end_date_it_stays_in_force(home, agh, office_user):
    open_ended = agreement_with(home, agh, status=Status.ACTIVE, expiry_date=None)
    assert step_for(open_ended, office_user).text == "In force without an end date."


def test_a_terminated_agreement_in_its_notice_period_says_when_it_ends(home, agh, office_user):
    ending = agreement_with(home, agh, status=Status.ACTIVE, terminated_on=TODAY + 30 * DAY)
    assert step_for(ending, office_user) == selectors.NextStep(
        "terminating",
        f"Ends on {format_date(TODAY + 30 * DAY)} (in 30 days): notice of termination was given.",
    )


def test_an_expired_agreement_offers_its_renewal_or_names_its_successor(home, agh, office_user):
    expired = agreement_with(
        home, agh, status=Status.EXPIRED, expiry_date=datetime.date(2026, 6, 30)
    )
    assert step_for(expired, office_user) == selectors.NextStep(
        "expired", "Expired on 30 June 2026. Renew it to continue.", "renew"
    )
    AgreementFactory(predecessor=expired, reference="MoU-2026-099", status=Status.DRAFT)
    assert step_for(expired, office_user) == selectors.NextStep(
        "expired", "Expired on 30 June 2026; renewed by MoU-2026-099."
    )


def test_a_terminated_agreement_has_no_next_step(home, agh, office_user):
    ended = agreement_with(
        home,
        agh,
        status=Status.TERMINATED,
        terminated_on=datetime.date(2026, 3, 1),
    )
    assert step_for(ended, office_user) == selectors.NextStep(
        "terminated", "Terminated on 1 March 2026; nothing more happens."
    )


def test_a_superseded_agreement_names_its_successor(home, agh, office_user):
    old = agreement_with(home, agh, status=Status.SUPERSEDED)
    AgreementFactory(predecessor=old, reference="MoU-2026-100", status=Status.ACTIVE)
    assert step_for(old, office_user) == selectors.NextStep(
        "superseded", "Replaced by MoU-2026-100; nothing more happens."
    )


def test_every_status_has_a_next_step(home, agh, office_user):
    for status in Status.values:
        agreement = agreement_with(home, agh, status=status)
        assert step_for(agreement, office_user).text, status


# --- The page ------------------------------------------------------------------------------------


def test_the_page_shows_the_summary_with_the_next_step_and_the_state(home, agh, office_client):
    agreement = agreement_with(
        home,
        agh,
        status=Status.SIGNING,
        signed=[home, agh],
        effective_date=datetime.date(timezone.localdate().year + 1, 1, 15),
    )
    page = office_client.get(agreement.get_absolute_url()).content.decode()
    summary = page.split('aria-labelledby="summary-title"')[1].split('aria-label="Sections')[0]
    assert agreement.reference in summary
    assert '<span class="badge agreement-status">Signing</span>' in summary
    assert f"Comes into force on 15 January {timezone.localdate().year + 1}." in page
    assert "Karaganda Industrial University: signed on" in page


def test_the_page_in_russian_spells_the_date_out_in_russian(home, agh, office_client):
    agreement = agreement_with(
        home,
        agh,
        status=Status.SIGNING,
        signed=[home, agh],
        effective_date=datetime.date(timezone.localdate().year + 1, 1, 15),
    )
    page = office_client.get(
        agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert f"Вступает в силу 15 января {timezone.localdate().year + 1}\u202fг." in page


def test_the_renewal_is_offered_in_the_next_step_near_expiry(home, agh, office_client):
    today = timezone.localdate()
    agreement = agreement_with(home, agh, status=Status.ACTIVE, expiry_date=today + 20 * DAY)
    page = office_client.get(agreement.get_absolute_url()).content.decode()
    assert f"Expires on {format_date(today + 20 * DAY)} (in 20 days). Renew it in time." in page
    assert f'<a class="btn btn-primary" href="/agreements/{agreement.uuid}/renew/">' in page


def test_the_tabs_show_how_many_rows_they_list(home, agh, office_user, office_client):
    agreement = agreement_with(home, agh, status=Status.DRAFT)
    agreement.agreement_type.has_conditions = True
    agreement.agreement_type.save()
    for _version in (1, 2, 3):
        add_document(agreement, office_user)
    CooperationConditionFactory(agreement=agreement)
    page = office_client.get(agreement.get_absolute_url()).content.decode()
    for label, count in (
        ("Parties", 2),
        ("Conditions", 1),
        ("Approvals", 0),
        ("Documents", 3),
    ):
        assert f'{label} <span class="badge tab-count">{count}</span>' in page
    assert 'History <span class="badge tab-count">' in page
    assert 'Overview <span class="badge' not in page


def test_the_page_takes_a_constant_number_of_queries(
    home, agh, office_user, office_client, django_assert_max_num_queries
):
    small = agreement_with(home, agh, status=Status.SIGNING, signed=[home])
    big = agreement_with(home, agh, status=Status.SIGNING, signed=[home])
    for n in range(6):
        AgreementPartyFactory(agreement=big, institution=InstitutionFactory(), order=n + 2)
        add_document(big, office_user)
    with django_assert_max_num_queries(40) as small_queries:
        office_client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        office_client.get(big.get_absolute_url())


def test_the_default_mou_type_renews_within_its_first_reminder(db):
    assert max(AgreementType.objects.get(code="mou").reminder_days) == 180
