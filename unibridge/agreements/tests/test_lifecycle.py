"""The agreement lifecycle: creation, review, signing, the daily job, termination and renewal."""

import datetime
import threading

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from unibridge.accounts.choices import Role
from unibridge.accounts.tests.factories import UserFactory
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision, SignatureMethod
from unibridge.agreements.lifecycle_services import (
    activate_due,
    agreement_expire,
    agreement_renew,
    agreement_start_signing,
    agreement_submit,
    agreement_terminate,
    approval_decide,
    signature_record,
)
from unibridge.agreements.models import Agreement, ApprovalStep, ReferenceCounter, Signature
from unibridge.agreements.services import TransitionError, agreement_create, next_reference
from unibridge.agreements.timeline import agreement_entries
from unibridge.core.history import day
from unibridge.core.services import delete_record
from unibridge.core.timeline import timeline_for
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

from .factories import (
    AgreementTypeFactory,
    CooperationConditionFactory,
    LanguageRequirementFactory,
    RouteStepFactory,
    SubjectAreaFactory,
)

Status = AgreementStatus
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


# --- Fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="Akademia Górniczo-Hutnicza", name_en="AGH University")


@pytest.fixture
def approvers(db):
    return [UserFactory(username=f"approver{n}", role=Role.VIEWER) for n in (1, 2, 3)]


@pytest.fixture
def mou_type(approvers):
    agreement_type = AgreementTypeFactory(code="test-mou", reference_prefix="TMoU")
    for order, (name, approver) in enumerate(
        zip(["Head of unit", "Legal office", "Vice-rector"], approvers, strict=True), start=1
    ):
        RouteStepFactory(agreement_type=agreement_type, order=order, name=name, approver=approver)
    return agreement_type


@pytest.fixture
def quick_type(db):
    """A type without an approval route."""
    return AgreementTypeFactory(code="test-quick", reference_prefix="Q")


def create(user, agreement_type, home, partner, units=(), **fields):
    fields.setdefault("effective_date", TODAY - 10 * DAY)
    fields.setdefault("expiry_date", TODAY + 365 * DAY)
    return agreement_create(
        user=user,
        agreement_type=agreement_type,
        title="Memorandum of cooperation",
        parties=[(home, units, None, ""), (partner, (), None, "")],
        **fields,
    )


@pytest.fixture
def draft(office_user, mou_type, home, engineering, agh):
    return create(office_user, mou_type, home, agh, units=[engineering])


@pytest.fixture
def quick_draft(office_user, quick_type, home, engineering, agh):
    return create(office_user, quick_type, home, agh, units=[engineering])


def sign_all(agreement, user, signed_on=TODAY):
    for party in agreement.parties.all():
        signature_record(
            party=party,
            user=user,
            signed_on=signed_on,
            place="Temirtau",
            method=SignatureMethod.INK,
            signatory_name=f"Rector of {party.institution}",
            signatory_position="Rector",
        )
    agreement.refresh_from_db()
    return agreement


def make_active(agreement, user):
    agreement_submit(agreement=agreement, user=user)
    for step in agreement.approvals.filter(decision=ApprovalDecision.PENDING):
        approval_decide(step=step, user=user, approve=True)
    agreement_start_signing(agreement=agreement, user=user)
    return sign_all(agreement, user)


def set_status(agreement, status, **fields):
    Agreement.objects.filter(pk=agreement.pk).update(status=status, **fields)
    agreement.refresh_from_db()
    return agreement


def log_count():
    return LogEntry.objects.count()


# --- Creation and reference numbers ------------------------------------------------------------


def test_create_makes_a_draft_with_its_parties_units_and_a_reference(draft, home, agh, engineering):
    assert draft.status == Status.DRAFT
    assert draft.reference == f"TMoU-{TODAY.year}-001"
    parties = list(draft.parties.order_by("order"))
    assert [p.institution for p in parties] == [home, agh]
    assert list(parties[0].units.all()) == [engineering]


def test_create_refuses_parties_without_the_home_institution_and_names_it(
    office_user, mou_type, home, agh
):
    other = InstitutionFactory()
    with pytest.raises(ValidationError) as error:
        agreement_create(
            user=office_user,
            agreement_type=mou_type,
            title="Without us",
            parties=[(agh, (), None, ""), (other, (), None, "")],
        )
    assert "Karaganda Industrial University" in str(error.value)
    assert not Agreement.objects.exists()
    assert not ReferenceCounter.objects.exists()


def test_create_needs_at_least_two_parties(office_user, mou_type, home):
    with pytest.raises(ValidationError, match="at least two parties"):
        agreement_create(
            user=office_user, agreement_type=mou_type, title="Alone", parties=[(home, (), None, "")]
        )


def test_create_refuses_a_unit_of_another_institution(office_user, mou_type, home, agh):
    agh_unit = UnitFactory(institution=agh)
    with pytest.raises(ValidationError, match="belongs to another institution"):
        create(office_user, mou_type, home, agh, units=[agh_unit])


def test_create_refuses_an_expiry_before_the_effective_date_and_takes_no_number(
    office_user, mou_type, home, agh
):
    with pytest.raises(ValidationError, match="expiry date must come after"):
        create(office_user, mou_type, home, agh, expiry_date=TODAY - 20 * DAY)
    assert not ReferenceCounter.objects.exists()
    assert create(office_user, mou_type, home, agh).reference.endswith("-001")


def test_a_viewer_cannot_create_agreements(viewer_user, mou_type, home, agh):
    with pytest.raises(PermissionDenied):
        create(viewer_user, mou_type, home, agh)


def test_a_coordinator_creates_agreements_only_for_their_own_units(
    coordinator_user, mou_type, home, agh, engineering, economics
):
    with pytest.raises(PermissionDenied):
        create(coordinator_user, mou_type, home, agh, units=[economics])
    agreement = create(coordinator_user, mou_type, home, agh, units=[engineering])
    assert Agreement.objects.editable_by(coordinator_user).filter(pk=agreement.pk).exists()


def test_references_are_counted_per_type_and_year(mou_type, quick_type):
    assert next_reference(agreement_type=mou_type, year=2026) == "TMoU-2026-001"
    assert next_reference(agreement_type=mou_type, year=2026) == "TMoU-2026-002"
    assert next_reference(agreement_type=mou_type, year=2027) == "TMoU-2027-001"
    assert next_reference(agreement_type=quick_type, year=2026) == "Q-2026-001"


def test_a_reference_is_never_reused_after_its_agreement_is_deleted(
    office_user, mou_type, home, agh
):
    first = create(office_user, mou_type, home, agh)
    reference = first.reference
    delete_record(instance=first, user=office_user)
    second = create(office_user, mou_type, home, agh)
    assert second.reference != reference
    assert second.reference.endswith("-002")


def test_a_reference_taken_by_an_imported_agreement_is_skipped(office_user, mou_type, home, agh):
    imported = create(office_user, mou_type, home, agh)
    Agreement.objects.filter(pk=imported.pk).update(reference=f"TMoU-{TODAY.year}-002")
    assert create(office_user, mou_type, home, agh).reference == f"TMoU-{TODAY.year}-003"


def test_the_reference_pattern_is_configurable_per_type(mou_type):
    mou_type.reference_pattern = "{number}/{prefix}/{year}"
    mou_type.save()
    assert next_reference(agreement_type=mou_type, year=2026) == "1/TMoU/2026"


def test_a_broken_reference_pattern_gives_a_clear_error(mou_type):
    mou_type.reference_pattern = "{prefix}-{serial}"
    mou_type.save()
    with pytest.raises(ValidationError, match=r"reference pattern .* is broken"):
        next_reference(agreement_type=mou_type, year=2026)


@pytest.mark.django_db(transaction=True)
def test_references_taken_at_the_same_time_are_all_different():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    agreement_type = AgreementTypeFactory(reference_prefix="C")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(next_reference(agreement_type=agreement_type, year=2026))
                # Hold the lock a moment so the others really wait for it.
                threading.Event().wait(0.05)
        except Exception as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [f"C-2026-00{n}" for n in range(1, 5)]


# --- Illegal transitions -------------------------------------------------------------------------


def _run(action, agreement, user):
    party = agreement.parties.first()
    step = ApprovalStep.objects.create(agreement=agreement, order=99, name="Extra")
    return {
        "submit": lambda: agreement_submit(agreement=agreement, user=user),
        "decide": lambda: approval_decide(step=step, user=user, approve=True),
        "start_signing": lambda: agreement_start_signing(agreement=agreement, user=user),
        "sign": lambda: signature_record(
            party=party, user=user, signed_on=TODAY, signatory_name="Rector"
        ),
        "terminate": lambda: agreement_terminate(
            agreement=agreement,
            user=user,
            requested_by=party.institution,
            reason="No exchanges",
            requested_on=TODAY,
        ),
        "renew": lambda: agreement_renew(
            agreement=agreement,
            user=user,
            effective_date=TODAY + 400 * DAY,
            expiry_date=TODAY + 2000 * DAY,
        ),
        "expire": lambda: agreement_expire(agreement=agreement, user=user),
    }[action]


ALLOWED = {
    "submit": {Status.DRAFT},
    "decide": {Status.IN_REVIEW},
    "start_signing": {Status.APPROVED},
    "sign": {Status.SIGNING},
    "terminate": {Status.ACTIVE},
    "expire": {Status.ACTIVE},
    "renew": {Status.ACTIVE, Status.EXPIRED},
}
ILLEGAL = [
    (action, status)
    for action, allowed in ALLOWED.items()
    for status in Status.values
    if status not in allowed
]


@pytest.mark.parametrize(("action", "status"), ILLEGAL)
def test_an_illegal_transition_is_refused_naming_status_and_action_and_writes_nothing(
    draft, office_user, action, status
):
    set_status(draft, status)
    call = _run(action, draft, office_user)
    before = (log_count(), Agreement.objects.count(), Signature.objects.count())
    with pytest.raises(TransitionError) as error:
        call()
    assert error.value.code == "invalid_transition"
    assert error.value.status == status
    message = str(error.value.messages[0])
    assert f"“{Status(status).label}”" in message
    draft.refresh_from_db()
    assert draft.status == status
    assert (log_count(), Agreement.objects.count(), Signature.objects.count()) == before


def test_a_transition_error_is_a_validation_error_with_a_readable_message(draft, office_user):
    with pytest.raises(ValidationError) as error:
        agreement_start_signing(agreement=draft, user=office_user)
    assert error.value.messages == [
        "Sending for signature is not possible while the agreement is “Draft”."
    ]


def test_an_agreement_not_yet_at_its_end_cannot_be_expired(quick_draft, office_user):
    make_active(quick_draft, office_user)
    with pytest.raises(ValidationError, match="has not reached its end"):
        agreement_expire(agreement=quick_draft, user=office_user)


def test_an_active_agreement_past_its_expiry_can_be_expired_by_hand(quick_draft, office_user):
    make_active(quick_draft, office_user)
    set_status(quick_draft, Status.ACTIVE, expiry_date=TODAY - DAY, effective_date=TODAY - 9 * DAY)
    agreement_expire(agreement=quick_draft, user=office_user)
    assert quick_draft.status == Status.EXPIRED


def test_a_coordinator_of_another_unit_cannot_move_the_agreement(draft, other_coordinator_user):
    with pytest.raises(PermissionDenied):
        agreement_submit(agreement=draft, user=other_coordinator_user)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- Review --------------------------------------------------------------------------------------


def test_submitting_opens_a_review_round_with_the_types_route(draft, coordinator_user, approvers):
    agreement_submit(agreement=draft, user=coordinator_user)
    assert draft.status == Status.IN_REVIEW
    steps = list(draft.approvals.all())
    assert [(s.round, s.order, s.name, s.approver) for s in steps] == [
        (1, 1, "Head of unit", approvers[0]),
        (1, 2, "Legal office", approvers[1]),
        (1, 3, "Vice-rector", approvers[2]),
    ]
    assert all(s.decision == ApprovalDecision.PENDING for s in steps)


def test_a_type_without_a_route_is_approved_on_submission(quick_draft, office_user):
    agreement_submit(agreement=quick_draft, user=office_user)
    assert quick_draft.status == Status.APPROVED
    assert not quick_draft.approvals.exists()


def test_steps_are_decided_in_the_routes_order(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    legal = draft.approvals.get(order=2)
    with pytest.raises(ValidationError, match="“Head of unit” must be decided before"):
        approval_decide(step=legal, user=approvers[1], approve=True)
    legal.refresh_from_db()
    assert legal.decision == ApprovalDecision.PENDING


def test_only_the_person_a_step_is_assigned_to_decides_it(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    first, second, _third = draft.approvals.all()
    with pytest.raises(PermissionDenied, match="Only approver1 decides “Head of unit”"):
        approval_decide(step=first, user=approvers[1], approve=True)
    with pytest.raises(PermissionDenied, match="Only approver1 decides"):
        approval_decide(step=first, user=office_user, approve=True)  # the office is no exception
    approval_decide(step=first, user=approvers[0], approve=True, comment="Fine")
    approval_decide(step=second, user=approvers[1], approve=True)
    first.refresh_from_db()
    assert (first.decision, first.decided_by, first.comment) == (
        ApprovalDecision.APPROVED,
        approvers[0],
        "Fine",
    )
    assert first.decided_at is not None


def test_the_last_approval_approves_the_agreement(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    for step, approver in zip(draft.approvals.all(), approvers, strict=True):
        draft.refresh_from_db()
        assert draft.status == Status.IN_REVIEW
        approval_decide(step=step, user=approver, approve=True)
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED


def test_a_step_cannot_be_decided_twice(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    first = draft.approvals.first()
    approval_decide(step=first, user=approvers[0], approve=True)
    with pytest.raises(ValidationError, match="already been decided"):
        approval_decide(step=first, user=approvers[0], approve=False, comment="Changed my mind")


def test_a_rejection_needs_reasons(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    first = draft.approvals.first()
    before = log_count()
    with pytest.raises(ValidationError) as error:
        approval_decide(step=first, user=approvers[0], approve=False, comment="  ")
    assert "comment" in error.value.message_dict
    assert log_count() == before
    draft.refresh_from_db()
    assert draft.status == Status.IN_REVIEW


def test_a_rejection_returns_the_agreement_to_draft_with_the_reasons(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    first, second, _third = draft.approvals.all()
    approval_decide(step=first, user=approvers[0], approve=True)
    approval_decide(step=second, user=approvers[1], approve=False, comment="Clause 7 is unclear")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    rejected = draft.approvals.get(decision=ApprovalDecision.REJECTED)
    assert (rejected.name, rejected.comment, rejected.decided_by) == (
        "Legal office",
        "Clause 7 is unclear",
        approvers[1],
    )
    # The steps the rejection left unreached are dropped: nobody waits for them any more.
    assert not draft.approvals.filter(decision=ApprovalDecision.PENDING).exists()


def test_resubmission_starts_a_new_round_and_the_old_one_is_closed(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    old_first = draft.approvals.get(order=1)
    approval_decide(step=old_first, user=approvers[0], approve=False, comment="Missing annex")
    agreement_submit(agreement=draft, user=office_user)
    assert draft.status == Status.IN_REVIEW
    new_round = list(draft.approvals.filter(round=2))
    assert [s.order for s in new_round] == [1, 2, 3]
    assert all(s.decision == ApprovalDecision.PENDING for s in new_round)
    with pytest.raises(ValidationError, match="already been decided"):
        approval_decide(step=old_first, user=approvers[0], approve=True)
    for step, approver in zip(new_round, approvers, strict=True):
        approval_decide(step=step, user=approver, approve=True)
    draft.refresh_from_db()
    assert draft.status == Status.APPROVED


def test_a_step_of_an_earlier_round_cannot_be_decided(draft, office_user, approvers):
    agreement_submit(agreement=draft, user=office_user)
    stale = ApprovalStep.objects.create(agreement=draft, round=1, order=9, name="Old")
    ApprovalStep.objects.create(agreement=draft, round=2, order=1, name="New")
    with pytest.raises(ValidationError, match="earlier review round"):
        approval_decide(step=stale, user=office_user, approve=True)


# --- Signing and entry into force ----------------------------------------------------------------


@pytest.fixture
def signing(quick_draft, office_user):
    agreement_submit(agreement=quick_draft, user=office_user)
    agreement_start_signing(agreement=quick_draft, user=office_user)
    assert quick_draft.status == Status.SIGNING
    return quick_draft


def test_each_party_signs_once(signing, office_user):
    party = signing.parties.first()
    signature_record(party=party, user=office_user, signed_on=TODAY, signatory_name="Rector")
    with pytest.raises(ValidationError, match="has already signed"):
        signature_record(party=party, user=office_user, signed_on=TODAY, signatory_name="Rector")
    assert Signature.objects.count() == 1


def test_a_signature_cannot_be_dated_in_the_future(signing, office_user):
    with pytest.raises(ValidationError):
        signature_record(
            party=signing.parties.first(),
            user=office_user,
            signed_on=TODAY + DAY,
            signatory_name="Rector",
        )
    assert not Signature.objects.exists()


def test_the_signatory_defaults_to_the_partys_signatory(office_user, quick_type, home, agh):
    rector = PersonFactory(institution=home, name_native="Ivan Petrov")
    agreement = agreement_create(
        user=office_user,
        agreement_type=quick_type,
        title="With signatory",
        parties=[(home, (), rector, "Rector"), (agh, (), None, "")],
    )
    agreement_submit(agreement=agreement, user=office_user)
    agreement_start_signing(agreement=agreement, user=office_user)
    signature = signature_record(
        party=agreement.parties.get(institution=home), user=office_user, signed_on=TODAY
    )
    assert (signature.signatory_name, signature.signatory_position) == (str(rector), "Rector")
    assert signature.recorded_by == office_user


def test_the_last_signature_puts_a_due_agreement_in_force(signing, office_user):
    first, last = signing.parties.all()
    signature_record(party=first, user=office_user, signed_on=TODAY, signatory_name="A")
    signing.refresh_from_db()
    assert signing.status == Status.SIGNING
    signature_record(party=last, user=office_user, signed_on=TODAY, signatory_name="B")
    signing.refresh_from_db()
    assert signing.status == Status.ACTIVE


def test_a_fully_signed_agreement_waits_for_its_effective_date(office_user, quick_type, home, agh):
    agreement = create(office_user, quick_type, home, agh, effective_date=TODAY + 30 * DAY)
    agreement_submit(agreement=agreement, user=office_user)
    agreement_start_signing(agreement=agreement, user=office_user)
    sign_all(agreement, office_user)
    assert agreement.status == Status.SIGNING
    assert activate_due(today=TODAY + 29 * DAY)["activated"] == 0
    assert activate_due(today=TODAY + 30 * DAY)["activated"] == 1
    agreement.refresh_from_db()
    assert agreement.status == Status.ACTIVE


def test_an_agreement_without_effective_date_comes_into_force_on_its_last_signature(
    office_user, quick_type, home, agh
):
    agreement = create(office_user, quick_type, home, agh, effective_date=None, expiry_date=None)
    agreement_submit(agreement=agreement, user=office_user)
    agreement_start_signing(agreement=agreement, user=office_user, sent_on=TODAY - 10 * DAY)
    first, last = agreement.parties.all()
    signature_record(party=first, user=office_user, signed_on=TODAY - 5 * DAY, signatory_name="A")
    signature_record(party=last, user=office_user, signed_on=TODAY - 2 * DAY, signatory_name="B")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.effective_date) == (Status.ACTIVE, TODAY - 2 * DAY)


# --- The daily job -------------------------------------------------------------------------------


def test_the_daily_job_moves_what_is_due_counts_it_and_is_idempotent(
    office_user, quick_type, home, agh
):
    waiting = create(office_user, quick_type, home, agh, effective_date=TODAY + 5 * DAY)
    agreement_submit(agreement=waiting, user=office_user)
    agreement_start_signing(agreement=waiting, user=office_user)
    sign_all(waiting, office_user)
    half_signed = create(office_user, quick_type, home, agh, effective_date=TODAY - DAY)
    agreement_submit(agreement=half_signed, user=office_user)
    agreement_start_signing(agreement=half_signed, user=office_user)
    signature_record(
        party=half_signed.parties.first(), user=office_user, signed_on=TODAY, signatory_name="A"
    )
    ending = make_active(create(office_user, quick_type, home, agh), office_user)
    set_status(ending, Status.ACTIVE, expiry_date=TODAY + 2 * DAY)
    renewing = make_active(create(office_user, quick_type, home, agh), office_user)
    set_status(renewing, Status.ACTIVE, expiry_date=TODAY + 2 * DAY, renewal_years=1)
    leaving = make_active(create(office_user, quick_type, home, agh, notice_days=3), office_user)
    set_status(leaving, Status.ACTIVE, expiry_date=None)
    agreement_terminate(
        agreement=leaving,
        user=office_user,
        requested_by=agh,
        reason="Programme closed",
        requested_on=TODAY,
    )
    assert leaving.status == Status.ACTIVE

    later = TODAY + 5 * DAY
    assert activate_due(today=later) == {
        "activated": 1,
        "superseded": 0,
        "terminated": 1,
        "expired": 1,
        "failed": 0,
    }
    assert activate_due(today=later) == dict.fromkeys(
        ("activated", "superseded", "terminated", "expired", "failed"), 0
    )
    statuses = {
        a.pk: a.status
        for a in Agreement.objects.filter(
            pk__in=[waiting.pk, half_signed.pk, ending.pk, renewing.pk, leaving.pk]
        )
    }
    assert statuses == {
        waiting.pk: Status.ACTIVE,
        half_signed.pk: Status.SIGNING,
        ending.pk: Status.EXPIRED,
        renewing.pk: Status.ACTIVE,
        leaving.pk: Status.TERMINATED,
    }


def test_the_daily_job_skips_an_invalid_agreement_and_moves_the_others(
    office_user, quick_type, home, agh
):
    broken = make_active(create(office_user, quick_type, home, agh), office_user)
    # An imported row the model rejects (an unknown area code) must not hold up the job.
    set_status(broken, Status.ACTIVE, expiry_date=TODAY - DAY, cooperation_areas=",bogus,")
    fine = make_active(create(office_user, quick_type, home, agh), office_user)
    set_status(fine, Status.ACTIVE, expiry_date=TODAY - DAY)
    counts = activate_due(today=TODAY)
    assert (counts["expired"], counts["failed"]) == (1, 1)
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.status, fine.status) == (Status.ACTIVE, Status.EXPIRED)


# --- Termination ---------------------------------------------------------------------------------


@pytest.fixture
def active(quick_draft, office_user):
    return make_active(quick_draft, office_user)


def test_termination_with_notice_keeps_the_agreement_active_until_it_takes_effect(
    active, office_user, agh
):
    set_status(active, Status.ACTIVE, expiry_date=None, notice_days=90)
    agreement_terminate(
        agreement=active,
        user=office_user,
        requested_by=agh,
        reason="Programme closed",
        requested_on=TODAY,
    )
    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert active.terminated_on == TODAY + 90 * DAY
    assert (active.termination_reason, active.termination_requested_by) == (
        "Programme closed",
        agh,
    )
    assert activate_due(today=TODAY + 89 * DAY)["terminated"] == 0
    assert activate_due(today=TODAY + 90 * DAY)["terminated"] == 1
    active.refresh_from_db()
    assert active.status == Status.TERMINATED


def test_a_late_notice_ends_a_renewing_agreement_after_the_following_period(
    active, office_user, home
):
    set_status(active, Status.ACTIVE, expiry_date=TODAY + 30 * DAY, renewal_years=2, notice_days=60)
    agreement_terminate(
        agreement=active, user=office_user, requested_by=home, reason="Late", requested_on=TODAY
    )
    expected = (TODAY + 30 * DAY).replace(year=(TODAY + 30 * DAY).year + 2)
    assert active.terminated_on == expected
    assert active.status == Status.ACTIVE


def test_a_termination_already_due_ends_the_agreement_at_once(active, office_user, agh):
    set_status(active, Status.ACTIVE, expiry_date=None, notice_days=30)
    agreement_terminate(
        agreement=active,
        user=office_user,
        requested_by=agh,
        reason="Letter received late",
        requested_on=TODAY - 40 * DAY,
    )
    assert (active.status, active.terminated_on) == (Status.TERMINATED, TODAY - 10 * DAY)


def test_termination_needs_a_party_and_a_reason_and_writes_nothing(active, office_user):
    outsider = InstitutionFactory()
    before = log_count()
    with pytest.raises(ValidationError) as error:
        agreement_terminate(
            agreement=active,
            user=office_user,
            requested_by=outsider,
            reason=" ",
            requested_on=TODAY,
        )
    assert set(error.value.message_dict) == {"termination_requested_by", "termination_reason"}
    active.refresh_from_db()
    assert (active.terminated_on, log_count()) == (None, before)


def test_a_termination_cannot_be_recorded_twice(active, office_user, agh):
    set_status(active, Status.ACTIVE, expiry_date=None, notice_days=30)
    kwargs = {"user": office_user, "requested_by": agh, "reason": "x", "requested_on": TODAY}
    agreement_terminate(agreement=active, **kwargs)
    with pytest.raises(ValidationError, match="already recorded"):
        agreement_terminate(agreement=active, **kwargs)


# --- Renewal -------------------------------------------------------------------------------------


def test_renewal_copies_parties_conditions_people_and_areas_into_a_draft(
    office_user, quick_type, home, engineering, agh
):
    rector = PersonFactory(institution=agh)
    coordinator = PersonFactory(institution=home)
    agh_unit = UnitFactory(institution=agh)
    old = agreement_create(
        user=office_user,
        agreement_type=quick_type,
        title="Student exchange",
        parties=[(home, [engineering], None, ""), (agh, [agh_unit], rector, "Rector")],
        responsible_people=[coordinator],
        cooperation_areas=[],
        title_pl="Wymiana studentów",
        effective_date=TODAY - 10 * DAY,
        expiry_date=TODAY + 100 * DAY,
        renewal_years=0,
        notice_days=90,
    )
    condition = CooperationConditionFactory(
        agreement=old,
        sending_institution=home,
        sending_unit=engineering,
        receiving_institution=agh,
        order=3,
    )
    SubjectAreaFactory(condition=condition, isced_code="0713", clarification="Power engineering")
    LanguageRequirementFactory(condition=condition, language="pl", cefr_level="B1")
    make_active(old, office_user)

    new = agreement_renew(
        agreement=old,
        user=office_user,
        effective_date=TODAY + 101 * DAY,
        expiry_date=TODAY + 1900 * DAY,
    )
    assert new.status == Status.DRAFT
    assert new.predecessor == old
    assert old.successor == new
    assert new.reference != old.reference
    assert (new.title, new.title_pl, new.notice_days) == (
        "Student exchange",
        "Wymiana studentów",
        90,
    )
    assert (new.effective_date, new.expiry_date) == (TODAY + 101 * DAY, TODAY + 1900 * DAY)
    assert list(new.responsible_people.all()) == [coordinator]
    parties = [
        (p.institution, list(p.units.all()), p.signatory, p.signatory_position)
        for p in new.parties.order_by("order")
    ]
    assert parties == [(home, [engineering], None, ""), (agh, [agh_unit], rector, "Rector")]
    (copied,) = new.conditions.all()
    assert copied.pk != condition.pk
    assert (copied.sending_unit, copied.receiving_institution, copied.order) == (
        engineering,
        agh,
        3,
    )
    assert [(a.isced_code, a.clarification) for a in copied.subject_areas.all()] == [
        ("0713", "Power engineering")
    ]
    assert [(r.language, r.cefr_level) for r in copied.language_requirements.all()] == [
        ("pl", "B1")
    ]
    # The original keeps its own rows.
    assert condition.subject_areas.count() == 1
    old.refresh_from_db()
    assert old.status == Status.ACTIVE


def test_the_old_agreement_is_superseded_when_its_successor_comes_into_force(active, office_user):
    successor = agreement_renew(
        agreement=active,
        user=office_user,
        effective_date=TODAY + 100 * DAY,
        expiry_date=TODAY + 1000 * DAY,
    )
    agreement_submit(agreement=successor, user=office_user)
    agreement_start_signing(agreement=successor, user=office_user)
    sign_all(successor, office_user)
    active.refresh_from_db()
    assert (successor.status, active.status) == (Status.SIGNING, Status.ACTIVE)
    counts = activate_due(today=TODAY + 100 * DAY)
    assert (counts["activated"], counts["superseded"]) == (1, 1)
    active.refresh_from_db()
    assert active.status == Status.SUPERSEDED


def test_a_successor_signed_on_its_effective_date_supersedes_at_once(active, office_user):
    successor = agreement_renew(
        agreement=active, user=office_user, effective_date=TODAY, expiry_date=TODAY + 700 * DAY
    )
    make_active(successor, office_user)
    active.refresh_from_db()
    assert (successor.status, active.status) == (Status.ACTIVE, Status.SUPERSEDED)


def test_an_agreement_is_renewed_only_once(active, office_user):
    kwargs = {"user": office_user, "effective_date": None, "expiry_date": None}
    agreement_renew(agreement=active, **kwargs)
    with pytest.raises(ValidationError, match="already been renewed"):
        agreement_renew(agreement=active, **kwargs)


# --- Audit ---------------------------------------------------------------------------------------


def test_every_transition_is_audited_with_the_acting_user(
    draft, coordinator_user, approvers, office_user
):
    agreement_submit(agreement=draft, user=coordinator_user)
    for step, approver in zip(draft.approvals.all(), approvers, strict=True):
        approval_decide(step=step, user=approver, approve=True)
    agreement_start_signing(agreement=draft, user=office_user)
    sign_all(draft, office_user)
    history = LogEntry.objects.get_for_object(draft).filter(changes__has_key="status")
    transitions = [
        (entry.changes_dict["status"][1], entry.actor) for entry in history.order_by("pk")
    ]
    assert transitions == [
        (Status.DRAFT, office_user),  # creation
        (Status.IN_REVIEW, coordinator_user),
        (Status.APPROVED, approvers[2]),
        (Status.SIGNING, office_user),
        (Status.ACTIVE, office_user),
    ]
    decisions = LogEntry.objects.filter(
        content_type__model="approvalstep", changes__has_key="decision"
    ).exclude(action=LogEntry.Action.CREATE)
    assert {entry.actor for entry in decisions} == set(approvers)
    signatures = LogEntry.objects.filter(content_type__model="signature")
    assert {entry.actor for entry in signatures} == {office_user}


def test_the_daily_job_audits_without_an_actor(office_user, quick_type, home, agh):
    agreement = make_active(create(office_user, quick_type, home, agh), office_user)
    set_status(agreement, Status.ACTIVE, expiry_date=TODAY - DAY)
    activate_due(today=TODAY)
    entry = LogEntry.objects.get_for_object(agreement).order_by("pk").last()
    assert entry.changes_dict["status"] == ["active", "expired"]
    assert entry.actor is None


# --- Partner timeline ----------------------------------------------------------------------------


def _agh_agreement(user, agreement_type, home, agh, **fields):
    agreement = make_active(create(user, agreement_type, home, agh, **fields), user)
    agreement_terminate(
        agreement=agreement, user=user, requested_by=agh, reason="Closed", requested_on=TODAY
    )
    return agreement


def test_the_partner_timeline_shows_drafting_signatures_entry_into_force_and_termination(
    office_user, quick_type, home, agh
):
    partnership = PartnershipFactory(partner=agh)
    agreement = _agh_agreement(office_user, quick_type, home, agh, expiry_date=None)
    create(office_user, quick_type, home, InstitutionFactory())  # another partner's
    titles = {entry.title: entry for entry in agreement_entries(partnership, office_user)}
    ref = agreement.reference
    assert set(titles) == {
        f"{ref} drafted",
        f"{ref} sent for signature",
        f"{ref} approved",
        f"{ref} signed by Karaganda Industrial University",
        f"{ref} signed by AGH University",
        f"{ref} came into force",
        f"{ref} terminated",
    }
    assert titles[f"{ref} terminated"].detail == "Closed"
    assert titles[f"{ref} came into force"].actor == "office"
    assert titles[f"{ref} drafted"].detail == "Memorandum of cooperation"
    assert all(entry.url == "" or str(agreement.uuid) in entry.url for entry in titles.values())


def test_the_partnership_page_timeline_includes_the_agreements(office_user, quick_type, home, agh):
    partnership = PartnershipFactory(partner=agh)
    agreement = _agh_agreement(office_user, quick_type, home, agh, expiry_date=None)
    titles = [entry.title for entry in timeline_for(partnership, office_user)]
    assert f"{agreement.reference} came into force" in titles


def test_the_partner_timeline_announces_a_termination_with_notice(
    office_user, quick_type, home, agh
):
    partnership = PartnershipFactory(partner=agh)
    agreement = _agh_agreement(office_user, quick_type, home, agh, notice_days=30)
    titles = [entry.title for entry in agreement_entries(partnership, office_user)]
    date = day(TODAY + 30 * DAY)  # as the reader's language writes it: Jan 7, 2027
    assert f"{agreement.reference}: termination announced, effective {date}" in titles


def test_the_partner_timeline_hides_confidential_agreements_from_outsiders(
    office_user, other_coordinator_user, quick_type, home, engineering, agh
):
    partnership = PartnershipFactory(partner=agh)
    create(office_user, quick_type, home, agh, units=[engineering], is_confidential=True)
    assert list(agreement_entries(partnership, office_user))
    assert not list(agreement_entries(partnership, other_coordinator_user))


@pytest.mark.parametrize("size", [1, 6])
def test_the_partner_timeline_takes_a_constant_number_of_queries(
    office_user, quick_type, home, agh, size, django_assert_num_queries
):
    partnership = PartnershipFactory(partner=agh)
    for _ in range(size):
        _agh_agreement(office_user, quick_type, home, agh, notice_days=30)
    list(agreement_entries(partnership, office_user))  # warm the content type cache
    with django_assert_num_queries(4):  # agreements, their log, approvals, signatures
        entries = list(agreement_entries(partnership, office_user))
    assert len(entries) == size * 7
