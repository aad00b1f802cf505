"""Just enough of the protocol-buffers wire format for MEXC's market-data frames.

MEXC pushes order-book and trade data as protobuf (``PushDataV3ApiWrapper``). A probe needs
a handful of fields, so it reads the wire format directly (varints and length-delimited
fields, the only two kinds these messages use) instead of generating classes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

WIRE_VARINT = 0
WIRE_FIXED64 = 1
WIRE_LENGTH = 2
WIRE_FIXED32 = 5

# PushDataV3ApiWrapper and the two bodies a probe reads.
WRAPPER_CHANNEL = 1
WRAPPER_SYMBOL = 3
WRAPPER_SEND_TIME = 6
WRAPPER_AGGRE_DEPTHS = 313
WRAPPER_AGGRE_DEALS = 314
DEPTHS_ASKS = 1
DEPTHS_BIDS = 2
DEPTHS_EVENT_TYPE = 3
DEPTHS_FROM_VERSION = 4
DEPTHS_TO_VERSION = 5
LEVEL_PRICE = 1
LEVEL_QUANTITY = 2
DEALS_DEALS = 1
DEALS_EVENT_TYPE = 2
DEAL_PRICE = 1
DEAL_QUANTITY = 2
DEAL_TRADE_TYPE = 3
DEAL_TIME = 4

Field = tuple[int, int, int | bytes]


class WireError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WireError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError("varint longer than 64 bits")


def fields(data: bytes) -> Iterator[Field]:
    """(field number, wire type, value) for each field of one message."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == WIRE_VARINT:
            value, pos = _varint(data, pos)
        elif wire == WIRE_LENGTH:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise WireError("truncated length-delimited field")
            value, pos = data[pos : pos + length], pos + length
        elif wire == WIRE_FIXED64:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        elif wire == WIRE_FIXED32:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        else:
            raise WireError(f"unsupported wire type {wire}")
        if number == 0:
            raise WireError("field number 0")
        yield number, wire, value


def _text(value: int | bytes) -> str:
    if not isinstance(value, bytes):
        raise WireError("expected a string")
    return value.decode("utf-8")


def _levels(items: Sequence[bytes]) -> list[dict[str, str]]:
    out = []
    for item in items:
        level = {"price": "", "quantity": ""}
        for number, _, value in fields(item):
            if number == LEVEL_PRICE:
                level["price"] = _text(value)
            elif number == LEVEL_QUANTITY:
                level["quantity"] = _text(value)
        out.append(level)
    return out


def decode_push(data: bytes) -> dict[str, object]:
    """A ``PushDataV3ApiWrapper`` as the dict Hummingbot's decoder would produce."""
    message: dict[str, object] = {}
    for number, _, value in fields(data):
        if number == WRAPPER_CHANNEL:
            message["channel"] = _text(value)
        elif number == WRAPPER_SYMBOL:
            message["symbol"] = _text(value)
        elif number == WRAPPER_SEND_TIME:
            message["sendTime"] = str(value)
        elif number == WRAPPER_AGGRE_DEPTHS and isinstance(value, bytes):
            message["publicAggreDepths"] = _depths(value)
        elif number == WRAPPER_AGGRE_DEALS and isinstance(value, bytes):
            message["publicAggreDeals"] = _deals(value)
    if "channel" not in message:
        raise WireError("no channel in the frame")
    return message


def _depths(data: bytes) -> dict[str, object]:
    asks: list[bytes] = []
    bids: list[bytes] = []
    body: dict[str, object] = {}
    for number, _, value in fields(data):
        if number == DEPTHS_ASKS and isinstance(value, bytes):
            asks.append(value)
        elif number == DEPTHS_BIDS and isinstance(value, bytes):
            bids.append(value)
        elif number == DEPTHS_EVENT_TYPE:
            body["eventType"] = _text(value)
        elif number == DEPTHS_FROM_VERSION:
            body["fromVersion"] = _text(value)
        elif number == DEPTHS_TO_VERSION:
            body["toVersion"] = _text(value)
    body["asks"] = _levels(asks)
    body["bids"] = _levels(bids)
    return body


def _deals(data: bytes) -> dict[str, object]:
    deals = []
    body: dict[str, object] = {}
    for number, _, value in fields(data):
        if number == DEALS_DEALS and isinstance(value, bytes):
            deal: dict[str, object] = {}
            for inner, _, item in fields(value):
                if inner == DEAL_PRICE:
                    deal["price"] = _text(item)
                elif inner == DEAL_QUANTITY:
                    deal["quantity"] = _text(item)
                elif inner == DEAL_TRADE_TYPE:
                    deal["tradeType"] = item
                elif inner == DEAL_TIME:
                    deal["time"] = str(item)
            deals.append(deal)
        elif number == DEALS_EVENT_TYPE:
            body["eventType"] = _text(value)
    body["deals"] = deals
    return body


# -- encoding (the exchange simulator speaks the same frames) ---------------------------
def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _encode_varint(number << 3 | wire)


def _string(number: int, text: str) -> bytes:
    raw = text.encode("utf-8")
    return _key(number, WIRE_LENGTH) + _encode_varint(len(raw)) + raw


def _message(number: int, body: bytes) -> bytes:
    return _key(number, WIRE_LENGTH) + _encode_varint(len(body)) + body


def _int(number: int, value: int) -> bytes:
    return _key(number, WIRE_VARINT) + _encode_varint(value)


def encode_depths_push(
    *,
    channel: str,
    symbol: str,
    send_time: int,
    bids: Sequence[Mapping[str, str]],
    asks: Sequence[Mapping[str, str]],
    from_version: str,
    to_version: str,
) -> bytes:
    def level(row: Mapping[str, str]) -> bytes:
        return _string(LEVEL_PRICE, row["price"]) + _string(LEVEL_QUANTITY, row["quantity"])

    body = b"".join(_message(DEPTHS_ASKS, level(row)) for row in asks)
    body += b"".join(_message(DEPTHS_BIDS, level(row)) for row in bids)
    body += _string(DEPTHS_EVENT_TYPE, channel.rsplit("@", 1)[0])
    body += _string(DEPTHS_FROM_VERSION, from_version) + _string(DEPTHS_TO_VERSION, to_version)
    return (
        _string(WRAPPER_CHANNEL, channel)
        + _string(WRAPPER_SYMBOL, symbol)
        + _int(WRAPPER_SEND_TIME, send_time)
        + _message(WRAPPER_AGGRE_DEPTHS, body)
    )
