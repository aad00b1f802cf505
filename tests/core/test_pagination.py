"""Page and page size: whole numbers in range, or a 400 that says what is allowed."""

import pytest

from tests.factories import ConnectorFactory

URL = "/api/v1/connectors/"


@pytest.fixture
def three_connectors(db):
    return ConnectorFactory.create_batch(3)


def test_a_page_of_the_chosen_size(client, three_connectors):
    body = client.get(URL, {"page_size": 2, "page": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 1


def test_last_names_the_last_page(client, three_connectors):
    body = client.get(URL, {"page_size": 2, "page": "last"}).json()

    assert len(body["results"]) == 1


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=0", "page", "page must be a whole number from 1 up."),
        ("page=-3", "page", "page must be a whole number from 1 up."),
        ("page=two", "page", "page must be a whole number from 1 up."),
        ("page_size=0", "page_size", "page_size must be a whole number from 1 to 500."),
        ("page_size=501", "page_size", "page_size must be a whole number from 1 to 500."),
        ("page_size=1.5", "page_size", "page_size must be a whole number from 1 to 500."),
        ("page_size=", "page_size", "page_size must be a whole number from 1 to 500."),
        (
            "page_size=5&page_size=6",
            "page_size",
            "Give page_size once, as a whole number from 1 to 500.",
        ),
    ],
)
def test_bad_page_or_size_is_a_400_naming_it(client, three_connectors, query, field, message):
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response.json() == {
        "error": "The request is not valid; see fields.",
        "code": "invalid",
        "fields": {field: [message]},
    }


def test_a_page_past_the_last_is_not_found(client, three_connectors):
    response = client.get(URL, {"page": 9})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_schema_declares_the_bounds(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p["schema"] for p in schema["paths"][URL]["get"]["parameters"]}

    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 50,
    }
