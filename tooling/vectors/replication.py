#!/usr/bin/python3
"""Independent vectors for the replication device of PROTOCOL.md §8 (@wesh/replication): the token the account's
devices derive for a replication device, and the grant it receives when linked.

python3-cryptography's HKDF and python3-nacl's Ed25519, and a protobuf encoder written here — not the TypeScript
under test. Run from the repository root:
/usr/bin/python3 tooling/vectors/replication.py > packages/replication/test/vectors/replication-device.json
"""
import hashlib
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nacl.signing import SigningKey


def hkdf(ikm, info, length=32):
    # "no salt" (RFC 5869): HashLen zero bytes.
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"\x00" * 32, info=info).derive(ikm)


def token(account_secret, peer_id):
    return hkdf(account_secret, b"wesh/replication-device/v1/token" + peer_id).hex()


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_bytes(number, value):
    return varint(number << 3 | 2) + varint(len(value)) + value


def field_varint(number, value):
    return varint(number << 3) + varint(value)


# Ed25519 peer IDs: identity multihash (0x00, 0x24) of the protobuf public key (0x08 0x01 0x12 0x20 ‖ key).
def peer(fill):
    return bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + bytes([fill]) * 32


def seed(label):
    return hashlib.sha256(label.encode()).digest()


tokens = []
for name, secret, peer_id in [
    ("zero secret, peer 0x01", b"\x00" * 32, peer(0x01)),
    ("secret 0x11, peer 0x01", b"\x11" * 32, peer(0x01)),
    ("secret 0x11, peer 0x02", b"\x11" * 32, peer(0x02)),
    ("sha256 secret, short peer", seed("account-secret"), b"\x00\x01\x7f"),
]:
    tokens.append({"name": name, "accountSecret": secret.hex(), "peerId": peer_id.hex(), "token": token(secret, peer_id)})

# A grant: the account group's public part (ReplicatedGroup: public_key = 1, group_type = 4, sign_pub = 5,
# link_key = 6, link_key_sig = 7) in field 1, the token in field 2.
group_key = SigningKey(seed("account-group-key"))
group_id = bytes(group_key.verify_key)
sign_pub = bytes(SigningKey(seed("account-sign-key")).verify_key)
link_key = seed("account-link-key")
link_key_sig = group_key.sign(link_key).signature
grant_token = token(seed("account-secret"), peer(0x03))
group = (
    field_bytes(1, group_id)
    + field_varint(4, 1)
    + field_bytes(5, sign_pub)
    + field_bytes(6, link_key)
    + field_bytes(7, link_key_sig)
)
grant = field_bytes(1, group) + field_bytes(2, grant_token.encode())

print(json.dumps({
    "tokens": tokens,
    "grant": {
        "groupId": group_id.hex(),
        "signPub": sign_pub.hex(),
        "linkKey": link_key.hex(),
        "linkKeySig": link_key_sig.hex(),
        "token": grant_token,
        "bytes": grant.hex(),
    },
}, indent=2))
