#!/usr/bin/env python3
"""Independent test vectors for @wesh/groups (PROTOCOL.md §4, §5, §6.1).

Every value is computed here with libsodium (through PyNaCl), `cryptography` (HKDF with SHA-256 and SHA3-256),
hashlib and a minimal hand-written protobuf encoder; nothing here uses the TypeScript code. All inputs are fixed
(derived from labels with SHA-256), so reruns produce identical files.

Run from the repository root:  /usr/bin/python3 tooling/vectors/groups.py
"""
import base64
import hashlib
import hmac
import json
import os

import nacl.bindings as sodium
from nacl.signing import SigningKey, VerifyKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

GENERATOR = "tooling/vectors/groups.py"
OUT_DIR = os.path.join("packages", "groups", "test", "vectors")


# ---------------------------------------------------------------- helpers
def stream(label: str, length: int = 32) -> bytes:
    """Deterministic bytes: sha256(label || be32(counter)) blocks."""
    out = b"".join(hashlib.sha256(label.encode() + i.to_bytes(4, "big")).digest()
                   for i in range((length + 31) // 32))
    return out[:length]


def hexify(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {k: hexify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [hexify(v) for v in value]
    return value


def hkdf(algorithm, ikm: bytes, info: bytes, length: int) -> bytes:
    # salt=None: RFC 5869's default, a string of HashLen zeros (PROTOCOL.md §0 "no salt").
    return HKDF(algorithm=algorithm, length=length, salt=None, info=info).derive(ikm)


def ed_pub(seed: bytes) -> bytes:
    return bytes(SigningKey(seed).verify_key)


def ed_sign(seed: bytes, message: bytes) -> bytes:
    sig = SigningKey(seed).sign(message).signature
    VerifyKey(ed_pub(seed)).verify(message, sig)
    return sig


def x_pub_of_ed(pk: bytes) -> bytes:
    return sodium.crypto_sign_ed25519_pk_to_curve25519(pk)


def x_sec_of_ed(seed: bytes) -> bytes:
    x = sodium.crypto_sign_ed25519_sk_to_curve25519(seed + ed_pub(seed))
    digest = bytearray(hashlib.sha512(seed).digest()[:32])  # cross-check: SHA512(seed)[0:32], clamped
    digest[0] &= 248
    digest[31] &= 127
    digest[31] |= 64
    assert x == bytes(digest)
    return x


def dh(secret: bytes, public: bytes) -> bytes:
    out = sodium.crypto_scalarmult(secret, public)
    assert out != bytes(32)
    return out


def pre(secret: bytes, public: bytes) -> bytes:
    """NaCl crypto_box_beforenm: HSalsa20(X25519(secret, public), 0^16)."""
    return sodium.crypto_box_beforenm(public, secret)


def secretbox(key: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    out = sodium.crypto_secretbox(plaintext, nonce, key)  # tag || ciphertext
    assert sodium.crypto_secretbox_open(out, nonce, key) == plaintext
    return out


def u64be(n: int) -> bytes:
    return n.to_bytes(8, "big")


# ---------------------------------------------------------------- protobuf (proto3, ascending fields, defaults omitted)
def varint(n: int) -> bytes:
    assert n >= 0
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_bytes(field: int, value: bytes) -> bytes:
    if not value:
        return b""
    return varint(field << 3 | 2) + varint(len(value)) + value


def pb_message(field: int, value: bytes) -> bytes:
    """An embedded message that is present even when empty (as the reference writes ProtocolMetadata{})."""
    return varint(field << 3 | 2) + varint(len(value)) + value


def pb_uint(field: int, value: int) -> bytes:
    if value == 0:
        return b""
    return varint(field << 3 | 0) + varint(value)


def pb_bool(field: int, value: bool) -> bytes:
    return pb_uint(field, 1 if value else 0)


def pb_string(field: int, value: str) -> bytes:
    return pb_bytes(field, value.encode())


# ---------------------------------------------------------------- PROTOCOL.md §4
def link_key(secret: bytes, group_id: bytes) -> bytes:
    return hkdf(hashes.SHA3_256(), secret, group_id, 32)


def attachment_key(secret: bytes) -> bytes:
    return hkdf(hashes.SHA256(), secret, b"wesh/attachment/v1", 32)


def contact_group(own_seed: bytes, peer_id: bytes) -> dict:
    s = dh(x_sec_of_ed(own_seed), x_pub_of_ed(peer_id))
    ikm = s + ed_pub(s)  # the libp2p "raw" Ed25519 private key of seed s
    okm = hkdf(hashes.SHA256(), ikm, b"", 64)
    group_seed, secret = okm[:32], okm[32:]
    public_key = ed_pub(group_seed)
    lk = link_key(secret, public_key)
    return dict(sharedSecret=s, groupSeed=group_seed, publicKey=public_key, secret=secret, linkKey=lk,
                signPublicKey=ed_pub(secret), attachmentKey=attachment_key(secret),
                linkKeySig=ed_sign(group_seed, lk))


def group_pb(public_key, secret, secret_sig, group_type, link_key_, link_key_sig, attachment, sign_pub=b""):
    return (pb_bytes(1, public_key) + pb_bytes(2, secret) + pb_bytes(3, secret_sig) + pb_uint(4, group_type)
            + pb_bytes(5, sign_pub) + pb_bytes(6, link_key_) + pb_bytes(7, link_key_sig)
            + pb_bytes(100, attachment))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def gen_contact_groups():
    cases = []
    for i in range(3):
        seed_a, seed_b = stream(f"contact-{i}-a"), stream(f"contact-{i}-b")
        id_a, id_b = ed_pub(seed_a), ed_pub(seed_b)
        view_a = contact_group(seed_a, id_b)
        view_b = contact_group(seed_b, id_a)
        assert view_a == view_b
        cases.append(dict(name=f"contact-{i}", seedA=seed_a, accountIdA=id_a, seedB=seed_b, accountIdB=id_b,
                          **view_a))
    return cases


def gen_member_keys():
    cases = []
    for i in range(3):
        alias_seed, group_seed = stream(f"member-{i}-alias"), stream(f"member-{i}-group")
        group_id = ed_pub(group_seed)
        member_seed = dh(x_sec_of_ed(alias_seed), x_pub_of_ed(group_id))
        cases.append(dict(name=f"member-{i}", aliasSeed=alias_seed, groupId=group_id, memberKeySeed=member_seed,
                          memberPk=ed_pub(member_seed)))
    return cases


def gen_link_and_sign_keys():
    cases = []
    for i in range(3):
        secret, group_id = stream(f"link-{i}-secret"), ed_pub(stream(f"link-{i}-group"))
        cases.append(dict(name=f"keys-{i}", secret=secret, groupId=group_id, linkKey=link_key(secret, group_id),
                          signPublicKey=ed_pub(secret), attachmentKey=attachment_key(secret)))
    return cases


def gen_groups():
    cases = []
    group_seed, secret, attachment = stream("mm-group"), stream("mm-secret"), stream("mm-attachment")
    public_key = ed_pub(group_seed)
    lk = link_key(secret, public_key)
    secret_sig, lk_sig = ed_sign(group_seed, secret), ed_sign(group_seed, lk)
    invitation = group_pb(public_key, secret, secret_sig, 3, lk, lk_sig, attachment)
    cases.append(dict(name="multi-member", groupType=3, groupSeed=group_seed, secret=secret,
                      attachmentKey=attachment, publicKey=public_key, secretSig=secret_sig, linkKey=lk,
                      linkKeySig=lk_sig, signPublicKey=ed_pub(secret), invitation=invitation,
                      link="wesh://group/" + b64url(invitation)))
    account_seed, alias_seed = stream("account-seed"), stream("account-alias")
    public_key = ed_pub(account_seed)
    lk = link_key(alias_seed, public_key)
    lk_sig = ed_sign(account_seed, lk)
    invitation = group_pb(public_key, alias_seed, b"", 1, lk, lk_sig, attachment_key(alias_seed))
    cases.append(dict(name="account", groupType=1, accountSeed=account_seed, aliasSeed=alias_seed,
                      groupSeed=account_seed, publicKey=public_key, secret=alias_seed, linkKey=lk, linkKeySig=lk_sig,
                      signPublicKey=ed_pub(alias_seed), attachmentKey=attachment_key(alias_seed),
                      invitation=invitation, link="wesh://group/" + b64url(invitation)))
    return cases


def gen_contact_cards():
    cases = []
    for i, metadata in enumerate([b"", "Alice ✓".encode(), bytes(range(200))]):
        pk, seed = ed_pub(stream(f"card-{i}-account")), stream(f"card-{i}-rdv")
        card = pb_bytes(1, pk) + pb_bytes(2, seed) + pb_bytes(3, metadata)
        cases.append(dict(name=f"card-{i}", accountId=pk, publicRendezvousSeed=seed, metadata=metadata,
                          encoded=card, link="wesh://contact/" + b64url(card)))
    return cases


# ---------------------------------------------------------------- PROTOCOL.md §5
def gen_chain_key_boxes():
    cases = []
    for i, counter in enumerate([0, 1, 300, 2**32 + 5, 2**53 - 1]):
        device_seed, member_seed = stream(f"ckb-{i}-device"), stream(f"ckb-{i}-member")
        group_id, chain_key = ed_pub(stream(f"ckb-{i}-group")), stream(f"ckb-{i}-chain")
        plaintext = pb_bytes(1, chain_key) + pb_uint(2, counter)
        box = sodium.crypto_box(plaintext, group_id[:24], x_pub_of_ed(ed_pub(member_seed)), x_sec_of_ed(device_seed))
        assert sodium.crypto_box_open(box, group_id[:24], x_pub_of_ed(ed_pub(device_seed)),
                                      x_sec_of_ed(member_seed)) == plaintext
        cases.append(dict(name=f"chain-key-{i}", senderDeviceSeed=device_seed, senderDeviceId=ed_pub(device_seed),
                          recipientMemberSeed=member_seed, recipientMemberId=ed_pub(member_seed), groupId=group_id,
                          chainKey=chain_key, counter=counter, plaintext=plaintext, box=box))
    return cases


def ratchet_step(chain_key: bytes, group_id: bytes):
    okm = hkdf(hashes.SHA256(), chain_key, group_id, 64)
    return okm[:32], okm[32:]


def gen_message_envelopes():
    cases = []
    secret, group_id = stream("msg-secret"), ed_pub(stream("msg-group"))
    device_seed = stream("msg-device")
    device_pk = ed_pub(device_seed)
    for i, (initial_counter, plaintexts) in enumerate([(0, [b"hello", b""]), (41, [bytes(range(256)) * 3])]):
        chain_key = stream(f"msg-{i}-chain")
        messages = []
        ck, n = chain_key, initial_counter
        for j, plaintext in enumerate(plaintexts):
            n += 1
            ck, mk = ratchet_step(ck, group_id)
            encrypted_message = pb_bytes(1, plaintext) + pb_message(2, b"")
            sig = ed_sign(device_seed, encrypted_message)
            headers = pb_uint(1, n) + pb_bytes(2, device_pk) + pb_bytes(3, sig)
            header_nonce = stream(f"msg-{i}-{j}-nonce", 24)
            message = secretbox(mk, u64be(n) + bytes(16), encrypted_message)
            sealed_headers = secretbox(secret, header_nonce, headers)
            envelope = pb_bytes(1, sealed_headers) + pb_bytes(2, message) + pb_bytes(3, header_nonce)
            entry = signed_entry(secret, envelope)
            messages.append(dict(counter=n, plaintext=plaintext, encryptedMessage=encrypted_message, sig=sig,
                                 headers=headers, headerNonce=header_nonce, messageKey=mk, envelope=envelope,
                                 signedEntry=entry))
        cases.append(dict(name=f"chain-{i}", secret=secret, groupId=group_id, deviceSeed=device_seed,
                          devicePk=device_pk, chainKey=chain_key, initialCounter=initial_counter, messages=messages))
    return cases


def signed_entry(sign_seed: bytes, payload: bytes) -> bytes:
    sig = ed_sign(sign_seed, b"wesh/entry/v1" + hashlib.sha256(payload).digest())
    return pb_bytes(1, payload) + pb_bytes(2, sig)


def group_envelope(secret, nonce, event_type, payload, signer_seed):
    sig = ed_sign(signer_seed, payload)
    metadata = pb_uint(1, event_type) + pb_bytes(2, payload) + pb_bytes(3, sig) + pb_message(4, b"")
    envelope = pb_bytes(1, nonce) + pb_bytes(2, secretbox(secret, nonce, metadata))
    return sig, metadata, envelope


def gen_group_envelopes():
    cases = []
    group_seed, secret = stream("ge-group"), stream("ge-secret")
    group_id = ed_pub(group_seed)
    device_seed, member_seed = stream("ge-device"), stream("ge-member")
    device_pk, member_pk = ed_pub(device_seed), ed_pub(member_seed)
    other_member_pk = ed_pub(stream("ge-other-member"))
    chain_box = sodium.crypto_box(pb_bytes(1, stream("ge-chain")) + pb_uint(2, 7), group_id[:24],
                                  x_pub_of_ed(other_member_pk), x_sec_of_ed(device_seed))
    events = [
        (1, pb_bytes(1, member_pk) + pb_bytes(2, device_pk) + pb_bytes(3, ed_sign(member_seed, device_pk)),
         device_seed),
        (2, pb_bytes(1, device_pk) + pb_bytes(2, other_member_pk) + pb_bytes(3, chain_box), device_seed),
        (302, pb_bytes(1, member_pk), group_seed),
        (303, pb_bytes(1, device_pk) + pb_bytes(2, other_member_pk), device_seed),
        (1001, pb_bytes(1, device_pk) + pb_bytes(2, b"app payload"), device_seed),
        (403, pb_bytes(1, device_pk) + pb_string(2, "https://auth.example") + pb_string(3, "/dns4/r.example/tcp/1"),
         device_seed),
    ]
    for event_type, payload, signer in events:
        nonce = stream(f"ge-{event_type}-nonce", 24)
        sig, metadata, envelope = group_envelope(secret, nonce, event_type, payload, signer)
        cases.append(dict(name=f"event-{event_type}", eventType=event_type, payload=payload, signerSeed=signer,
                          signerPk=ed_pub(signer), sig=sig, metadata=metadata, nonce=nonce, envelope=envelope,
                          signedEntry=signed_entry(secret, envelope)))
    return dict(groupSeed=group_seed, groupId=group_id, secret=secret, signPublicKey=ed_pub(secret),
                groupType=3, deviceSeed=device_seed, memberSeed=member_seed, cases=cases)


def gen_signed_entries():
    cases = []
    for i, payload in enumerate([b"", b"x", stream("entry-long", 1000)]):
        sign_seed = stream(f"entry-{i}-secret")
        signing_input = b"wesh/entry/v1" + hashlib.sha256(payload).digest()
        cases.append(dict(name=f"entry-{i}", signSeed=sign_seed, signPublicKey=ed_pub(sign_seed), payload=payload,
                          signingInput=signing_input, sig=ed_sign(sign_seed, signing_input),
                          entry=signed_entry(sign_seed, payload)))
    return cases


def gen_replication_blocks():
    # Replication-level encryption of log blocks (PROTOCOL.md §5) with a nonce derived from the block, so that
    # re-encoding an entry (OrbitDB does) gives the same bytes and the same CID.
    cases = []
    for i, block in enumerate([b"", b"entry", stream("repl-long", 700)]):
        lk = stream(f"repl-{i}-link")
        nonce_key = hkdf(hashes.SHA256(), lk, b"wesh/replication-nonce/v1", 32)
        nonce = hmac.new(nonce_key, block, hashlib.sha256).digest()[:24]
        cases.append(dict(name=f"replication-{i}", linkKey=lk, block=block, nonceKey=nonce_key, nonce=nonce,
                          sealed=nonce + secretbox(lk, nonce, block)))
    return cases


def gen_attachments():
    # PROTOCOL.md §4 attachment key: nonce || secretbox(attachmentKey, nonce, file).
    cases = []
    for i, data in enumerate([b"", b"photo", stream("attachment-long", 5000)]):
        key, nonce = stream(f"att-{i}-key"), stream(f"att-{i}-nonce", 24)
        cases.append(dict(name=f"attachment-{i}", attachmentKey=key, nonce=nonce, plaintext=data,
                          sealed=nonce + secretbox(key, nonce, data)))
    return cases


# ---------------------------------------------------------------- PROTOCOL.md §6.1
def gen_handshakes():
    cases = []
    for i in range(2):
        seed_a, seed_b = stream(f"hs-{i}-A"), stream(f"hs-{i}-B")
        id_a, id_b = ed_pub(seed_a), ed_pub(seed_b)
        eph_a, eph_b = stream(f"hs-{i}-a"), stream(f"hs-{i}-b")
        pub_a, pub_b = sodium.crypto_scalarmult_base(eph_a), sodium.crypto_scalarmult_base(eph_b)
        ab = pre(eph_a, pub_b)
        assert ab == pre(eph_b, pub_a)
        a_B = pre(eph_a, x_pub_of_ed(id_b))
        assert a_B == pre(x_sec_of_ed(seed_b), pub_a)
        A_B = pre(x_sec_of_ed(seed_a), x_pub_of_ed(id_b))
        assert A_B == pre(x_sec_of_ed(seed_b), x_pub_of_ed(id_a))
        requester_box_key = hashlib.sha256(ab + a_B).digest()
        responder_box_key = hashlib.sha256(ab + A_B).digest()
        libp2p_key = bytes([0x08, 0x01, 0x12, 0x20]) + id_a
        authenticate = pb_bytes(1, libp2p_key) + pb_bytes(2, ed_sign(seed_a, ab))
        authenticate_box = secretbox(requester_box_key, bytes([1]) + bytes(23), authenticate)
        accept = pb_bytes(1, ed_sign(seed_b, ab))
        accept_box = secretbox(responder_box_key, bytes([2]) + bytes(23), accept)
        cases.append(dict(name=f"handshake-{i}", requesterSeed=seed_a, requesterAccountId=id_a,
                          responderSeed=seed_b, responderAccountId=id_b, requesterEphemeralSecret=eph_a,
                          requesterEphemeralPub=pub_a, responderEphemeralSecret=eph_b, responderEphemeralPub=pub_b,
                          ab=ab, requesterBoxKey=requester_box_key, responderBoxKey=responder_box_key,
                          helloRequester=pb_bytes(1, pub_a), helloResponder=pb_bytes(1, pub_b),
                          requesterAuthenticate=authenticate, requesterAuthenticateBox=authenticate_box,
                          requesterAuthenticateFrame=pb_bytes(1, authenticate_box),
                          responderAccept=accept, responderAcceptBox=accept_box,
                          responderAcceptFrame=pb_bytes(1, accept_box),
                          requesterAcknowledgeFrame=pb_bool(1, True)))
    return cases


def main() -> None:
    doc = {
        "source": "Computed independently of the TypeScript code: libsodium through PyNaCl (Ed25519, X25519, "
                  "crypto_sign_ed25519_*_to_curve25519, crypto_box, crypto_box_beforenm, crypto_secretbox), "
                  "HKDF from `cryptography` (SHA-256, SHA3-256), hashlib, and a hand-written proto3 encoder, "
                  "following PROTOCOL.md §4, §5 and §6.1 and the reference weshnet constructions.",
        "generator": GENERATOR,
        "contactGroups": gen_contact_groups(),
        "memberKeys": gen_member_keys(),
        "groupKeys": gen_link_and_sign_keys(),
        "groups": gen_groups(),
        "contactCards": gen_contact_cards(),
        "chainKeyBoxes": gen_chain_key_boxes(),
        "messageEnvelopes": gen_message_envelopes(),
        "groupEnvelopes": gen_group_envelopes(),
        "signedEntries": gen_signed_entries(),
        "handshakes": gen_handshakes(),
        "replicationBlocks": gen_replication_blocks(),
        "attachments": gen_attachments(),
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "groups.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(hexify(doc), indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
