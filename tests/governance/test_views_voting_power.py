"""The voting power page: a signed-in holder's HBOT balance at the latest final block."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.models import Wallet
from governance.units import token_amount
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder_client(client, devchain):
    bob = devchain.chain.info.holders[1]
    user = UserFactory(username=bob.address)
    Wallet.objects.create(address=bob.address, user=user)
    client.force_login(user)
    return client


def test_visitor_is_sent_to_sign_in(client):
    response = client.get("/voting-power/")

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/voting-power/"


def test_holder_sees_balance_at_latest_final_block(holder_client, chain_settings):
    body = holder_client.get("/voting-power/").content.decode()

    assert "2,250,000" in body
    assert "latest final block" in body


def test_account_without_wallet_is_told_to_sign_in_with_one(client, chain_settings):
    client.force_login(UserFactory())

    body = client.get("/voting-power/").content.decode()

    assert "This account has no wallet" in body


def test_unreachable_chain_gives_clear_message(holder_client, chain_settings):
    chain_settings.ETH_RPC_URL = "http://127.0.0.1:9"

    response = holder_client.get("/voting-power/")

    assert response.status_code == 503
    assert "could not be reached" in response.content.decode()


@pytest.mark.parametrize(
    ("units", "text"),
    [
        (0, "0"),
        (10**18, "1"),
        (15 * 10**17, "1.5"),
        (1234567 * 10**18 + 1, "1,234,567.000000000000000001"),
    ],
)
def test_token_amount_is_exact(units, text):
    assert token_amount(units, 18, grouping=True) == text


@given(st.integers(min_value=0, max_value=2**256 - 1))
def test_token_amount_round_trips(units):
    whole, _, fraction = token_amount(units, 18).partition(".")
    assert int(whole) * 10**18 + int(fraction.ljust(18, "0") or 0) == units
