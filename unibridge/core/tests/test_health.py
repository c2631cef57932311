import contextlib

import pytest
from django.contrib.sessions.models import Session
from django.db import connection


@pytest.mark.django_db
def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_checks_the_database_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1) as captured:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert captured.captured_queries[0]["sql"].startswith("UPDATE")


@pytest.mark.django_db
def test_healthz_leaves_the_data_as_it_was(client, office_client):
    before = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    client.get("/healthz")
    after = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    assert after == before != []


@contextlib.contextmanager
def read_only_database():
    """Make the test's connection refuse writes, as a read-only file or a replica would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
            try:
                yield
            finally:
                cursor.execute("PRAGMA query_only = OFF")
        elif connection.vendor == "postgresql":
            # Only for the test's transaction, which is rolled back afterwards.
            cursor.execute("SET TRANSACTION READ ONLY")
            yield
        else:
            pytest.skip(f"no read-only switch for {connection.vendor}")


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_write_when_the_database_is_read_only(client):
    with read_only_database():
        response = client.get("/healthz")
    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "error"
    assert answer["failed"] == "database write"
    assert "read" in answer["database"].lower() and "only" in answer["database"].lower()


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_renders_for_office(office_client):
    response = office_client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    # the menu of every area and the office's own link to the overdue action items
    for url in ("/institutions/", "/agreements/", "/visits/", "/action-items/overdue/"):
        assert f'href="{url}"' in page, url


def test_unknown_api_url_answers_json_404(office_client):
    response = office_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}


def test_unknown_page_answers_html_404(office_client):
    response = office_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_healthz_reads_no_session_or_user_for_a_signed_in_probe(
    office_client, django_assert_num_queries
):
    """A probe carrying a session cookie (a browser, the load test) still costs one query."""
    with django_assert_num_queries(1) as captured:
        response = office_client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}
    assert captured.captured_queries[0]["sql"].startswith("UPDATE")
