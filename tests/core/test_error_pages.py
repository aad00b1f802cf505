"""A page that is not there answers in the site's layout with ways on; a server error
answers a plain page that needs nothing that could fail again (and API paths their JSON)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from core.api_errors import server_error

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_404_in_the_site_layout_with_ways_on(client):
    response = client.get("/connectors/no-such-connector-here/")

    body = response.content.decode()
    assert response.status_code == 404
    assert 'class="site-header"' in body
    assert "Not found" in body
    assert 'href="/status/"' in body


def test_a_missing_api_path_still_answers_json(client):
    response = client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_server_error_page_is_plain_and_says_nothing_was_lost():
    response = server_error(RequestFactory().get("/polls/"))

    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "<script" not in body
    assert "<style" not in body
