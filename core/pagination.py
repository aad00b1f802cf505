"""Pagination for the public API: page numbers, a client-chosen page size with a ceiling.

A page or page size that is not a whole number in range is a 400 that says what is allowed
(DRF would quietly use the default size, or answer 404 for ``page=0``); a page past the last
one is a 404. The schema declares the same bounds.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int | None:
        size = _whole_number(request, self.page_size_query_param, 1, self.max_page_size)
        return self.page_size if size is None else size

    def get_page_number(self, request: Request, paginator: Any) -> int | str:
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return int(paginator.num_pages)
        number = _whole_number(request, self.page_query_param, 1, None)
        return 1 if number is None else number

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["schema"]["default"] = self.page_size
        return parameters


def _whole_number(request: Request, name: str, low: int, high: int | None) -> int | None:
    """The query parameter ``name`` as an int in ``[low, high]``, None when absent."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    allowed = f"a whole number from {low}" + (f" to {high}" if high is not None else " up")
    if len(values) > 1:
        raise ValidationError({name: [f"Give {name} once, as {allowed}."]})
    try:
        number = int(values[0])
    except ValueError:
        raise ValidationError({name: [f"{name} must be {allowed}."]}) from None
    if number < low or (high is not None and number > high):
        raise ValidationError({name: [f"{name} must be {allowed}."]})
    return number
