"""Every API refusal has one shape: ``{"error", "code", "fields"?}``."""

import pytest
from django.test import Client

from tests.factories import BountyFactory, UserFactory


def shape(response) -> set[str]:  # type: ignore[no-untyped-def]
    return set(response.json())


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nothing-here/", "/api/v1/bounties/not-a-number/", "/api/v1/polls/1,2/votes.csv"],
)
def test_a_path_no_api_route_matches_is_a_json_404(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Not found.", "code": "not_found"}


def test_a_page_path_no_route_matches_keeps_the_site_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_object_that_does_not_exist_is_a_json_404(client, db):
    response = client.get("/api/v1/connectors/no-such-connector/")

    assert response.status_code == 404
    assert shape(response) == {"error", "code"}
    assert response.json()["code"] == "not_found"


def test_not_signed_in_is_a_json_403_with_its_code(client, db):
    response = client.post("/api/v1/bounties/", {}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_a_method_the_endpoint_does_not_take_is_a_405_in_the_shape(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.delete("/api/v1/connectors/")

    assert response.status_code == 405
    assert response.json() == {
        "error": 'Method "DELETE" not allowed.',
        "code": "method_not_allowed",
    }


def test_a_service_refusal_keeps_its_status_and_code_and_writes_nothing(db):
    staff = UserFactory(is_staff=True)
    bounty = BountyFactory(status="paid")
    client = Client()
    client.force_login(staff)

    response = client.post(
        f"/api/v1/bounties/{bounty.pk}/close/", {"note": "x"}, content_type="application/json"
    )

    assert response.status_code == 409
    assert shape(response) == {"error", "code"}
    assert response.json()["code"] == "status_conflict"
    bounty.refresh_from_db()
    assert bounty.status == "paid"


def test_validation_errors_are_listed_per_field(db):
    staff = UserFactory(is_staff=True)
    client = Client()
    client.force_login(staff)

    response = client.post("/api/v1/bounties/", {"type": "nope"}, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"title", "type"}


def test_an_unexpected_error_on_an_api_path_is_a_json_500(db, monkeypatch):
    def explode(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr("connectors_registry.apis.ConnectorListApi.get_queryset", explode)
    client = Client(raise_request_exception=False)

    response = client.get("/api/v1/connectors/")

    assert response.status_code == 500
    assert response.json() == {
        "error": "The server failed to answer; the error was logged.",
        "code": "server_error",
    }
