"""The envelope and error-body helpers the bundled connectors share."""

from __future__ import annotations

import pytest

from health.connectors.base import ProbeError, raise_code_msg_error, unwrap_envelope


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
