import pytest


@pytest.mark.django_db
def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_renders_for_office(office_client):
    response = office_client.get("/")
    assert response.status_code == 200


def test_unknown_api_url_answers_json_404(office_client):
    response = office_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}


def test_unknown_page_answers_html_404(office_client):
    response = office_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
