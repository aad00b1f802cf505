"""What every governance endpoint shares: the refusal shape (signed bodies are read by
``core.signed_body``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.signed_body import BodyRefused
from governance.services.errors import GovernanceError


def refusal(exc: GovernanceError | BodyRefused, *, rollback: bool = True) -> Response:
    """``{"error", "code"}`` with the refusal's status; the request's transaction is rolled
    back (``rollback``), so a refused write leaves nothing behind."""
    if rollback:
        set_rollback()
    body: dict[str, Any] = {"error": exc.message, "code": exc.code}
    if exc.extra.get("fields"):
        body["fields"] = exc.extra["fields"]
    return Response(body, status=exc.http_status)


class GovernanceErrorsMixin:
    """Answer governance refusals, unreadable signed bodies and DRF's own errors
    (authentication, permissions, validation, not found) in the same ``{"error", "code"}``
    shape.

    A view outside the request's transaction sets ``in_request_transaction = False``: its
    service keeps its own writes atomic, and there is no request transaction to roll back.
    """

    in_request_transaction = True

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, GovernanceError | BodyRefused):
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
