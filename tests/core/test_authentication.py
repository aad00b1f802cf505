"""The API takes the site's session or a staff API token, never HTTP Basic; password logins
(the admin's) lock out after repeated failures."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.authentication import StaffTokenAuthentication
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
STAFF_POST = "/api/v1/polls/"  # staff-only create; an empty body fails validation (400)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# --- HTTP Basic -------------------------------------------------------------------------


def test_basic_on_a_staff_endpoint_is_refused(client, staff_user):
    response = client.post(
        "/api/v1/payouts/1/verify/", HTTP_AUTHORIZATION=basic(staff_user.username, PASSWORD)
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_basic_passwords_are_never_checked(client, staff_user):
    # given a listener for every password check that fails
    failures = []

    def record(**kwargs):  # type: ignore[no-untyped-def]
        failures.append(kwargs)

    user_login_failed.connect(record)
    try:
        # when a client sends a Basic header with a wrong password, again and again
        header = basic(staff_user.username, "wrong")
        statuses = {
            client.get("/api/v1/polls/", HTTP_AUTHORIZATION=header).status_code for _ in range(20)
        }
    finally:
        user_login_failed.disconnect(record)

    # then it reads as an anonymous client, and no password was ever tried
    assert statuses == {200}
    assert failures == []


# --- staff API tokens -------------------------------------------------------------------


def test_staff_token_from_the_command_reaches_a_staff_endpoint_without_csrf(staff_user):
    # given a token made with manage.py drf_create_token
    out = io.StringIO()
    call_command("drf_create_token", staff_user.username, stdout=out)
    key = Token.objects.get(user=staff_user).key
    assert key in out.getvalue()

    # when a script posts with it, from a client that checks CSRF as a browser would
    response = Client(enforce_csrf_checks=True).post(
        STAFF_POST, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}"
    )

    # then it is past authentication and permissions, at validation
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"epoch", "kind"}


def test_token_of_an_account_that_is_not_staff_is_refused(client):
    member = UserFactory(username="member")
    token = Token.objects.create(user=member)

    response = client.post(
        STAFF_POST, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "authentication_failed"


def test_token_stops_working_when_staff_status_is_taken_away(client, staff_user):
    token = Token.objects.create(user=staff_user)
    staff_user.is_staff = False
    staff_user.save()

    response = client.post(
        STAFF_POST, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )

    assert response.status_code == 403


def test_unknown_token_is_refused(client, staff_user):
    response = client.post(
        STAFF_POST, {}, content_type="application/json", HTTP_AUTHORIZATION="Token " + "0" * 40
    )

    assert response.status_code == 403
    assert response.json()["code"] == "authentication_failed"


def test_every_api_view_takes_session_or_staff_token_or_nothing():
    """No view brings HTTP Basic back; only the signed-body views and the simulator (it
    writes nothing and is the same for everyone) take no authentication."""
    default = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    assert default == [SessionAuthentication, StaffTokenAuthentication]

    seen = {view.__name__: list(view.authentication_classes) for view in api_views()}

    assert "PollListApi" in seen
    assert "PayoutVerifyApi" in seen
    assert {name for name, classes in seen.items() if classes != default} == {
        "PollVotesApi",
        "ProposalListApi",
        "PollSimulateApi",
    }
    assert seen["PollVotesApi"] == []
    assert seen["ProposalListApi"] == []
    assert seen["PollSimulateApi"] == []


def api_views(resolver: URLResolver | None = None) -> Iterator[type[APIView]]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from api_views(pattern)
            continue
        view = getattr(pattern.callback, "cls", None)
        if isinstance(view, type) and issubclass(view, APIView):
            yield view


# --- admin login lockout ----------------------------------------------------------------


def admin_login(client, username: str, password: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, **extra
    )


def test_admin_login_locks_out_after_the_failure_limit(client, staff_user, settings):
    # given as many wrong passwords in a row as the limit allows
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert admin_login(client, staff_user.username, "wrong").status_code == 200

    # when one more is wrong
    response = admin_login(client, staff_user.username, "wrong")

    # then that address is locked out for the user, even with the right password
    assert response.status_code == 429
    assert admin_login(client, staff_user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_admin_lockout_is_per_username_and_address(client, staff_user, settings):
    other = UserFactory(username="other", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, staff_user.username, "wrong")

    # another account from the same address, and the same account from another address,
    # can still sign in
    assert admin_login(client, other.username, PASSWORD).status_code == 302
    client.logout()
    response = admin_login(client, staff_user.username, PASSWORD, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 302


def test_admin_lockout_ignores_a_made_up_forwarded_for(client, staff_user, settings):
    # NUM_PROXIES is 0: X-Forwarded-For is not the client's address
    for n in range(settings.AXES_FAILURE_LIMIT):
        admin_login(client, staff_user.username, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    response = admin_login(client, staff_user.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert response.status_code == 429


def test_a_successful_login_clears_earlier_failures(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, staff_user.username, "wrong")
    assert admin_login(client, staff_user.username, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login(client, staff_user.username, "wrong")

    assert admin_login(client, staff_user.username, PASSWORD).status_code == 302


def test_staff_add_a_token_in_the_admin(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/admin/authtoken/tokenproxy/add/", {"user": staff_user.pk})

    assert response.status_code == 302, response.content
    assert Token.objects.filter(user=staff_user).exists()
