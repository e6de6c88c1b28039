#!/usr/bin/env python3
"""Independent test vectors for @wesh/rendezvous (PROTOCOL.md §2), from the Python standard library only.

    start(t) = floor(t_seconds / P) * P            (0 for the 'static' period)
    point(t) = HMAC-SHA-256(key = topic || seed, message = u64be(start(t)))

Also: the account-contact topic (ASCII of padded standard base64 of the account ID), the DHT CID of a point
(CIDv1, raw 0x55, sha2-256 0x12 multihash whose digest is the point; string = multibase base32 'b'), the
rendezvous-server namespace (padded standard base64 of the point), and which points a peer announces (current,
plus next in the last P/10) and looks up (current, plus previous in the first P/10) at a given time.

Nothing here uses the TypeScript code. Inputs are fixed, so reruns produce identical files.
Run from the repository root:  /usr/bin/python3 tooling/vectors/rendezvous.py
"""
import base64
import calendar
import hashlib
import hmac
import json
import os
import struct

GENERATOR = "tooling/vectors/rendezvous.py"
OUT_DIR = os.path.join("packages", "rendezvous", "test", "vectors")


def sha256(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def start_seconds(at_ms: int, period) -> int:
    if period == "static":
        return 0
    return (at_ms // 1000) // period * period


def point(topic: bytes, seed: bytes, at_ms: int, period) -> bytes:
    return hmac.new(topic + seed, struct.pack(">Q", start_seconds(at_ms, period)), hashlib.sha256).digest()


def cid_bytes(p: bytes) -> bytes:
    # CIDv1 = varint(1) || varint(0x55 raw) || multihash(varint(0x12) || varint(32) || digest)
    return bytes([0x01, 0x55, 0x12, 0x20]) + p


def cid_string(p: bytes) -> str:
    return "b" + base64.b32encode(cid_bytes(p)).decode().lower().rstrip("=")


def announce(topic, seed, at_ms, period):
    current = point(topic, seed, at_ms, period)
    if period == "static":
        return [current]
    start_ms = start_seconds(at_ms, period) * 1000
    period_ms = period * 1000
    if at_ms * 10 >= (start_ms + period_ms) * 10 - period_ms:
        return [current, point(topic, seed, start_ms + period_ms, period)]
    return [current]


def look_up(topic, seed, at_ms, period):
    current = point(topic, seed, at_ms, period)
    if period == "static":
        return [current]
    start_ms = start_seconds(at_ms, period) * 1000
    period_ms = period * 1000
    if at_ms * 10 < start_ms * 10 + period_ms and start_ms >= period_ms:
        return [current, point(topic, seed, start_ms - period_ms, period)]
    return [current]


def case(name, topic, seed, at_ms, period, **extra):
    p = point(topic, seed, at_ms, period)
    doc = {
        "name": name,
        "topic": topic.hex(),
        "seed": seed.hex(),
        "atMs": at_ms,
        "period": period,
        "startSeconds": start_seconds(at_ms, period),
        "point": p.hex(),
        "cid": cid_bytes(p).hex(),
        "cidString": cid_string(p),
        "namespace": base64.b64encode(p).decode(),
        "announce": [x.hex() for x in announce(topic, seed, at_ms, period)],
        "lookUp": [x.hex() for x in look_up(topic, seed, at_ms, period)],
    }
    doc.update(extra)
    return doc


def main():
    cases = []

    # The reference's own vector (PROTOCOL.md "Vectors"): 2020-04-10T12:00:00Z is on an hour boundary.
    ref_ms = calendar.timegm((2020, 4, 10, 12, 0, 0)) * 1000
    ref = case("reference topicA/seedA 2020-04-10T12:00:00Z P=3600", b"topicA", b"seedA", ref_ms, 3600)
    assert ref["point"] == "8b7fdc831ca90f78995f32d8b9cf7bc8682a7fc250fe13a9b7c5c0851a3b8cbc", ref["point"]
    cases.append(ref)

    # Around period boundaries, several topics, seeds and periods: t = start, start - 1 ms, start + P - 1 ms,
    # and the first and last instants of the last and first tenths (where announce/look-up sets change).
    combos = [
        (b"topicA", b"seedA", 3600, calendar.timegm((2020, 4, 10, 12, 0, 0))),
        (b"/orbitdb/zdpuAwesh/metadata", sha256("wesh/vector/link-key/1"), 86_400,
         calendar.timegm((2026, 11, 25, 0, 0, 0))),
        (sha256("wesh/vector/topic/2"), sha256("wesh/vector/seed/2"), 600, 1_700_000_400),
        (b"x", b"y", 86_400, 86_400),
        (b"topic with spaces", sha256("wesh/vector/seed/3")[:16], 7 * 86_400,
         calendar.timegm((2021, 1, 7, 0, 0, 0)) // (7 * 86_400) * (7 * 86_400)),
    ]
    for i, (topic, seed, period, start) in enumerate(combos):
        assert start % period == 0
        start_ms = start * 1000
        period_ms = period * 1000
        instants = [
            ("start", start_ms),
            ("start-1ms", start_ms - 1),
            ("start+P-1ms", start_ms + period_ms - 1),
            ("start+P/10-1ms", start_ms + period_ms // 10 - 1),
            ("start+P/10", start_ms + period_ms // 10),
            ("start+P-P/10-1ms", start_ms + period_ms - period_ms // 10 - 1),
            ("start+P-P/10", start_ms + period_ms - period_ms // 10),
        ]
        for label, at_ms in instants:
            cases.append(case(f"combo {i} P={period} {label}", topic, seed, at_ms, period))

    # The static period: time input is 0^8 whatever the time.
    for at_ms in (0, ref_ms, 4_102_444_800_000):
        cases.append(case(f"static at {at_ms}", b"topicA", b"seedA", at_ms, "static"))
    s1 = point(b"topicA", b"seedA", 0, "static")
    assert s1 == hmac.new(b"topicAseedA", bytes(8), hashlib.sha256).digest()

    # The account contact point: topic = ASCII of padded standard base64 of the account ID.
    for n in range(3):
        account_id = sha256(f"wesh/vector/account/{n}")
        seed = sha256(f"wesh/vector/public-rendezvous-seed/{n}")
        topic = base64.b64encode(account_id)
        assert len(topic) == 44 and topic.endswith(b"=")
        cases.append(case(f"account contact {n}", topic, seed, ref_ms + n * 3_600_123, 86_400,
                          accountId=account_id.hex(), topicAscii=topic.decode()))

    doc = {
        "source": "Python standard library (hmac, hashlib, base64) implementing PROTOCOL.md §2; the reference "
                  "vector is the one PROTOCOL.md quotes from the Go implementation (berty/weshnet)",
        "generator": GENERATOR,
        "cases": cases,
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "rendezvous-points.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {path} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
