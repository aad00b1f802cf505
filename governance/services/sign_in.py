"""Sign-In with Ethereum (EIP-4361): single-use nonces and verifying a signed sign-in message.

A message is accepted only when it was made for this site (domain, URI origin, chain id),
carries the nonce this browser session was given, is inside its validity window, and is
signed by its address: an EOA signature, or an EIP-1271 contract wallet that says so
on-chain. The nonce is consumed with a conditional update, so one message signs in once.
"""

from __future__ import annotations

import logging
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from eth_account.messages import encode_defunct
from siwe import SiweMessage
from siwe.siwe import ISO8601Datetime

from core.exceptions import ApplicationError
from governance.chain.signatures import SignatureCheckUnavailable, SignatureInvalid, signer_verify
from governance.models import SignInNonce, Wallet

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

NONCE_LENGTH = 24
NONCE_ALPHABET = string.ascii_letters + string.digits
# Our messages are about 400 characters. The reference ABNF parser slows down sharply on long
# input, so anything longer than this is refused before it is parsed.
MAX_MESSAGE_LENGTH = 1024


class SignInError(ApplicationError):
    """A sign-in was refused; ``message`` says why in words the user can act on."""

    code = "sign_in_failed"
    http_status = 400


class SignInMessageMalformed(SignInError):
    code = "message_malformed"


class SignInDomainMismatch(SignInError):
    code = "domain_mismatch"


class SignInUriMismatch(SignInError):
    code = "uri_mismatch"


class SignInChainMismatch(SignInError):
    code = "chain_mismatch"


class SignInNonceUnknown(SignInError):
    code = "nonce_unknown"


class SignInNonceNotForSession(SignInError):
    code = "nonce_not_for_session"


class SignInNonceUsed(SignInError):
    code = "nonce_used"


class SignInNonceExpired(SignInError):
    code = "nonce_expired"


class SignInMessageExpired(SignInError):
    code = "message_expired"


class SignInMessageNotYetValid(SignInError):
    code = "message_not_yet_valid"


class SignInMessageIssuedInFuture(SignInError):
    code = "message_issued_in_future"


class SignInSignatureInvalid(SignInError):
    code = "signature_invalid"


class SignInChainUnavailable(SignInError):
    """The chain could not be asked whether a contract wallet signed; trying again may work."""

    code = "chain_unavailable"
    http_status = 503


class SignInAccountDisabled(SignInError):
    code = "account_disabled"


@dataclass(frozen=True)
class _Proof:
    address: str
    is_contract: bool


def sign_in_nonce_issue(*, session_key: str) -> SignInNonce:
    """A fresh random nonce for one sign-in attempt from the browser session ``session_key``."""
    nonce = SignInNonce(
        value="".join(secrets.choice(NONCE_ALPHABET) for _ in range(NONCE_LENGTH)),
        session_key=session_key,
        expires_at=timezone.now() + timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS),
    )
    nonce.full_clean()
    nonce.save()
    return nonce


def sign_in_verify(
    *,
    message: str,
    signature: str,
    domain: str,
    nonce_in_session: str | None,
    scheme: str | None = None,
    now: datetime | None = None,
) -> Wallet:
    """The wallet a signed EIP-4361 message proves, creating its user on first sign-in.

    ``domain`` is the request's host (with port, if any) and ``scheme`` its scheme; the
    message must name exactly these. Raises a ``SignInError`` subclass on any refusal, and
    then nothing is written: the nonce stays usable for a correct retry.
    """
    now = now or timezone.now()
    siwe = _message_parse(message)
    _check_site(siwe, domain=domain, scheme=scheme)
    _check_nonce(siwe.nonce, nonce_in_session=nonce_in_session, now=now)
    _check_validity_window(siwe, now=now)
    proof = _signature_check(siwe, signature=signature)

    with transaction.atomic():
        consumed = SignInNonce.objects.filter(
            value=siwe.nonce, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if consumed != 1:
            # Someone used it (or it expired) between the check above and now.
            _check_nonce(siwe.nonce, nonce_in_session=nonce_in_session, now=now)
            raise SignInNonceUsed("This sign-in request was already used. Start again.")
        wallet = _wallet_record(proof=proof, now=now)
        if not wallet.user.is_active:
            raise SignInAccountDisabled(
                "The account of this wallet is disabled. Contact the Connector Hub staff."
            )
    return wallet


def sign_in_nonces_purge(*, now: datetime | None = None) -> int:
    """Delete expired nonces, used or not: an expired nonce can never sign in again."""
    deleted, _ = SignInNonce.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _message_parse(text: str) -> SiweMessage:
    if not isinstance(text, str) or not text:
        raise SignInMessageMalformed("The sign-in message is missing.")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise SignInMessageMalformed(
            f"The sign-in message is too long ({len(text)} characters; at most "
            f"{MAX_MESSAGE_LENGTH})."
        )
    try:
        # The regular-expression parser rejects junk cheaply; the ABNF one is the reference.
        SiweMessage.from_message(text, abnf=False)
        siwe = SiweMessage.from_message(text)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        raise SignInMessageMalformed(
            "The sign-in message is not a valid Sign-In with Ethereum (EIP-4361) message."
        ) from exc
    if siwe.prepare_message() != text:
        # What is verified must be byte for byte what the wallet showed and signed.
        raise SignInMessageMalformed("The sign-in message is not in the canonical EIP-4361 layout.")
    return siwe


def _check_site(siwe: SiweMessage, *, domain: str, scheme: str | None) -> None:
    if siwe.domain != domain or (siwe.scheme and scheme and siwe.scheme != scheme):
        raise SignInDomainMismatch(
            f"The message asks to sign in to {siwe.domain}, but this site is {domain}. "
            "Only sign messages that name the site you are on."
        )
    uri = urlsplit(siwe.uri)
    expected_schemes = {scheme} if scheme else {"http", "https"}
    if uri.scheme not in expected_schemes or uri.netloc != domain:
        expected = f"{scheme}://{domain}" if scheme else domain
        raise SignInUriMismatch(
            f"The message's URI ({siwe.uri}) is not on this site ({expected}). Start again."
        )
    if siwe.chain_id != settings.ETH_CHAIN_ID:
        raise SignInChainMismatch(
            f"The message is for chain id {siwe.chain_id}, but this site uses chain id "
            f"{settings.ETH_CHAIN_ID}. Switch your wallet's network and start again."
        )


def _check_nonce(value: str, *, nonce_in_session: str | None, now: datetime) -> None:
    if not nonce_in_session:
        raise SignInNonceNotForSession(
            "No sign-in was started in this browser session, or it was already used. Start again."
        )
    if not secrets.compare_digest(value.encode(), nonce_in_session.encode()):
        raise SignInNonceNotForSession(
            "This sign-in message was not issued to this browser session (a newer one may "
            "have been started in another tab). Start again."
        )
    nonce = SignInNonce.objects.filter(value=value).first()
    if nonce is None:
        raise SignInNonceUnknown("This sign-in request is unknown or too old. Start again.")
    if nonce.used_at is not None:
        raise SignInNonceUsed("This sign-in request was already used. Start again.")
    if nonce.expires_at <= now:
        raise SignInNonceExpired(
            "This sign-in request has expired: sign within "
            f"{settings.SIWE_NONCE_TTL_SECONDS // 60} minutes of starting. Start again."
        )


def _check_validity_window(siwe: SiweMessage, *, now: datetime) -> None:
    skew = timedelta(seconds=settings.SIWE_MAX_CLOCK_SKEW_SECONDS)
    if siwe.expiration_time is not None and now >= _moment(siwe.expiration_time):
        raise SignInMessageExpired("This sign-in message has expired. Start again.")
    if siwe.not_before is not None and now + skew < _moment(siwe.not_before):
        raise SignInMessageNotYetValid(
            f"This sign-in message is not valid before {siwe.not_before}. "
            "Check your computer's clock and start again."
        )
    if now + skew < _moment(siwe.issued_at):
        raise SignInMessageIssuedInFuture(
            f"This sign-in message says it was issued at {siwe.issued_at}, which is in the "
            "future. Check your computer's clock and start again."
        )


def _moment(value: ISO8601Datetime) -> datetime:
    moment: datetime = value._datetime
    if timezone.is_naive(moment):
        raise SignInMessageMalformed(f"The time {value} in the sign-in message has no offset.")
    return moment


def _signature_check(siwe: SiweMessage, *, signature: str) -> _Proof:
    """EOA signature first (no network); otherwise ask the address itself (EIP-1271)."""
    signable = encode_defunct(text=siwe.prepare_message())
    try:
        is_contract = signer_verify(address=siwe.address, signable=signable, signature=signature)
    except SignatureInvalid:
        raise SignInSignatureInvalid(
            f"The signature does not prove that {siwe.address} signed this message. "
            "Sign with that wallet and try again."
        ) from None
    except SignatureCheckUnavailable:
        raise SignInChainUnavailable(
            "Could not check a contract wallet signature on-chain just now. Try again in a minute."
        ) from None
    return _Proof(address=siwe.address, is_contract=is_contract)


def _wallet_record(*, proof: _Proof, now: datetime) -> Wallet:
    wallet = Wallet.objects.select_related("user").filter(address=proof.address).first()
    if wallet is None:
        user = _user_get_or_create(username=proof.address)
        try:
            with transaction.atomic():
                wallet = Wallet(address=proof.address, user=user)
                wallet.full_clean(validate_unique=False)
                wallet.save()
        except IntegrityError:
            # A first sign-in of the same address with another nonce won the race.
            wallet = Wallet.objects.select_related("user").get(address=proof.address)
    wallet.is_contract = proof.is_contract
    wallet.last_sign_in_at = now
    wallet.save(update_fields=["is_contract", "last_sign_in_at"])
    return wallet


def _user_get_or_create(*, username: str) -> User:
    user_model = get_user_model()
    existing = user_model._default_manager.filter(username=username).first()
    if existing is not None:
        return existing
    user = user_model(username=username)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        return user_model._default_manager.get(username=username)
    return user
