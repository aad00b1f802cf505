"""The OpenAPI schema is built once per process and served from memory after that."""

from unittest.mock import patch

import pytest
from drf_spectacular.generators import SchemaGenerator

from core.schema_view import PrecomputedSpectacularAPIView

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():  # type: ignore[no-untyped-def]
    PrecomputedSpectacularAPIView.built.clear()
    yield
    PrecomputedSpectacularAPIView.built.clear()


def test_the_second_request_does_not_build_the_schema_again(client):
    with patch.object(SchemaGenerator, "get_schema", wraps=SchemaGenerator().get_schema) as build:
        first = client.get("/api/schema/", {"format": "json"})
        second = client.get("/api/schema/", {"format": "json"})

    assert build.call_count == 1
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert "/api/v1/connectors/" in second.json()["paths"]


def test_yaml_and_json_are_the_same_schema(client):
    as_json = client.get("/api/schema/", {"format": "json"}).json()
    as_yaml = client.get("/api/schema/").content.decode()

    assert as_json["info"]["title"] in as_yaml


def test_a_settings_change_drops_the_built_schema(client, settings):
    client.get("/api/schema/", {"format": "json"})
    assert PrecomputedSpectacularAPIView.built

    settings.SPECTACULAR_SETTINGS = {**settings.SPECTACULAR_SETTINGS}

    assert not PrecomputedSpectacularAPIView.built


def test_the_schema_written_at_deploy_is_served_as_is_and_equals_the_built_one(
    client, settings, tmp_path
):
    from django.core.management import call_command

    built = client.get("/api/schema/", {"format": "json"}).json()
    schema_file = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(schema_file))
    settings.API_SCHEMA_FILE = str(schema_file)  # drops the built copy too

    with patch.object(SchemaGenerator, "get_schema") as build:
        served = client.get("/api/schema/", {"format": "json"}).json()

    assert build.call_count == 0
    assert served == built


@pytest.mark.parametrize("content", [None, "{not json", '{"paths": {}}'])
def test_a_missing_or_broken_schema_file_is_logged_and_the_schema_built(
    client, settings, tmp_path, caplog, content
):
    schema_file = tmp_path / "openapi.json"
    if content is not None:
        schema_file.write_text(content)
    settings.API_SCHEMA_FILE = str(schema_file)

    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert "/api/v1/connectors/" in response.json()["paths"]
    assert f"API_SCHEMA_FILE {schema_file}" in caplog.text
