"""Reminders agreements produce: expiry thresholds, waiting approvals and overdue signatures."""

import datetime

import pytest
from django.core import mail

from unibridge.accounts.tests.factories import DutyFactory, DutyHolderFactory, UserFactory
from unibridge.agreements import reminders
from unibridge.agreements.choices import AgreementStatus, ApprovalDecision
from unibridge.agreements.tests.factories import (
    AgreementFactory,
    AgreementPartyFactory,
    AgreementTypeFactory,
    ApprovalStepFactory,
    SignatureFactory,
)
from unibridge.core.models import Notification
from unibridge.core.notifications import run_reminders
from unibridge.institutions.tests.factories import PersonFactory

TODAY = datetime.date(2026, 3, 2)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def anna(db):
    return PersonFactory(name_native="Anna Nowak", email="anna@example.org")


def active_agreement(person, expiry_date, **fields):
    fields.setdefault("effective_date", datetime.date(2020, 1, 1))
    fields.setdefault("status", AgreementStatus.ACTIVE)
    agreement = AgreementFactory(expiry_date=expiry_date, **fields)
    agreement.responsible_people.set([person])
    return agreement


def keys() -> list[str]:
    return sorted(Notification.objects.values_list("key", flat=True))


# --- Thresholds ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "threshold"),
    [
        (181, None),
        (180, 180),
        (179, 180),
        (91, 180),
        (90, 90),
        (31, 90),
        (30, 30),
        (29, 30),
        (0, 30),
        (-1, None),
    ],
)
def test_the_nearest_threshold_reached_counts(days_left, threshold):
    assert reminders.expiry_threshold(days_left, [180, 90, 30]) == threshold


def test_malformed_reminder_days_are_ignored():
    assert reminders.thresholds([30, "90", 180, -5, 30, None]) == [30, 180]
    assert reminders.thresholds(None) == []


def test_nothing_is_sent_181_days_before_expiry(anna):
    active_agreement(anna, days(181))
    counts = run_reminders(today=TODAY)
    assert counts["created"] == 0
    assert mail.outbox == []


def test_the_180_day_reminder_is_sent_180_days_before_expiry(anna):
    agreement = active_agreement(anna, days(180))
    counts = run_reminders(today=TODAY)
    assert counts == {"created": 1, "emailed": 1, "recipients": 1, "failed": 0}
    assert keys() == [f"agreement:{agreement.pk}:expiry:180:{days(180).isoformat()}"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert agreement.reference in message.body
    assert f"/agreements/{agreement.uuid}/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert agreement.reference in html


def test_inside_30_days_only_the_30_day_reminder_is_sent(anna):
    agreement = active_agreement(anna, days(29))
    run_reminders(today=TODAY)
    assert keys() == [f"agreement:{agreement.pk}:expiry:30:{days(29).isoformat()}"]
    assert len(mail.outbox) == 1


def test_running_again_sends_nothing_new(anna):
    active_agreement(anna, days(29))
    run_reminders(today=TODAY)
    assert run_reminders(today=TODAY) == {
        "created": 0,
        "emailed": 0,
        "recipients": 0,
        "failed": 0,
    }
    assert run_reminders(today=TODAY + datetime.timedelta(days=1))["created"] == 0
    assert len(mail.outbox) == 1


def test_each_threshold_is_reminded_once_as_the_days_pass(anna):
    active_agreement(anna, days(200))
    created = [
        run_reminders(today=TODAY + datetime.timedelta(days=d))["created"] for d in range(0, 201, 5)
    ]
    assert sum(created) == 3
    assert [key.split(":")[3] for key in keys()] == ["180", "30", "90"]
    assert len(mail.outbox) == 3


def test_the_thresholds_of_the_type_are_used(anna):
    agreement_type = AgreementTypeFactory(reminder_days=[60])
    active_agreement(anna, days(90), agreement_type=agreement_type)
    assert run_reminders(today=TODAY)["created"] == 0
    assert run_reminders(today=days(30))["created"] == 1


def test_a_renewal_starts_the_thresholds_again(anna):
    # Renews yearly from 2025-03-31: the period in force ends on 2026-03-31, then 2027-03-31.
    agreement = active_agreement(anna, datetime.date(2025, 3, 31), renewal_years=1)
    run_reminders(today=TODAY)
    assert keys() == [f"agreement:{agreement.pk}:expiry:30:2026-03-31"]
    run_reminders(today=datetime.date(2026, 10, 2))
    assert f"agreement:{agreement.pk}:expiry:180:2027-03-31" in keys()


def test_a_termination_date_is_the_expiry(anna):
    agreement = active_agreement(anna, None, terminated_on=days(20))
    run_reminders(today=TODAY)
    assert keys() == [f"agreement:{agreement.pk}:expiry:30:{days(20).isoformat()}"]


@pytest.mark.parametrize(
    "status", [AgreementStatus.DRAFT, AgreementStatus.EXPIRED, AgreementStatus.TERMINATED]
)
def test_only_active_agreements_are_reminded_of_expiry(anna, status):
    active_agreement(anna, days(20), status=status)
    assert run_reminders(today=TODAY)["created"] == 0


def test_agreements_without_end_or_past_their_end_are_not_reminded(anna):
    active_agreement(anna, None)
    active_agreement(anna, days(-1))
    assert run_reminders(today=TODAY)["created"] == 0


def test_every_responsible_person_is_reminded_and_linked_users_see_it_in_the_app(anna):
    user = UserFactory(username="boris", email="boris.account@example.org")
    boris = PersonFactory(name_native="Boris", email="", user=user)
    no_address = PersonFactory(name_native="Nobody", email="")
    agreement = active_agreement(anna, days(25))
    agreement.responsible_people.add(boris, no_address)
    run_reminders(today=TODAY)
    by_email = dict(Notification.objects.values_list("recipient_email", "user_id"))
    assert by_email == {"anna@example.org": None, "boris.account@example.org": user.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(by_email)


# --- Approvals -----------------------------------------------------------------------------------


def test_only_the_approver_of_the_current_step_is_reminded(db):
    first, second = UserFactory(username="legal"), UserFactory(username="rector")
    agreement = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    done = ApprovalStepFactory(
        agreement=agreement, order=1, approver=first, decision=ApprovalDecision.APPROVED
    )
    current = ApprovalStepFactory(agreement=agreement, order=2, approver=second)
    ApprovalStepFactory(agreement=agreement, order=3, approver=first)
    run_reminders(today=TODAY)
    assert keys() == [f"agreement:{agreement.pk}:approval:{current.pk}"]
    notification = Notification.objects.get()
    assert (notification.recipient_email, notification.user) == ("rector@example.org", second)
    assert [m.to for m in mail.outbox] == [["rector@example.org"]]
    assert done.pk  # decided steps wait for no one


def test_an_earlier_round_or_an_agreement_not_in_review_waits_for_no_one(db):
    approver = UserFactory(username="legal")
    resubmitted = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    ApprovalStepFactory(agreement=resubmitted, round=1, order=1, approver=approver)
    current = ApprovalStepFactory(
        agreement=resubmitted, round=2, order=1, approver=UserFactory(username="dean")
    )
    draft = AgreementFactory(status=AgreementStatus.DRAFT)
    ApprovalStepFactory(agreement=draft, order=1, approver=approver)
    rejected = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    ApprovalStepFactory(
        agreement=rejected, order=1, approver=approver, decision=ApprovalDecision.REJECTED
    )
    ApprovalStepFactory(agreement=rejected, order=2, approver=approver)
    run_reminders(today=TODAY)
    assert keys() == [f"agreement:{resubmitted.pk}:approval:{current.pk}"]


def test_a_step_without_an_active_approver_reminds_no_one(db):
    agreement = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    ApprovalStepFactory(agreement=agreement, order=1, approver=None)
    other = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    ApprovalStepFactory(
        agreement=other, order=1, approver=UserFactory(username="gone", is_active=False)
    )
    assert run_reminders(today=TODAY)["created"] == 0


def test_every_holder_of_a_steps_duty_is_reminded_in_the_agreements_units(
    home, engineering, economics
):
    head = DutyFactory(name="Head of unit", per_unit=True)
    legal = DutyFactory(name="Legal office")
    dean = UserFactory(username="dean")
    DutyHolderFactory(duty=head, user=dean, unit=engineering)
    DutyHolderFactory(duty=head, user=UserFactory(username="economist"), unit=economics)
    lawyers = [UserFactory(username=f"lawyer{n}") for n in (1, 2)]
    for lawyer in lawyers:
        DutyHolderFactory(duty=legal, user=lawyer)
    faculty = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    AgreementPartyFactory(agreement=faculty, institution=home, units=[engineering])
    by_head = ApprovalStepFactory(agreement=faculty, order=1, duty=head)
    other = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    by_legal = ApprovalStepFactory(agreement=other, order=1, duty=legal)
    run_reminders(today=TODAY)
    sent = sorted((n.user.username, n.key) for n in Notification.objects.select_related("user"))
    assert sent == [
        ("dean", f"agreement:{faculty.pk}:approval:{by_head.pk}"),
        ("lawyer1", f"agreement:{other.pk}:approval:{by_legal.pk}"),
        ("lawyer2", f"agreement:{other.pk}:approval:{by_legal.pk}"),
    ]


# --- Signatures ----------------------------------------------------------------------------------


def signing_agreement(person, started_on, *, signed=(True, False), **fields):
    agreement = AgreementFactory(
        status=AgreementStatus.SIGNING, signing_started_on=started_on, **fields
    )
    agreement.responsible_people.set([person])
    for is_signed in signed:
        party = AgreementPartyFactory(agreement=agreement)
        if is_signed:
            SignatureFactory(party=party)
    return agreement


def test_a_signature_waiting_longer_than_the_type_allows_is_reminded(anna):
    started = TODAY - datetime.timedelta(days=31)
    agreement = signing_agreement(anna, started)
    run_reminders(today=TODAY)
    notification = Notification.objects.get()
    assert notification.key == f"agreement:{agreement.pk}:signature-overdue:{started.isoformat()}"
    assert notification.due_on == started + datetime.timedelta(days=30)
    assert notification.kind == reminders.SIGNATURE_OVERDUE
    assert mail.outbox[0].to == ["anna@example.org"]


def test_a_signature_within_the_waiting_time_is_not_reminded(anna):
    signing_agreement(anna, TODAY - datetime.timedelta(days=30))
    signing_agreement(
        anna,
        TODAY - datetime.timedelta(days=40),
        agreement_type=AgreementTypeFactory(signature_wait_days=60),
    )
    assert run_reminders(today=TODAY)["created"] == 0


def test_an_agreement_every_party_signed_is_not_reminded(anna):
    signing_agreement(anna, TODAY - datetime.timedelta(days=90), signed=(True, True))
    assert run_reminders(today=TODAY)["created"] == 0


# --- Digests -------------------------------------------------------------------------------------


def test_a_recipient_gets_one_digest_listing_all_their_reminders(anna):
    expiring = active_agreement(anna, days(60))
    overdue = signing_agreement(anna, TODAY - datetime.timedelta(days=45))
    user = UserFactory(username="anna", email="anna@example.org")
    approval = AgreementFactory(status=AgreementStatus.IN_REVIEW)
    ApprovalStepFactory(agreement=approval, order=1, approver=user)
    counts = run_reminders(today=TODAY)
    assert counts == {"created": 3, "emailed": 3, "recipients": 1, "failed": 0}
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for agreement in (expiring, overdue, approval):
        assert agreement.reference in body
    assert "3 new reminders" in mail.outbox[0].subject


def test_the_digest_is_in_the_recipients_language(db):
    user = UserFactory(username="olga", email="olga@example.org", preferred_language="ru")
    person = PersonFactory(email="olga@example.org", user=user)
    active_agreement(person, days(10))
    run_reminders(today=TODAY)
    html, _mime = mail.outbox[0].alternatives[0]
    assert '<html lang="ru">' in html
