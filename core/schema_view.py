"""The OpenAPI schema, built once per deploy or once per process, never per request.

Generating it walks every view and serializer (1-3 s, 13 s for the docs page on a loaded
machine). The schema only changes with the code, so a deploy writes it once with
drf-spectacular's own command (``manage.py spectacular --format openapi-json --file F``) and
``API_SCHEMA_FILE=F`` serves that file; without it (``make run``, tests) each process builds
the schema on its first request (per API version) and keeps that copy until it exits. A
configured file that is missing or unreadable is logged and the schema is built instead. A
change of settings in tests drops the copy.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

logger = logging.getLogger(__name__)


class PrecomputedSpectacularAPIView(SpectacularAPIView):
    built: ClassVar[dict[str | None, dict[str, Any]]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        version = self.api_version or request.version or self._get_version_parameter(request)
        schema = self.built.get(version)
        if schema is None and version is None and settings.API_SCHEMA_FILE:
            schema = _schema_from_file(Path(settings.API_SCHEMA_FILE))
            if schema is not None:
                self.built[version] = schema
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


def _schema_from_file(path: Path) -> dict[str, Any] | None:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        logger.warning(
            "API_SCHEMA_FILE %s cannot be served (%s); building the schema instead. Write it "
            "at deploy with: manage.py spectacular --format openapi-json --file %s",
            path,
            exc,
            path,
        )
        return None
    if not isinstance(schema, dict) or "openapi" not in schema:
        logger.warning("API_SCHEMA_FILE %s is not an OpenAPI document; building it instead", path)
        return None
    return schema


@receiver(setting_changed)
def _forget_the_schema(**kwargs: Any) -> None:
    PrecomputedSpectacularAPIView.built.clear()
