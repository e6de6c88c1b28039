#!/usr/bin/env python3
"""Independent vectors for @wesh/transport-ble: the packet wire format and the /ble multiaddr bytes.

Written from the format description in packages/transport-ble/src/packet.ts (the doc comment) and the
multiaddr spec (varint code, varint length, UTF-8 value), with Python's struct module; it does not use the
TypeScript code. All inputs are fixed, so reruns produce identical files.

Run from the repository root:  /usr/bin/python3 tooling/vectors/transport-ble.py
"""
import json
import os
import struct

GENERATOR = "tooling/vectors/transport-ble.py"
OUT_DIR = os.path.join("packages", "transport-ble", "test", "vectors")
BLE_CODE = 0x300B1E
P2P_CODE = 0x01A5
FLAG_FIRST, FLAG_FIN = 0x10, 0x20
TYPE_DATA, TYPE_ACK, TYPE_RESET, TYPE_PROBE = 1, 2, 3, 4


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def data(seq: int, payload: bytes, frame_length=None) -> bytes:
    if frame_length is None:
        return struct.pack(">BH", TYPE_DATA, seq) + payload
    return struct.pack(">BHI", TYPE_DATA | FLAG_FIRST, seq, frame_length) + payload


def fin(seq: int) -> bytes:
    return struct.pack(">BH", TYPE_DATA | FLAG_FIN, seq)


def ack(next_seq: int, credit: int, sack: int) -> bytes:
    return struct.pack(">BHBQ", TYPE_ACK, next_seq, credit, sack)


def reset(reason: int) -> bytes:
    return struct.pack(">BB", TYPE_RESET, reason)


def probe() -> bytes:
    return bytes([TYPE_PROBE])


def payload(n: int) -> bytes:
    return bytes((i * 13 + 5) & 0xFF for i in range(n))


valid = [
    {"name": "first fragment of a 300-byte frame", "packet": {"type": "data", "seq": 0, "frameLength": 300, "payload": payload(175)}, "bytes": data(0, payload(175), 300)},
    {"name": "continuation fragment", "packet": {"type": "data", "seq": 1, "payload": payload(125)}, "bytes": data(1, payload(125))},
    {"name": "one-byte frame at the top of the sequence space", "packet": {"type": "data", "seq": 0xFFFF, "frameLength": 1, "payload": b"\x2a"}, "bytes": data(0xFFFF, b"\x2a", 1)},
    {"name": "largest frame length (MAX_FRAME_BYTES = 16384)", "packet": {"type": "data", "seq": 7, "frameLength": 16384, "payload": payload(13)}, "bytes": data(7, payload(13), 16384)},
    {"name": "fin", "packet": {"type": "fin", "seq": 513}, "bytes": fin(513)},
    {"name": "ack with full credit and no holes", "packet": {"type": "ack", "next": 42, "credit": 64, "sack": "0"}, "bytes": ack(42, 64, 0)},
    {"name": "ack with selective acknowledgements", "packet": {"type": "ack", "next": 0xFFFE, "credit": 3, "sack": str(0x8000000000000005)}, "bytes": ack(0xFFFE, 3, 0x8000000000000005)},
    {"name": "reset (aborted)", "packet": {"type": "reset", "reason": 0}, "bytes": reset(0)},
    {"name": "reset (frame invalid)", "packet": {"type": "reset", "reason": 1}, "bytes": reset(1)},
    {"name": "reset (timeout)", "packet": {"type": "reset", "reason": 2}, "bytes": reset(2)},
    {"name": "probe", "packet": {"type": "probe"}, "bytes": probe()},
]

# (name, bytes, expected error code) with a link that carries packets of at most 182 bytes (MTU 185).
invalid = [
    ("empty packet", b"", "BLE_FRAME_INVALID"),
    ("unknown type", bytes([9]), "BLE_FRAME_INVALID"),
    ("frame length one past MAX_FRAME_BYTES", data(0, b"\x01", 16385), "BLE_FRAME_TOO_LARGE"),
    ("packet one byte longer than the link allows", data(0, payload(180)), "BLE_FRAME_TOO_LARGE"),
    ("first fragment longer than its frame", data(0, payload(4), 3), "BLE_FRAME_INVALID"),
    ("fin carrying a payload", fin(1) + b"\x00", "BLE_FRAME_INVALID"),
    ("short ack", ack(1, 1, 0)[:-1], "BLE_FRAME_INVALID"),
    ("ack credit beyond the window", ack(1, 65, 0), "BLE_FRAME_INVALID"),
    ("reset with an unknown reason", reset(7), "BLE_FRAME_INVALID"),
    ("data flags FIRST and FIN together", bytes([TYPE_DATA | FLAG_FIRST | FLAG_FIN, 0, 0, 1]), "BLE_FRAME_INVALID"),
]

multiaddrs = []
for device in ["alice", "aabbccddeeff", "phone-1.local_~x"]:
    value = device.encode("utf-8")
    multiaddrs.append({"string": f"/ble/{device}", "bytes": varint(BLE_CODE) + varint(len(value)) + value})
# /p2p/<peer id>: the identity multihash of an Ed25519 key (the base58btc string is computed below, by hand).
ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data_bytes: bytes) -> str:
    n = int.from_bytes(data_bytes, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = ALPHABET[r] + out
    return "1" * (len(data_bytes) - len(data_bytes.lstrip(b"\0"))) + out


key = bytes(range(32))
multihash = bytes([0x00, 0x24]) + bytes([0x08, 0x01, 0x12, 0x20]) + key  # identity(protobuf PublicKey{Ed25519, key})
peer = base58(multihash)
value = b"alice"
multiaddrs.append({
    "string": f"/ble/alice/p2p/{peer}",
    "bytes": varint(BLE_CODE) + varint(len(value)) + value + varint(P2P_CODE) + varint(len(multihash)) + multihash,
})


def hexify(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {k: hexify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hexify(v) for v in value]
    return value


document = {
    "source": "packet layout of PROTOCOL.md §7 framing as documented in packages/transport-ble/src/packet.ts; "
              "multiaddr binary form per the multiformats multiaddr spec (code 0x300b1e, private-use range)",
    "generator": GENERATOR,
    "maxPacketBytes": 182,
    "valid": hexify(valid),
    "invalid": [{"name": n, "bytes": b.hex(), "code": c} for n, b, c in invalid],
    "multiaddrs": hexify(multiaddrs),
}
os.makedirs(OUT_DIR, exist_ok=True)
with open(os.path.join(OUT_DIR, "wire.json"), "w") as f:
    json.dump(document, f, indent=2)
    f.write("\n")
print(f"wrote {os.path.join(OUT_DIR, 'wire.json')}")
