"""The envelope and error-body helpers the bundled connectors share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from health.connectors.base import (
    ProbeError,
    _decode_response,
    _retry_after_seconds,
    raise_code_msg_error,
    unwrap_envelope,
)


def _okx_style(payload: object) -> object:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("code") == "0", message_key="msg"
    )


def test_envelope_that_is_ok_is_returned_whole():
    # given an envelope whose status says ok
    payload = {"code": "0", "msg": "", "data": [{"ts": "1"}]}

    # then it comes back as it is
    assert _okx_style(payload) is payload


def test_envelope_that_is_not_ok_is_an_exchange_error_quoting_its_message():
    # when the status says the request failed
    with pytest.raises(ProbeError) as raised:
        _okx_style({"code": "51001", "msg": "Instrument ID does not exist"})

    # then the reason quotes the exchange's own message
    assert raised.value.reason == "exchange error: Instrument ID does not exist"


def test_envelope_without_a_message_quotes_the_whole_answer():
    with pytest.raises(ProbeError) as raised:
        _okx_style({"code": "1"})

    assert raised.value.reason == "exchange error: {'code': '1'}"


@pytest.mark.parametrize("payload", [["not", "an", "envelope"], "busy", None])
def test_answer_that_is_not_an_envelope_is_an_exchange_error(payload):
    with pytest.raises(ProbeError) as raised:
        _okx_style(payload)

    assert raised.value.reason == f"exchange error: {payload}"


def test_code_and_msg_body_is_an_exchange_error():
    with pytest.raises(ProbeError) as raised:
        raise_code_msg_error({"code": -1121, "msg": "Invalid symbol."})

    assert raised.value.reason == "exchange error -1121: Invalid symbol."


@pytest.mark.parametrize("payload", [{"serverTime": 1}, {"code": 0}, {"msg": "x"}, [1, 2]])
def test_answer_without_code_and_msg_passes(payload):
    raise_code_msg_error(payload)


def _answer(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    response._content = b'{"code": -1003, "msg": "Too many requests"}'
    return response


@pytest.mark.parametrize(
    ("status", "headers", "reason"),
    [
        (429, {"Retry-After": "7"}, "rate limited by the exchange, retry after 7 s"),
        (429, {}, "rate limited by the exchange (no Retry-After given)"),
        (418, {"Retry-After": "3600"}, "IP banned by the exchange, retry after 3600 s"),
        (418, {"Retry-After": "soon"}, "IP banned by the exchange (no Retry-After given)"),
    ],
)
def test_rate_limit_and_ip_ban_say_what_happened_and_when_to_retry(status, headers, reason):
    with pytest.raises(ProbeError) as raised:
        _decode_response(_answer(status, headers), method="GET", path="/api/v3/time")

    assert raised.value.reason == f"GET /api/v3/time answered HTTP {status}: {reason}"


def test_retry_after_as_an_http_date_is_seconds_from_now():
    when = datetime.now(tz=UTC) + timedelta(seconds=90)

    seconds = _retry_after_seconds(format_datetime(when, usegmt=True))

    assert seconds is not None
    assert 88 <= seconds <= 91
    assert _retry_after_seconds(format_datetime(when - timedelta(hours=1), usegmt=True)) == 0
