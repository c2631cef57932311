"""Sessions end after SESSION_IDLE_MINUTES without a request; a used one stays."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from unibridge.accounts.middleware import LAST_SEEN
from unibridge.accounts.tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


def stored(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def last_seen_ago(client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_sessions_last_eight_idle_hours_by_default(settings):
    assert settings.SESSION_IDLE_MINUTES == 480
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def settings_in_a_fresh_process(name: str, **env: str) -> subprocess.CompletedProcess:
    """Import the real settings module with these environment variables; print one setting."""
    return subprocess.run(
        [sys.executable, "-c", f"from unibridge import settings; print(settings.{name})"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_idle_time_comes_from_the_environment(tmp_path):
    result = settings_in_a_fresh_process(
        "SESSION_COOKIE_AGE", SESSION_IDLE_MINUTES="30", DATA_DIR=str(tmp_path)
    )
    assert result.stdout.strip() == "1800", result.stderr


def test_a_nonsensical_idle_time_is_refused(tmp_path):
    result = settings_in_a_fresh_process(
        "SESSION_COOKIE_AGE", SESSION_IDLE_MINUTES="0", DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES must be at least 1" in result.stderr


def test_a_new_session_starts_as_just_used(alice_client):
    assert abs(alice_client.session[LAST_SEEN] - time.time()) < 5


def test_a_session_idle_longer_than_the_limit_is_ended(alice_client, settings):
    last_seen_ago(alice_client, settings.SESSION_COOKIE_AGE + 1)
    key = alice_client.session.session_key
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_used_within_the_limit_is_kept_and_renewed(alice_client, settings):
    last_seen_ago(alice_client, settings.SESSION_COOKIE_AGE - 60)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=60))
    assert alice_client.get("/").status_code == 200
    session = stored(alice_client)
    renewed = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - renewed).total_seconds()) < 10
    assert abs(session.get_decoded()[LAST_SEEN] - time.time()) < 5
    assert alice_client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_requests_within_a_minute_do_not_write_the_session(alice_client):
    before = stored(alice_client).expire_date
    assert alice_client.get("/").status_code == 200
    assert stored(alice_client).expire_date == before
    assert "sessionid" not in alice_client.get("/").cookies


def test_a_session_expired_in_the_database_signs_nobody_in_and_leaves_nothing(alice_client):
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = alice_client.get("/")
    assert response["Location"].startswith("/accounts/login/")
    assert Session.objects.filter(expire_date__gt=timezone.now()).count() == 0


def test_the_idle_limit_follows_the_setting(alice_client, settings):
    settings.SESSION_COOKIE_AGE = 600
    last_seen_ago(alice_client, 601)
    assert alice_client.get("/").status_code == 302
