"""The one reader of signed JSON bodies: votes, proposals and wallet sign-in.

A signed body is a JSON object holding the signed message and its signature, e.g.
``{"typed_data": {...}, "signature": "0x..."}`` or ``{"message": "...", "signature": "0x..."}``.
Every endpoint that takes one reads it here, so each refuses a bad body the same way:

============================  ======  ==============================================
code                          status  when
============================  ======  ==============================================
``body_too_large``            413     declared or actual length over the limit
``unsupported_media_type``    415     a Content-Type other than JSON (forms, files)
``malformed_json``            400     not UTF-8 JSON, or nested deeper than allowed
``body_invalid``              400     JSON of the wrong shape (not the object, a field
                                      missing or of the wrong type)
============================  ======  ==============================================
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from django.http.request import RawPostDataException

from core.exceptions import ApplicationError

# Signed messages are a few levels deep (typed data: domain, types, message, choices);
# anything much deeper is not one. It is refused before ``json.loads`` sees it: the C parser
# recurses once per level, and under the recursion limit some libraries set (py_ecc, loaded
# with py-evm for the dev chain and the tests, sets 100,000) deeply nested brackets overflow
# the C stack and kill the process instead of raising RecursionError.
MAX_DEPTH = 32
JSON_MEDIA_TYPE = "application/json"
# A JSON string (or an unterminated one, to the end) or a bracket; linear, no backtracking.
_STRING_OR_BRACKET = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


class BodyRefused(ApplicationError):
    """A request body that cannot be read as the signed JSON object; nothing was done."""

    code = "body_invalid"
    http_status = 400


class BodyTooLarge(BodyRefused):
    code = "body_too_large"
    http_status = 413


class BodyUnsupportedMediaType(BodyRefused):
    code = "unsupported_media_type"
    http_status = 415


class BodyNotJson(BodyRefused):
    code = "malformed_json"


class BodyInvalid(BodyRefused):
    code = "body_invalid"


@dataclass(frozen=True)
class SignedBody:
    message: Any  # of ``message_type``
    signature: str
    data: dict[str, Any]  # the whole object, for optional fields such as sign-in's "next"


class _Request(Protocol):
    """Django's ``HttpRequest`` or DRF's ``Request``."""

    @property
    def META(self) -> dict[str, Any]: ...

    @property
    def body(self) -> bytes: ...


def signed_body(
    request: _Request,
    *,
    limit: int,
    message_field: str = "typed_data",
    message_type: type = dict,
) -> SignedBody:
    """The signed message and signature of ``request``'s JSON body of at most ``limit`` bytes.

    The declared length and the media type are checked before the body is read; then the
    actual length, the JSON and its shape. Raises a ``BodyRefused``.
    """
    declared = _declared_length(request.META.get("CONTENT_LENGTH"))
    if declared is not None and declared > limit:
        raise _too_large(declared, limit)
    media_type = (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if media_type and media_type != JSON_MEDIA_TYPE and not media_type.endswith("+json"):
        raise BodyUnsupportedMediaType(
            f"The body is sent as {media_type}; send it as JSON, with "
            f"Content-Type: {JSON_MEDIA_TYPE}. {_shape(message_field, message_type)}"
        )
    try:
        body = request.body
    except RawPostDataException:  # already read as a form: it was not JSON
        raise BodyUnsupportedMediaType(
            f"Send the body as JSON, with Content-Type: {JSON_MEDIA_TYPE}. "
            f"{_shape(message_field, message_type)}"
        ) from None
    return signed_body_parse(
        body, limit=limit, message_field=message_field, message_type=message_type
    )


def signed_body_parse(
    body: bytes,
    *,
    limit: int,
    message_field: str = "typed_data",
    message_type: type = dict,
) -> SignedBody:
    """``signed_body`` for bytes already read."""
    shape = _shape(message_field, message_type)
    if len(body) > limit:
        raise _too_large(len(body), limit)
    if json_nested_deeper_than(body, MAX_DEPTH):
        raise BodyNotJson(f"The body's JSON is nested more than {MAX_DEPTH} levels deep. {shape}")
    try:
        data = json.loads(body.decode("utf-8"))  # UTF-8 only, not json's UTF-16/32 guess
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BodyNotJson(f"The body is not valid UTF-8 JSON. {shape}") from None
    if not isinstance(data, dict):
        raise BodyInvalid(f"The body must be a JSON object. {shape}")
    missing = [field for field in (message_field, "signature") if field not in data]
    if missing:
        raise BodyInvalid(f"The body lacks {' and '.join(missing)}. {shape}")
    if not isinstance(data[message_field], message_type):
        raise BodyInvalid(f"{message_field} must be {_kind(message_type)}. {shape}")
    if not isinstance(data["signature"], str):
        raise BodyInvalid(f"signature must be 0x-hex text. {shape}")
    return SignedBody(message=data[message_field], signature=data["signature"], data=data)


def _declared_length(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _too_large(size: int, limit: int) -> BodyTooLarge:
    return BodyTooLarge(f"The body is {size:,} bytes; at most {limit:,} are accepted.")


def _shape(message_field: str, message_type: type) -> str:
    example = "{...}" if message_type is dict else '"..."'
    return f'Send {{"{message_field}": {example}, "signature": "0x..."}} as JSON.'


def _kind(message_type: type) -> str:
    return "a JSON object" if message_type is dict else "text"


def json_nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether ``body`` opens more than ``limit`` brackets at once outside strings: at least
    as deep as any JSON parser would recurse into it before accepting or refusing it."""
    depth = 0
    for token in _STRING_OR_BRACKET.finditer(body):
        first = token.group()[:1]
        if first in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif first in (b"]", b"}"):
            depth -= 1
    return False
