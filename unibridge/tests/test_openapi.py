"""The OpenAPI 3 schema at /api/v1/schema/ and the Swagger UI docs page at /api/v1/docs/."""

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

API_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/institutions/",
    "/api/v1/institutions/{id}/",
    "/api/v1/units/",
    "/api/v1/units/{id}/",
    "/api/v1/people/",
    "/api/v1/people/{id}/",
    "/api/v1/partnerships/",
    "/api/v1/partnerships/{id}/",
]


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert not GENERATOR_STATS, "schema generation warned or failed; see the test output"
    return response.json()


def test_the_schema_endpoint_returns_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_lists_every_api_path(schema):
    missing = [path for path in API_PATHS if path not in schema["paths"]]
    assert not missing


def test_the_schema_lists_every_crud_operation(schema):
    for resource in ("institutions", "units", "people", "partnerships"):
        assert set(schema["paths"][f"/api/v1/{resource}/"]) == {"get", "post"}
        detail = schema["paths"][f"/api/v1/{resource}/{{id}}/"]
        assert set(detail) == {"get", "put", "patch", "delete"}
        assert detail["get"]["parameters"][0]["schema"]["format"] == "uuid"


def test_the_schema_describes_token_and_session_authentication(schema):
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    token = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert set(token["responses"]) == {"200", "400"}


def test_the_schema_describes_inputs_outputs_errors_and_conflicts(schema):
    components = schema["components"]["schemas"]
    assert "version" in components["InstitutionRequest"]["properties"]
    assert "updated" in components["Institution"]["properties"]
    assert components["Institution"]["properties"]["id"]["format"] == "uuid"
    assert set(components["Error"]["properties"]) == {"error", "detail", "fields"}
    patch = schema["paths"]["/api/v1/partnerships/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(patch["responses"])
    assert list(patch["requestBody"]["content"]) == ["application/json"]


def test_the_schema_command_passes_with_fail_on_warn(tmp_path, db):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/institutions/" in schema["paths"]


def test_the_docs_page_renders_swagger_ui_from_vendored_files(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    # The start script is a file of its own (the CSP allows no inline script).
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}")
