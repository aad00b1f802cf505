"""The API's JSON parser: DRF's, refusing JSON nested too deep before parsing it."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.signed_body import MAX_DEPTH, json_nested_deeper_than


class BoundedJSONParser(JSONParser):
    """No request body of this site nests deeper than ``MAX_DEPTH`` levels. Deeper JSON is
    refused with 400 before ``json.loads`` recurses into it, which could exhaust the stack
    (a 500, or a crashed process where a library raised the recursion limit)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        body = stream.read() if stream is not None else b""
        if json_nested_deeper_than(body, MAX_DEPTH):
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep.")
        return super().parse(io.BytesIO(body), media_type, parser_context)
