"""The OpenAPI schema says every status the API answers, not only the successful one.

drf-spectacular documents what each view declares. Refusals that come from the framework
rather than the view (no such object, bad input, not signed in, not allowed, too many
requests) are added here to every operation they can happen on, in the one error shape
(``core.serializers.ErrorSerializer``), unless the view documents them itself.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from core.serializers import ErrorSerializer

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


# Query strings holding a NUL byte are refused (core.middleware.RefuseNulBytesMiddleware).
NO_NUL_PATTERN = "^[^\\x00]*$"


class AutoSchema(SpectacularAutoSchema):
    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        choice_filters = self._choice_filter_names()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query":
                continue
            if parameter["name"] in choice_filters and "" not in schema.get("enum", [""]):
                schema["enum"] = [*schema["enum"], ""]  # empty means any, as on the pages
            elif schema.get("type") == "string" and not {"enum", "pattern", "format"} & set(schema):
                schema["pattern"] = NO_NUL_PATTERN
        return parameters

    def _choice_filter_names(self) -> set[str]:
        filterset_class = getattr(self.view, "filterset_class", None)
        if filterset_class is None or self.method != "GET":
            return set()
        return {
            name
            for name, field in filterset_class.base_filters.items()
            if isinstance(field, django_filters.ChoiceFilter)
        }

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._framework_refusals():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=description), code
                )
        return responses

    def _framework_refusals(self) -> list[tuple[str, str]]:
        refusals = []
        if self.method in WRITE_METHODS or self._takes_query_parameters():
            refusals.append(("400", "The request is not valid; `fields` says why per field."))
        if not self._allows_anyone():
            refusals.append(("403", "Not signed in, or not allowed to do this."))
        if "{" in self.path:
            refusals.append(("404", "No such object."))
        elif self._is_list_view() and self._get_paginator():
            refusals.append(("404", "No such page: `page` is past the last one."))
        if self.view.get_throttles():
            refusals.append(("429", "Too many requests; try again after Retry-After seconds."))
        return refusals

    def _takes_query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _allows_anyone(self) -> bool:
        """Whether an anonymous request with this method passes the view's permissions."""
        request = Request(APIRequestFactory().generic(self.method, self.path))
        request.user = AnonymousUser()
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission that needs more than a bare request: say 403
            return False
