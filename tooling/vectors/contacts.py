#!/usr/bin/python3
"""Independent vectors for the device-link proofs of PROTOCOL.md §6.3 (our construction, @wesh/contacts).

Python's hashlib/hmac, python3-cryptography's HKDF and python3-nacl's SecretBox — not the TypeScript under test.
Run from the repository root: /usr/bin/python3 tooling/vectors/contacts.py > packages/contacts/test/vectors/device-link.json
"""
import hashlib
import hmac
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nacl.secret import SecretBox


def hkdf(ikm, salt, info, length=32):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def vector(name, code_id, existing_peer, new_peer, new_nonce, existing_nonce, secret, state):
    transcript = hashlib.sha256(
        b"wesh/device-link/v1" + code_id
        + bytes([len(existing_peer)]) + existing_peer
        + bytes([len(new_peer)]) + new_peer
        + new_nonce + existing_nonce
    ).digest()
    proof_key = hkdf(secret, b"\x00" * 32, b"wesh/device-link/v1/proof")
    account_key = hkdf(secret, transcript, b"wesh/device-link/v1/account")
    sealed = SecretBox(account_key).encrypt(state, b"\x00" * 24).ciphertext  # tag ‖ ciphertext
    return {
        "name": name,
        "codeId": code_id.hex(),
        "existingPeer": existing_peer.hex(),
        "newPeer": new_peer.hex(),
        "newNonce": new_nonce.hex(),
        "existingNonce": existing_nonce.hex(),
        "secret": secret.hex(),
        "state": state.hex(),
        "transcript": transcript.hex(),
        "newDeviceProof": hmac.new(proof_key, b"\x01" + transcript, hashlib.sha256).hexdigest(),
        "existingDeviceProof": hmac.new(proof_key, b"\x02" + transcript, hashlib.sha256).hexdigest(),
        "accountKey": account_key.hex(),
        "sealedAccount": sealed.hex(),
    }


# Ed25519 peer IDs: identity multihash (0x00, 0x24) of the protobuf public key (0x08 0x01 0x12 0x20 ‖ key).
def peer(fill):
    return bytes([0x00, 0x24, 0x08, 0x01, 0x12, 0x20]) + bytes([fill]) * 32


print(json.dumps({
    "source": "tooling/vectors/contacts.py (Python hashlib, hmac, python3-cryptography HKDF, python3-nacl SecretBox)",
    "vectors": [
        vector("fixed bytes", bytes(range(16)), peer(0x11), peer(0x22), bytes([0xaa]) * 32, bytes([0xbb]) * 32,
               bytes(range(32)), b'{"v":1}'),
        vector("sequential", bytes([0xff]) * 16, peer(0x01), peer(0x02), bytes(range(32)), bytes(range(32, 64)),
               bytes([0x42]) * 32, b'{"v":1,"accountSeed":"AAAA","aliasSeed":"BBBB","publicRendezvousSeed":"CCCC"}'),
    ],
}, indent=2))
