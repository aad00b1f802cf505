"""What every governance endpoint shares: the refusal shape and the signed-body reader."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from governance.services.errors import GovernanceError


class BodyTooLarge(GovernanceError):
    code = "body_too_large"
    http_status = 413


class BodyNotJson(GovernanceError):
    code = "malformed_json"


def refusal(exc: GovernanceError, *, rollback: bool = True) -> Response:
    """``{"error", "code"}`` with the refusal's status; the request's transaction is rolled
    back (``rollback``), so a refused write leaves nothing behind."""
    if rollback:
        set_rollback()
    body: dict[str, Any] = {"error": exc.message, "code": exc.code}
    if exc.extra.get("fields"):
        body["fields"] = exc.extra["fields"]
    return Response(body, status=exc.http_status)


class GovernanceErrorsMixin:
    """Answer governance refusals and DRF's own errors (authentication, permissions,
    validation, not found) in the same ``{"error", "code"}`` shape.

    A view outside the request's transaction sets ``in_request_transaction = False``: its
    service keeps its own writes atomic, and there is no request transaction to roll back.
    """

    in_request_transaction = True

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, GovernanceError):
            return refusal(exc, rollback=self.in_request_transaction)
        if isinstance(exc, Http404):
            exc = exceptions.NotFound(str(exc) or "Not found.")
        response: Response = super().handle_exception(exc)  # type: ignore[misc]
        if isinstance(exc, exceptions.APIException) and isinstance(response.data, dict):
            detail = exc.detail
            if isinstance(detail, dict | list):
                response.data = {
                    "error": "The request is not valid; see fields.",
                    "code": "invalid",
                    "fields": detail,
                }
            else:
                response.data = {"error": str(detail), "code": str(exc.get_codes())}
        return response


def signed_body(
    request: Request, *, refuse: type[GovernanceError], limit: int | None = None
) -> tuple[object, str]:
    """``(typed_data, signature)`` from a JSON body of at most ``limit`` bytes (default
    ``VOTE_MAX_BODY_BYTES``).

    The declared length is checked before anything is read; ``refuse`` is the refusal for
    a body of the wrong shape.
    """
    limit = settings.VOTE_MAX_BODY_BYTES if limit is None else limit
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge(f"The body is {declared:,} bytes; at most {limit:,} are accepted.")
    body = request.body
    if len(body) > limit:
        raise BodyTooLarge(f"The body is {len(body):,} bytes; at most {limit:,} are accepted.")
    shape = 'Send {"typed_data": {...}, "signature": "0x..."} as JSON.'
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BodyNotJson(f"The body is not valid JSON. {shape}") from None
    if not isinstance(data, dict) or "typed_data" not in data or "signature" not in data:
        raise refuse(f"The body lacks typed_data or signature. {shape}")
    if not isinstance(data["signature"], str):
        raise refuse("The signature must be 0x-hex text.")
    return data["typed_data"], data["signature"]
