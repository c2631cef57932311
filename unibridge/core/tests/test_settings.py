"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from unibridge.settings import email_settings, env_bool, env_int

ROOT = Path(__file__).resolve().parents[3]


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", True) is False
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG", False) is True


def test_env_bool_and_int_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be a boolean"):
        env_bool("FLAG", True)
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be an integer"):
        env_int("NUMBER", 1)


def test_email_url_for_smtp_with_starttls():
    result = email_settings("submission://mailer:p%40ss@smtp.example.edu:587")
    assert result["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (result["EMAIL_HOST"], result["EMAIL_PORT"]) == ("smtp.example.edu", 587)
    assert (result["EMAIL_HOST_USER"], result["EMAIL_HOST_PASSWORD"]) == ("mailer", "p@ss")
    assert result["EMAIL_USE_TLS"] is True


def test_unknown_email_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL scheme"):
        email_settings("pigeon://coop")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # the browser tests allow async-unsafe calls in this process; a deployment never does
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "unibridge.settings", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-secret-key-used-only-by-this-test-0123456789-abcdef",
        ALLOWED_HOSTS="unibridge.example.edu",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", DEBUG="0", SECRET_KEY="", DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def _redis_reachable() -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="needs Redis on 127.0.0.1:6379")
def test_redis_url_switches_cache_and_task_queue_to_redis(tmp_path):
    script = (
        "import django; django.setup();"
        "from django.core.cache import cache; from huey.contrib.djhuey import HUEY;"
        "cache.set('unibridge-probe', 'ok', 5); assert cache.get('unibridge-probe') == 'ok';"
        "print(type(HUEY).__name__, type(HUEY.storage).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "unibridge.settings",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["PriorityRedisHuey", "PriorityRedisStorage"]


def test_default_task_queue_is_sqlite_on_disk(tmp_path):
    script = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY;"
        "print(type(HUEY.storage).__name__, HUEY.storage.filename)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "unibridge.settings",
            "DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["SqliteStorage", str(tmp_path / "tasks.sqlite3")]
