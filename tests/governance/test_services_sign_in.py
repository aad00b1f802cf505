"""Sign-In with Ethereum: what signs in, what is refused and why, and that a nonce works once."""

from __future__ import annotations

import socket
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone
from eth_account import Account
from eth_account.messages import encode_defunct
from siwe import SiweMessage
from siwe.siwe import ISO8601Datetime

from governance.models import SignInNonce, Wallet
from governance.services.sign_in import (
    SignInAccountDisabled,
    SignInChainMismatch,
    SignInChainUnavailable,
    SignInDomainMismatch,
    SignInError,
    SignInMessageExpired,
    SignInMessageIssuedInFuture,
    SignInMessageMalformed,
    SignInMessageNotYetValid,
    SignInNonceExpired,
    SignInNonceNotForSession,
    SignInNonceUnknown,
    SignInNonceUsed,
    SignInSignatureInvalid,
    SignInUriMismatch,
    sign_in_nonce_issue,
    sign_in_nonces_purge,
    sign_in_verify,
)
from governance.tasks import sign_in_nonces_purge_task

pytestmark = pytest.mark.django_db

DOMAIN = "hub.example"
SESSION = "session-of-the-signer"


@pytest.fixture(autouse=True)
def _on_dev_chain(chain_settings):
    """EIP-1271 checks (and bad-signature fallbacks) go over HTTP to the dev chain."""
    return chain_settings


@pytest.fixture
def info(devchain):
    return devchain.chain.info


@pytest.fixture
def alice(info):
    return info.holders[0]


@pytest.fixture
def nonce():
    return sign_in_nonce_issue(session_key=SESSION)


def iso(moment: datetime) -> str:
    return str(ISO8601Datetime.from_datetime(moment))


def siwe_text(*, address: str, nonce: str, **overrides: object) -> str:
    """The message a wallet would sign on ``https://hub.example``, with overrides."""
    now = timezone.now()
    fields: dict[str, object] = {
        "domain": DOMAIN,
        "address": address,
        "statement": "Sign in to Connector Hub with your Ethereum wallet.",
        "uri": f"https://{DOMAIN}",
        "version": "1",
        "chain_id": 131277322940537,
        "nonce": nonce,
        "issued_at": iso(now),
        "expiration_time": iso(now + timedelta(minutes=10)),
    }
    fields.update(overrides)
    return SiweMessage(**fields).prepare_message()


def sign(text: str, private_key: str) -> str:
    return Account.sign_message(encode_defunct(text=text), private_key).signature.to_0x_hex()


def verify(text: str, signature: str, *, nonce_in_session: str | None, **kwargs: object):
    return sign_in_verify(
        message=text,
        signature=signature,
        domain=DOMAIN,
        scheme="https",
        nonce_in_session=nonce_in_session,
        **kwargs,
    )


def test_issued_nonce_is_random_alphanumeric_and_expires_after_ttl(settings):
    # when two nonces are issued
    before = timezone.now()
    first = sign_in_nonce_issue(session_key=SESSION)
    second = sign_in_nonce_issue(session_key=SESSION)

    # then they are long, alphanumeric, distinct, tied to the session and short-lived
    assert len(first.value) >= 16
    assert first.value.isalnum()
    assert first.value != second.value
    assert first.session_key == SESSION
    ttl = timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS)
    assert before + ttl <= first.expires_at <= timezone.now() + ttl
    assert first.used_at is None


def test_eoa_signature_signs_in_and_creates_user_and_wallet(alice, nonce):
    # given a message signed by alice's key
    text = siwe_text(address=alice.address, nonce=nonce.value)

    # when it is verified
    wallet = verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)

    # then alice has a user named after her checksummed address and an EOA wallet
    assert wallet.address == alice.address
    assert wallet.user.username == alice.address
    assert not wallet.user.has_usable_password()
    assert wallet.is_contract is False
    assert wallet.last_sign_in_at is not None
    # and the nonce is spent
    nonce.refresh_from_db()
    assert nonce.used_at is not None


def test_second_sign_in_reuses_the_user_and_records_the_time(alice):
    # given alice signed in once
    first = sign_in_nonce_issue(session_key=SESSION)
    text = siwe_text(address=alice.address, nonce=first.value)
    wallet = verify(text, sign(text, alice.private_key), nonce_in_session=first.value)

    # when she signs in again later with a new nonce
    later = timezone.now() + timedelta(minutes=1)
    second = sign_in_nonce_issue(session_key=SESSION)
    text = siwe_text(address=alice.address, nonce=second.value)
    again = verify(text, sign(text, alice.private_key), nonce_in_session=second.value, now=later)

    # then it is the same wallet and user, with the new sign-in time
    assert again.pk == wallet.pk
    assert again.user_id == wallet.user_id
    assert again.last_sign_in_at == later
    assert get_user_model().objects.filter(username=alice.address).count() == 1


def test_contract_wallet_signs_in_through_eip1271_on_chain(info, nonce):
    # given a message for the smart wallet, signed by its owner erin
    text = siwe_text(address=info.smart_wallet_address, nonce=nonce.value)
    signature = sign(text, info.smart_wallet_owner.private_key)

    # when it is verified (the contract is asked over HTTP)
    wallet = verify(text, signature, nonce_in_session=nonce.value)

    # then the contract's address signs in, marked as a contract wallet
    assert wallet.address == info.smart_wallet_address
    assert wallet.is_contract is True
    assert Wallet.objects.get(address=info.smart_wallet_address).is_contract is True


def test_contract_wallet_refuses_signature_of_someone_else(info, alice, nonce):
    # given a message for the smart wallet signed by alice, who does not own it
    text = siwe_text(address=info.smart_wallet_address, nonce=nonce.value)

    # then the contract says no
    with pytest.raises(SignInSignatureInvalid):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)
    assert not Wallet.objects.exists()


def test_signature_of_another_key_is_refused_and_nonce_stays_usable(info, alice, nonce):
    # given alice's message signed with bob's key
    text = siwe_text(address=alice.address, nonce=nonce.value)
    bob = info.holders[1]

    # then it is refused with a message naming the address
    with pytest.raises(SignInSignatureInvalid, match=alice.address):
        verify(text, sign(text, bob.private_key), nonce_in_session=nonce.value)

    # and nothing was written: alice can still sign in with the same nonce
    assert not Wallet.objects.exists()
    wallet = verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)
    assert wallet.address == alice.address


@pytest.mark.parametrize("signature", ["", "0x", "0xzz", "not hex", "0x" + "00" * 65, 12])
def test_garbage_signature_is_refused(alice, nonce, signature):
    text = siwe_text(address=alice.address, nonce=nonce.value)

    with pytest.raises(SignInSignatureInvalid):
        verify(text, signature, nonce_in_session=nonce.value)


def test_message_for_another_domain_is_refused(alice, nonce):
    # given a message made on a phishing site that relays our nonce
    text = siwe_text(address=alice.address, nonce=nonce.value, domain="hub.example.evil")

    with pytest.raises(SignInDomainMismatch, match=r"hub\.example\.evil"):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


@pytest.mark.parametrize(
    "uri",
    [
        "https://other.example",
        "http://hub.example",
        "https://hub.example:8443/",
        "ftp://hub.example",
    ],
)
def test_uri_outside_this_sites_origin_is_refused(alice, nonce, uri):
    text = siwe_text(address=alice.address, nonce=nonce.value, uri=uri)

    with pytest.raises(SignInUriMismatch):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_uri_with_a_path_on_this_site_is_accepted(alice, nonce):
    text = siwe_text(address=alice.address, nonce=nonce.value, uri="https://hub.example/sign-in/")

    assert verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_message_for_another_chain_is_refused(alice, nonce):
    text = siwe_text(address=alice.address, nonce=nonce.value, chain_id=1)

    with pytest.raises(SignInChainMismatch, match="chain id 1,"):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_expired_message_is_refused(alice, nonce):
    # given a message whose expiration time has passed
    now = timezone.now()
    text = siwe_text(
        address=alice.address,
        nonce=nonce.value,
        issued_at=iso(now - timedelta(minutes=5)),
        expiration_time=iso(now - timedelta(seconds=1)),
    )

    with pytest.raises(SignInMessageExpired):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_message_not_yet_valid_is_refused(alice, nonce):
    text = siwe_text(
        address=alice.address,
        nonce=nonce.value,
        not_before=iso(timezone.now() + timedelta(minutes=5)),
    )

    with pytest.raises(SignInMessageNotYetValid):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_message_issued_in_the_future_beyond_the_skew_is_refused(settings, alice, nonce):
    later = timezone.now() + timedelta(seconds=settings.SIWE_MAX_CLOCK_SKEW_SECONDS + 30)
    text = siwe_text(address=alice.address, nonce=nonce.value, issued_at=iso(later))

    with pytest.raises(SignInMessageIssuedInFuture):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_clock_slightly_ahead_within_the_skew_is_accepted(settings, alice, nonce):
    ahead = timezone.now() + timedelta(seconds=settings.SIWE_MAX_CLOCK_SKEW_SECONDS // 2)
    text = siwe_text(
        address=alice.address, nonce=nonce.value, issued_at=iso(ahead), not_before=iso(ahead)
    )

    assert verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_reused_nonce_signs_in_once(alice, nonce):
    # given a message that already signed in
    text = siwe_text(address=alice.address, nonce=nonce.value)
    signature = sign(text, alice.private_key)
    verify(text, signature, nonce_in_session=nonce.value)

    # when the same message is replayed
    with pytest.raises(SignInNonceUsed):
        verify(text, signature, nonce_in_session=nonce.value)


def test_nonce_issued_to_another_session_is_refused(alice, nonce):
    # given the session holds its own, newer nonce
    mine = sign_in_nonce_issue(session_key="another-session")
    text = siwe_text(address=alice.address, nonce=nonce.value)

    with pytest.raises(SignInNonceNotForSession):
        verify(text, sign(text, alice.private_key), nonce_in_session=mine.value)
    # and a session that never asked for a nonce cannot use one either
    with pytest.raises(SignInNonceNotForSession):
        verify(text, sign(text, alice.private_key), nonce_in_session=None)


def test_expired_nonce_is_refused(settings, alice):
    # given a nonce issued, and a message signed, a while ago
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        nonce = sign_in_nonce_issue(session_key=SESSION)
        text = siwe_text(
            address=alice.address,
            nonce=nonce.value,
            expiration_time=iso(start + timedelta(days=1)),
        )
        signature = sign(text, alice.private_key)

    # when it is posted after the nonce's lifetime
    later = start + timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS + 1)
    with time_machine.travel(later, tick=False), pytest.raises(SignInNonceExpired):
        verify(text, signature, nonce_in_session=nonce.value)


def test_unknown_nonce_is_refused(alice):
    # given a nonce the server never issued (or already purged)
    text = siwe_text(address=alice.address, nonce="NeverIssued12345678")

    with pytest.raises(SignInNonceUnknown):
        verify(text, sign(text, alice.private_key), nonce_in_session="NeverIssued12345678")


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda text: "hello", id="not-eip4361"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: text + "\n", id="trailing-newline"),
        pytest.param(lambda text: text.replace("Version: 1", "Version: 2"), id="version"),
        pytest.param(lambda text: text.replace("\n0x", "\n0X"), id="address-prefix"),
        pytest.param(lambda text: "x" * 5000, id="too-long"),
    ],
)
def test_malformed_message_is_refused(alice, nonce, mangle):
    text = mangle(siwe_text(address=alice.address, nonce=nonce.value))

    with pytest.raises(SignInMessageMalformed):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_address_not_checksummed_is_malformed(alice, nonce):
    text = siwe_text(address=alice.address, nonce=nonce.value).replace(
        alice.address, alice.address.lower()
    )

    with pytest.raises(SignInMessageMalformed):
        verify(text, sign(text, alice.private_key), nonce_in_session=nonce.value)


def test_contract_wallet_check_with_chain_down_says_try_again(settings, info, nonce):
    # given the RPC endpoint refuses connections
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.ETH_RPC_URL = f"http://127.0.0.1:{closed_port}"
    text = siwe_text(address=info.smart_wallet_address, nonce=nonce.value)
    signature = sign(text, info.smart_wallet_owner.private_key)

    with pytest.raises(SignInChainUnavailable, match="Try again"):
        verify(text, signature, nonce_in_session=nonce.value)
    nonce.refresh_from_db()
    assert nonce.used_at is None


def test_disabled_account_cannot_sign_in(alice):
    # given alice signed in once, then staff disabled her account
    first = sign_in_nonce_issue(session_key=SESSION)
    text = siwe_text(address=alice.address, nonce=first.value)
    wallet = verify(text, sign(text, alice.private_key), nonce_in_session=first.value)
    get_user_model().objects.filter(pk=wallet.user_id).update(is_active=False)

    # when she signs in again
    second = sign_in_nonce_issue(session_key=SESSION)
    text = siwe_text(address=alice.address, nonce=second.value)
    with pytest.raises(SignInAccountDisabled):
        verify(text, sign(text, alice.private_key), nonce_in_session=second.value)


def test_every_refusal_carries_a_code_and_a_message():
    for error_class in SignInError.__subclasses__():
        assert error_class.code != SignInError.code
    assert len({cls.code for cls in SignInError.__subclasses__()}) == len(
        SignInError.__subclasses__()
    )


def test_purge_deletes_expired_nonces_only(settings):
    # given a nonce issued long ago, one used long ago and a fresh one
    old_time = timezone.now() - timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS * 3)
    with time_machine.travel(old_time, tick=False):
        old = sign_in_nonce_issue(session_key=SESSION)
        old_used = sign_in_nonce_issue(session_key=SESSION)
    SignInNonce.objects.filter(pk=old_used.pk).update(used_at=old_time)
    fresh = sign_in_nonce_issue(session_key=SESSION)

    # when the beat task purges
    deleted = sign_in_nonces_purge_task()

    # then only the expired ones are gone
    assert deleted == 2
    assert list(SignInNonce.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not SignInNonce.objects.filter(pk__in=[old.pk, old_used.pk]).exists()
    assert sign_in_nonces_purge(now=fresh.expires_at) == 1


@pytest.mark.integration
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locking under concurrency needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_verifications_of_one_message_sign_in_once(alice):
    # given one signed message, committed so every thread's connection sees its nonce
    nonce = sign_in_nonce_issue(session_key=SESSION)
    text = siwe_text(address=alice.address, nonce=nonce.value)
    signature = sign(text, alice.private_key)
    start = threading.Barrier(10)
    outcomes: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            start.wait()
            try:
                result: object = verify(text, signature, nonce_in_session=nonce.value)
            except SignInError as exc:
                result = exc
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    # when ten threads verify it at once
    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then exactly one signs in, and the others are told the request was used
    wallets = [o for o in outcomes if isinstance(o, Wallet)]
    refusals = [o for o in outcomes if isinstance(o, SignInError)]
    assert len(outcomes) == 10
    assert len(wallets) == 1
    assert all(isinstance(r, SignInNonceUsed) for r in refusals), refusals
    assert Wallet.objects.count() == 1
