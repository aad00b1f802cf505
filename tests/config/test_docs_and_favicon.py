"""The API docs lead back to the site; browsers asking for /favicon.ico get the icon."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)


def test_pages_name_the_icon(client):
    page = client.get("/").content.decode()

    assert 'rel="icon"' in page
    assert "img/favicon.svg" in page


def test_the_api_docs_link_back_to_the_site(client):
    page = client.get("/api/docs/").content.decode()

    assert '<a href="/"' in page
    assert "Connector Hub" in page
    assert 'id="swagger-ui"' in page  # the docs themselves still render
