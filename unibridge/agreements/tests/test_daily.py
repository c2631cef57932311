"""The nightly job: the management command for cron and the Huey periodic task run it."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from unibridge.agreements import tasks
from unibridge.agreements.choices import AgreementStatus
from unibridge.agreements.models import Agreement, AgreementParty, AgreementType
from unibridge.institutions.tests.factories import InstitutionFactory


@pytest.fixture
def expired_yesterday(home):
    today = timezone.localdate()
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference="MoU-2020-001",
        title="Old memorandum",
        status=AgreementStatus.ACTIVE,
        effective_date=today - datetime.timedelta(days=800),
        expiry_date=today - datetime.timedelta(days=2),
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0)
    AgreementParty.objects.create(agreement=agreement, institution=InstitutionFactory(), order=1)
    return agreement


def test_the_command_expires_what_is_due_and_reports_counts(expired_yesterday):
    out = StringIO()
    call_command("agreements_daily", stdout=out)
    expired_yesterday.refresh_from_db()
    assert expired_yesterday.status == AgreementStatus.EXPIRED
    assert "expired: 1" in out.getvalue()
    out = StringIO()
    call_command("agreements_daily", stdout=out)
    assert "expired: 0" in out.getvalue()


def test_the_periodic_task_runs_the_same_job_daily(expired_yesterday):
    assert tasks.agreements_daily.call_local()["expired"] == 1
    schedule = tasks.agreements_daily.task_class().validate_datetime
    assert schedule(datetime.datetime(2026, 11, 26, 1, 5))
    assert not schedule(datetime.datetime(2026, 11, 26, 2, 5))


def test_next_expiry_is_computed_on_the_model(expired_yesterday):
    expired_yesterday.renewal_years = 1
    assert expired_yesterday.next_expiry > timezone.localdate()
    expired_yesterday.expiry_date = None
    assert expired_yesterday.next_expiry is None
