"""Wallet sign-in pages and endpoints (Sign-In with Ethereum, EIP-4361).

The browser asks for a nonce, builds the message, has the wallet sign it and posts it back;
the rules live in ``governance.services.sign_in``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from siwe.siwe import ISO8601Datetime

from core.signed_body import BodyRefused, signed_body
from governance.chain.balances import checksum
from governance.selectors import voting_power_for_user
from governance.services.sign_in import SignInError, sign_in_nonce_issue, sign_in_verify

SESSION_NONCE_KEY = "siwe_nonce"
# A sign-in body is a message of at most 1 KiB and a signature; 16 KiB leaves room for a
# contract wallet's longer signature and nothing more.
MAX_SIGN_IN_BODY_BYTES = 16 * 1024
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_GET
def sign_in_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "governance/sign_in.html",
        {
            "next": _safe_next(request, request.GET.get("next")),
            "asked_for": request.GET.get("next", ""),
            "chain_id": settings.ETH_CHAIN_ID,
            "nonce_minutes": settings.SIWE_NONCE_TTL_SECONDS // 60,
            "dev_chain": _dev_chain_help(),
        },
    )


def _dev_chain_help() -> dict[str, object] | None:
    """On the local dev chain only: how to add it to a wallet, and its demo holders (their
    keys are eth-tester's public test keys, funded on the dev chain and nowhere else)."""
    from governance.chain.devchain import DEV_CHAIN_ID, demo_holders

    if settings.ETH_CHAIN_ID != DEV_CHAIN_ID:
        return None
    return {"rpc_url": settings.ETH_RPC_URL, "holders": list(demo_holders().values())}


@never_cache
@require_GET
def sign_in_nonce(request: HttpRequest) -> JsonResponse:
    """A fresh nonce for this browser session, and the other fields the message must carry.

    With ``?address=``, the address is also returned EIP-55 checksummed, since some wallets
    answer in lower case and the message must carry the checksummed form.
    """
    address = None
    if "address" in request.GET:
        try:
            address = checksum(request.GET["address"])
        except ValueError:
            return _error(
                "The wallet's address is not an Ethereum address (0x and 40 hex digits).",
                code="address_invalid",
            )
    if request.session.session_key is None:
        request.session.save()
    nonce = sign_in_nonce_issue(session_key=request.session.session_key or "")
    request.session[SESSION_NONCE_KEY] = nonce.value
    body: dict[str, Any] = {
        "nonce": nonce.value,
        "domain": request.get_host(),
        "uri": f"{request.scheme}://{request.get_host()}",
        "chain_id": settings.ETH_CHAIN_ID,
        "statement": settings.SIWE_STATEMENT,
        "issued_at": _iso(timezone.now()),
        "expiration_time": _iso(nonce.expires_at),
    }
    if address is not None:
        body["address"] = address
    return JsonResponse(body)


@never_cache
@require_POST
def sign_in(request: HttpRequest) -> JsonResponse:
    """Verify a signed message and log its wallet's user in. CSRF-protected like any POST.

    The body is ``{"message": "...", "signature": "0x...", "next": "/path"}`` (``next``
    optional), read by the same reader as votes and proposals, with the same refusals.
    """
    try:
        body = signed_body(
            request, limit=MAX_SIGN_IN_BODY_BYTES, message_field="message", message_type=str
        )
    except BodyRefused as exc:
        return _error(exc.message, code=exc.code, status=exc.http_status)
    try:
        wallet = sign_in_verify(
            message=body.message,
            signature=body.signature,
            domain=request.get_host(),
            scheme=request.scheme,
            nonce_in_session=request.session.get(SESSION_NONCE_KEY),
        )
    except SignInError as exc:
        return _error(exc.message, code=exc.code, status=exc.http_status)
    request.session.pop(SESSION_NONCE_KEY, None)
    login(request, wallet.user, backend=AUTH_BACKEND)
    next_value = body.data.get("next")
    return JsonResponse(
        {
            "address": wallet.address,
            "next": _safe_next(request, next_value if isinstance(next_value, str) else None),
        }
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponseRedirect:
    logout(request)
    return HttpResponseRedirect("/")


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another origin."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def _iso(moment: datetime) -> str:
    return str(ISO8601Datetime.from_datetime(moment))


def _error(message: str, *, code: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=status)


def voting_power(request: HttpRequest) -> HttpResponse:
    """A signed-in holder's HBOT voting power now (at the latest final block)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("governance:sign-in"))
    power = voting_power_for_user(user=request.user)
    status = 503 if power.error else 200
    return render(request, "governance/voting_power.html", {"power": power}, status=status)
