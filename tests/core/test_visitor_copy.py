"""Visitors share one copy of a page per path; anything of one visitor's own (a session, a
query string, a token, a CSRF form, a status other than 200) is rendered for them alone."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.cache import visitor_copy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def counting_view(*, status: int = 200, csrf: bool = False):  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    calls: list[str] = []

    @visitor_copy(fresh=lambda: 30)
    def view(request):  # type: ignore[no-untyped-def]
        calls.append(request.path)
        if csrf:
            get_token(request)
        return HttpResponse(f"page {len(calls)}", status=status, content_type="text/html")

    def call(path: str = "/page/", **extra):  # type: ignore[no-untyped-def]
        request = RequestFactory().get(path, **extra)
        request.user = extra.pop("user", None) or AnonymousUser()
        return view(request)

    return call, calls


def test_visitors_share_one_copy_per_path():
    call, calls = counting_view()

    first, second, other = call(), call(), call("/other/")

    assert first.content == second.content == b"page 1"
    assert other.content == b"page 2"
    assert calls == ["/page/", "/other/"]
    assert second["Content-Type"] == "text/html"


@pytest.mark.parametrize(
    "extra",
    [
        {"QUERY_STRING": "before=2026-01-01"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_AUTHORIZATION": "Token abc"},
    ],
)
def test_a_visitor_with_something_of_their_own_gets_their_own_page(extra):
    call, calls = counting_view()

    call(**extra)
    call(**extra)

    assert len(calls) == 2


def test_signed_in_users_get_their_own_page():
    call, calls = counting_view()
    user = UserFactory()

    call(user=user)
    call(user=user)

    assert len(calls) == 2


@pytest.mark.parametrize("kind", ["csrf", "status"])
def test_a_page_with_a_form_or_an_error_is_never_shared(kind):
    call, calls = counting_view(csrf=kind == "csrf", status=404 if kind == "status" else 200)

    first = call()
    second = call()

    assert (first.content, second.content) == (b"page 1", b"page 2")
    assert first.status_code == (404 if kind == "status" else 200)
    assert len(calls) == 2


def test_the_connector_page_is_shared_by_visitors(client, settings, django_assert_num_queries):
    from tests.factories import ConnectorFactory

    settings.VISITOR_PAGE_CACHE_SECONDS = 30
    connector = ConnectorFactory()
    first = client.get(connector.get_absolute_url())

    with django_assert_num_queries(0):
        second = client.get(connector.get_absolute_url())

    assert first.status_code == second.status_code == 200
    assert second.content == first.content


def test_the_shared_copy_is_gzipped_for_clients_that_accept_it():
    import gzip

    call, calls = counting_view()

    plain = call()
    packed = call(HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content == b"page 1"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(calls) == 1
