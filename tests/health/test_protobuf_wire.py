"""MEXC's protobuf frames: what the simulator encodes, the connector decodes."""

import pytest

from health.connectors import protobuf_wire


def test_depth_frame_round_trips():
    frame = protobuf_wire.encode_depths_push(
        channel="spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT",
        symbol="BTCUSDT",
        send_time=1755973885809,
        bids=[{"price": "114838.84", "quantity": "0.000101"}],
        asks=[{"price": "115198.74", "quantity": "0.068865"}, {"price": "115200", "quantity": "1"}],
        from_version="17521975448",
        to_version="17521975455",
    )

    decoded = protobuf_wire.decode_push(frame)

    assert decoded["channel"] == "spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT"
    assert decoded["symbol"] == "BTCUSDT"
    assert decoded["sendTime"] == "1755973885809"
    depths = decoded["publicAggreDepths"]
    assert depths["bids"] == [{"price": "114838.84", "quantity": "0.000101"}]  # type: ignore[index]
    assert len(depths["asks"]) == 2  # type: ignore[index]
    assert depths["toVersion"] == "17521975455"  # type: ignore[index]


def test_field_numbers_above_fifteen_use_two_byte_keys():
    # field 313, wire type 2 → key varint 2506 → bytes CA 13
    frame = protobuf_wire.encode_depths_push(
        channel="c", symbol="S", send_time=1, bids=[], asks=[], from_version="1", to_version="2"
    )

    assert bytes([0xCA, 0x13]) in frame


def test_unknown_fields_are_skipped():
    extra = bytes([0x10, 0x96, 0x01])  # field 2, varint 150
    frame = protobuf_wire.encode_depths_push(
        channel="c", symbol="S", send_time=1, bids=[], asks=[], from_version="1", to_version="2"
    )

    assert protobuf_wire.decode_push(extra + frame)["channel"] == "c"


@pytest.mark.parametrize("data", [b"\x0a\x05ab", b"\x80", b"\x0b", b"\x10"])
def test_truncated_or_invalid_frames_raise_wire_error(data):
    with pytest.raises(protobuf_wire.WireError):
        protobuf_wire.decode_push(data)
