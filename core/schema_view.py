"""The OpenAPI schema, generated once per process instead of on every request.

Generating it walks every view and serializer (1-3 s, 13 s for the docs page on a loaded
machine). The schema only changes with the code, so each process builds it on the first
request (per API version) and serves that copy until it exits; a deploy starts new
processes. A change of settings in tests drops the copy.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.signals import setting_changed
from django.dispatch import receiver
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


class PrecomputedSpectacularAPIView(SpectacularAPIView):
    built: ClassVar[dict[str | None, dict[str, Any]]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        schema = self.built.get(version)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generator.get_schema(request=request, public=self.serve_public)
            self.built[version] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )


@receiver(setting_changed)
def _forget_the_schema(**kwargs: Any) -> None:
    PrecomputedSpectacularAPIView.built.clear()
