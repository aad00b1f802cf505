"""One shape for every refusal the API answers.

``{"error": <a sentence to show>, "code": <a stable code>, "fields": {...}}`` (``fields`` only
when input was wrong field by field; ``rows`` only for a rejected CSV file). It covers:

- ``ApplicationError`` raised by a service (its ``code`` and ``http_status``);
- DRF's own refusals: validation, authentication, permission, not found, method, parse,
  media type, throttling (``Retry-After`` is kept);
- Django's refusals before any API view runs (no URL matched, a server error), through
  ``handler404``/``handler500`` for paths under ``/api/``.

A refused write in the request's transaction (``ATOMIC_REQUESTS``) is rolled back, so it
leaves nothing behind; views marked ``non_atomic_requests`` keep their own transactions.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.exceptions import ApplicationError

INVALID_MESSAGE = "The request is not valid; see fields."
API_PREFIX = "/api/"


def error_body(
    message: str, code: str, *, fields: Any = None, rows: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message, "code": code}
    if fields:
        body["fields"] = fields
    if rows:
        body["rows"] = rows
    return body


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """``REST_FRAMEWORK["EXCEPTION_HANDLER"]``: every refusal in the one shape."""
    if isinstance(exc, ApplicationError):
        _rollback_request_transaction(context)
        rows = exc.extra.get("rows")
        return Response(
            error_body(
                exc.message,
                exc.code,
                fields=exc.extra.get("fields"),
                rows=[str(row) for row in rows] if isinstance(rows, list) else None,
            ),
            status=exc.http_status,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    response.data = _api_exception_body(exc)
    return response


def _api_exception_body(exc: exceptions.APIException) -> dict[str, Any]:
    detail = exc.detail
    if isinstance(detail, dict):
        return error_body(INVALID_MESSAGE, "invalid", fields=detail)
    if isinstance(detail, list):
        return error_body(INVALID_MESSAGE, "invalid", fields={"non_field_errors": detail})
    code = detail.code if isinstance(detail, exceptions.ErrorDetail) and detail.code else "error"
    return error_body(str(detail), str(code))


def _rollback_request_transaction(context: dict[str, Any]) -> None:
    """Mark the request's transaction for rollback, as DRF does for its own refusals."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if not getattr(getattr(match, "func", None), "_non_atomic_requests", None):
        set_rollback()


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: API paths answer in the API's shape, pages with the site's 404 page."""
    if is_api_request(request):
        return JsonResponse(error_body("Not found.", "not_found"), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: API paths answer in the API's shape, pages with the site's 500 page."""
    if is_api_request(request):
        return JsonResponse(
            error_body("The server failed to answer; the error was logged.", "server_error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    return defaults.server_error(request)
