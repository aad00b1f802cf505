"""The sign-in endpoints and pages: nonce, verify-and-login, sign-out, and the header snippet."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from eth_account import Account
from eth_account.messages import encode_defunct

from governance.models import SignInNonce, Wallet
from governance.views.sign_in import MAX_SIGN_IN_BODY_BYTES, SESSION_NONCE_KEY
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NONCE_URL = "/auth/nonce/"
SIGN_IN_URL = "/auth/sign-in/"
SIGN_OUT_URL = "/auth/sign-out/"


@pytest.fixture(autouse=True)
def _on_dev_chain(chain_settings):
    return chain_settings


@pytest.fixture
def alice(devchain):
    return devchain.chain.info.holders[0]


def siwe_text(fields: dict[str, Any]) -> str:
    """The message exactly as static/js/wallet.js builds it from the nonce response."""
    return (
        f"{fields['domain']} wants you to sign in with your Ethereum account:\n"
        f"{fields['address']}\n\n"
        f"{fields['statement']}\n\n"
        f"URI: {fields['uri']}\n"
        "Version: 1\n"
        f"Chain ID: {fields['chain_id']}\n"
        f"Nonce: {fields['nonce']}\n"
        f"Issued At: {fields['issued_at']}\n"
        f"Expiration Time: {fields['expiration_time']}"
    )


def signed_payload(client: Client, holder: Any, **field_overrides: Any) -> dict[str, str]:
    """Ask for a nonce as the page does, then build and sign the message."""
    response = client.get(NONCE_URL, {"address": holder.address.lower()})
    assert response.status_code == 200
    fields = {**response.json(), **field_overrides}
    text = siwe_text(fields)
    signature = Account.sign_message(encode_defunct(text=text), holder.private_key).signature
    return {"message": text, "signature": signature.to_0x_hex()}


def post_json(client: Client, body: object, **extra: Any):
    return client.post(SIGN_IN_URL, data=json.dumps(body), content_type="application/json", **extra)


def test_nonce_endpoint_returns_message_fields_and_remembers_the_nonce(client, settings):
    # when the page asks for a nonce
    response = client.get(NONCE_URL)

    # then it gets every field of the message, for this host and chain
    assert response.status_code == 200
    body = response.json()
    assert body["domain"] == "testserver"
    assert body["uri"] == "http://testserver"
    assert body["chain_id"] == settings.ETH_CHAIN_ID
    assert body["statement"] == settings.SIWE_STATEMENT
    assert body["issued_at"].endswith("Z")
    assert body["expiration_time"] > body["issued_at"]
    assert "address" not in body
    assert "no-cache" in response["Cache-Control"]
    # and the nonce is stored in the session and in the database, tied to that session
    assert client.session[SESSION_NONCE_KEY] == body["nonce"]
    nonce = SignInNonce.objects.get(value=body["nonce"])
    assert nonce.session_key == client.session.session_key


def test_nonce_endpoint_checksums_the_wallets_address(client, alice):
    response = client.get(NONCE_URL, {"address": alice.address.lower()})

    assert response.json()["address"] == alice.address


def test_nonce_endpoint_refuses_a_bad_address(client):
    response = client.get(NONCE_URL, {"address": "0x1234"})

    assert response.status_code == 400
    assert response.json()["code"] == "address_invalid"
    assert "not an Ethereum address" in response.json()["error"]
    assert not SignInNonce.objects.exists()


def test_sign_in_logs_the_wallet_in(client, alice):
    # given a message signed by alice's wallet
    payload = signed_payload(client, alice)

    # when the page posts it
    response = post_json(client, payload)

    # then alice is signed in, as the user named after her address
    assert response.status_code == 200
    assert response.json() == {"address": alice.address, "next": "/"}
    wallet = Wallet.objects.get(address=alice.address)
    assert client.session[SESSION_KEY] == str(wallet.user_id)
    assert SESSION_NONCE_KEY not in client.session


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/connectors/binance/", "/connectors/binance/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        (None, "/"),
    ],
)
def test_sign_in_returns_only_local_next_urls(client, alice, next_value, expected):
    payload = {**signed_payload(client, alice), "next": next_value}

    assert post_json(client, payload).json()["next"] == expected


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"domain": "evil.example"}, "domain_mismatch", "evil.example"),
        ({"uri": "http://evil.example"}, "uri_mismatch", "not on this site"),
        ({"chain_id": 1}, "chain_mismatch", "chain id 1"),
        ({"expiration_time": "2020-01-01T00:00:00.000Z"}, "message_expired", "expired"),
        ({"issued_at": "2999-01-01T00:00:00.000Z"}, "message_issued_in_future", "future"),
        ({"nonce": "SomebodyElsesNonce123"}, "nonce_not_for_session", "browser session"),
        ({"address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}, "signature_invalid", "0x5a"),
        ({"statement": "Line one\nline two"}, "message_malformed", "EIP-4361"),
    ],
)
def test_refused_sign_in_answers_400_with_the_reason(client, alice, overrides, code, words):
    # given a signed message with one field wrong
    payload = signed_payload(client, alice, **overrides)

    # when it is posted
    response = post_json(client, payload)

    # then the answer says why, and nobody is signed in
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert words in response.json()["error"]
    assert SESSION_KEY not in client.session


def test_replayed_sign_in_is_refused(client, alice):
    # given alice signed in and then signed out
    payload = signed_payload(client, alice)
    assert post_json(client, payload).status_code == 200
    client.post(SIGN_OUT_URL)

    # when the same signed message is posted again
    response = post_json(client, payload)

    # then it is refused: the session holds no nonce any more
    assert response.status_code == 400
    assert response.json()["code"] == "nonce_not_for_session"


def test_message_signed_in_another_session_is_refused(client, alice):
    # given a message prepared for another browser's session
    payload = signed_payload(Client(), alice)

    # when this browser posts it
    client.get(NONCE_URL)
    response = post_json(client, payload)

    assert response.status_code == 400
    assert response.json()["code"] == "nonce_not_for_session"


def test_contract_wallet_with_chain_down_answers_503(client, devchain, settings):
    info = devchain.chain.info
    payload = signed_payload(client, info.smart_wallet_owner, address=info.smart_wallet_address)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ETH_RPC_URL = f"http://127.0.0.1:{closed_port}"

    response = post_json(client, payload)

    assert response.status_code == 503
    assert response.json()["code"] == "chain_unavailable"


def test_sign_in_needs_the_csrf_token(alice):
    # given a browser that loaded the sign-in page (which sets the CSRF cookie)
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/sign-in/").status_code == 200
    payload = signed_payload(browser, alice)

    # when it posts without the token, it is refused
    assert post_json(browser, payload).status_code == 403

    # and with the token in the header, as wallet.js sends it, it signs in
    token = browser.cookies["csrftoken"].value
    response = post_json(browser, payload, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["address"] == alice.address


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param("message=hi&signature=0x", "malformed_json", id="form-encoded"),
        pytest.param("{not json", "malformed_json", id="broken-json"),
        pytest.param(b"\xff\xfe", "malformed_json", id="not-utf8"),
        pytest.param("[1, 2]", "body_invalid", id="json-list"),
        pytest.param('{"message": "hi"}', "body_invalid", id="no-signature"),
        pytest.param('{"message": 1, "signature": "0x"}', "body_invalid", id="message-not-text"),
    ],
)
def test_body_that_is_not_the_expected_json_is_refused(client, body, code):
    response = client.post(SIGN_IN_URL, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert '{"message": "...", "signature": "0x..."}' in response.json()["error"]
    assert SESSION_KEY not in client.session


def test_oversize_body_is_refused_before_parsing(client):
    body = json.dumps({"message": "x" * MAX_SIGN_IN_BODY_BYTES, "signature": "0x"})

    response = client.post(SIGN_IN_URL, data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert f"at most {MAX_SIGN_IN_BODY_BYTES:,}" in response.json()["error"]


def test_form_post_with_a_valid_csrf_token_is_refused_not_crashed(alice):
    # given a browser with the CSRF cookie, posting a multipart form that carries the token
    # (the CSRF check reads the form, so the raw body can no longer be read)
    browser = Client(enforce_csrf_checks=True)
    assert browser.get("/sign-in/").status_code == 200
    token = browser.cookies["csrftoken"].value

    response = browser.post(
        SIGN_IN_URL, {"csrfmiddlewaretoken": token, "message": "hi", "signature": "0x"}
    )

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/json" in response.json()["error"]


def test_sign_in_endpoint_only_takes_post(client):
    assert client.get(SIGN_IN_URL).status_code == 405


def test_sign_out_ends_the_session_and_goes_home(client, alice):
    # given alice is signed in
    assert post_json(client, signed_payload(client, alice)).status_code == 200

    # when she signs out
    response = client.post(SIGN_OUT_URL)

    # then she is sent home, signed out
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert SESSION_KEY not in client.session


def test_sign_out_only_takes_post(client):
    assert client.get(SIGN_OUT_URL).status_code == 405


def test_sign_in_page_offers_to_connect_a_wallet(client, settings):
    response = client.get("/sign-in/", {"next": "/exchanges/"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Connect wallet" in content
    assert 'data-next="/exchanges/"' in content
    assert f'data-chain-id="{settings.ETH_CHAIN_ID}"' in content
    assert "js/wallet.js" in content
    assert "css/wallet.css" in content


def test_sign_in_page_ignores_an_external_next(client):
    response = client.get("/sign-in/", {"next": "https://evil.example/"})

    assert 'data-next="/"' in response.content.decode()


def test_sign_in_page_says_who_is_signed_in(client):
    user = UserFactory(username="0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    client.force_login(user)

    response = client.get("/sign-in/")

    content = response.content.decode()
    assert "Signed in as" in content
    assert user.username in content
    assert "Connect wallet" not in content


def test_user_menu_shows_the_address_and_sign_out_when_signed_in():
    user = UserFactory(username="0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
    request = RequestFactory().get("/exchanges/")
    request.user = user

    html = render_to_string("governance/_user_menu.html", request=request)

    assert user.username in html
    assert 'action="/auth/sign-out/"' in html
    assert "csrfmiddlewaretoken" in html


def test_user_menu_links_to_sign_in_and_back_when_anonymous():
    request = RequestFactory().get("/exchanges/?type=amm_dex")
    request.user = AnonymousUser()

    html = render_to_string("governance/_user_menu.html", request=request)

    assert 'href="/sign-in/?next=/exchanges/%3Ftype%3Damm_dex"' in html


def test_a_page_that_needs_sign_in_says_why(client, db):
    response = client.get("/voting-power/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/sign-in/?next=/voting-power/")
    page = response.content.decode()
    assert 'data-testid="sign-in-reason"' in page
    assert "Sign in to see <code>/voting-power/</code>" in page


def test_on_the_dev_chain_the_sign_in_page_explains_the_wallet_setup(client, db, settings):
    from governance.chain.devchain import DEV_CHAIN_ID, demo_holders

    settings.ETH_CHAIN_ID = DEV_CHAIN_ID
    settings.ETH_RPC_URL = "http://127.0.0.1:8545"

    page = client.get("/sign-in/").content.decode()

    assert 'data-testid="dev-chain-help"' in page
    assert "http://127.0.0.1:8545" in page
    alice = demo_holders()["alice"]
    assert alice.address in page
    assert alice.private_key in page


def test_on_any_other_chain_no_keys_are_shown(client, db, settings):
    settings.ETH_CHAIN_ID = 1

    page = client.get("/sign-in/").content.decode()

    assert 'data-testid="dev-chain-help"' not in page
    assert "Private key" not in page
