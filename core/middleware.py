"""Requests carrying a NUL byte are refused before any view runs.

PostgreSQL cannot store or compare text holding NUL (0x00): a NUL that reached a query
(a slug in the path, a filter value, a session cookie) raised ``DataError``, a 500.
A path with NUL names nothing (404); a query string or cookie with NUL is a bad request
(400). API paths answer in the API's ``{"error", "code"}`` shape, pages with the site's
error pages.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from core.api_errors import error_body, is_api_request

NUL = "\x00"


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info or NUL in request.path:
            return self.refuse(request, 404, "not_found", "Not found.")
        if NUL in unquote_plus(request.META.get("QUERY_STRING", "")):
            return self.refuse(request, 400, "invalid", "The query string contains a NUL byte.")
        if any(NUL in name or NUL in value for name, value in request.COOKIES.items()):
            return self.refuse(request, 400, "invalid", "A cookie contains a NUL byte.")
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        if is_api_request(request):
            return JsonResponse(error_body(message, code), status=status)
        if status == 404:
            raise Http404(message)
        raise BadRequest(message)
