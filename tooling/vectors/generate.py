#!/usr/bin/env python3
"""Independent test-vector generator for the Wesh TypeScript crypto packages.

Vectors come from RFC texts (asserted against Python libraries) and from
libsodium (via PyNaCl) / OpenSSL (via `cryptography`). Nothing here uses the
TypeScript code. All inputs are fixed, so reruns produce identical files.

Run from the repository root:  /usr/bin/python3 tooling/vectors/generate.py
"""
import hashlib
import hmac
import json
import os

import nacl.bindings as sodium
from nacl.exceptions import BadSignatureError
from nacl.secret import SecretBox
from nacl.signing import SigningKey, VerifyKey
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

GENERATOR = "tooling/vectors/generate.py"
CRYPTO_DIR = os.path.join("packages", "crypto", "test", "vectors")
RATCHET_DIR = os.path.join("packages", "ratchet", "test", "vectors")
ZERO32 = bytes(32)
BASE_POINT = bytes([9]) + bytes(31)
ED25519_L = 2**252 + 27742317777372353535851937790883648493


# ---------------------------------------------------------------- helpers
def h(data: str) -> bytes:
    return bytes.fromhex(data.replace(" ", ""))


def sha256(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def stream(label: str, length: int) -> bytes:
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


def write(directory: str, name: str, source: str, cases=None, **extra) -> None:
    os.makedirs(directory, exist_ok=True)
    doc = {"source": source, "generator": GENERATOR}
    doc.update(extra)
    if cases is not None:
        doc["cases"] = cases
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(hexify(doc), indent=2) + "\n")
    count = len(cases) if cases is not None else len(extra.get("chains", []))
    print(f"wrote {path} ({count} {'cases' if cases is not None else 'chains'})")


def hkdf_lib(algo, ikm, salt, info, length):
    return HKDF(algorithm=algo, length=length, salt=salt, info=info).derive(ikm)


def hkdf_manual(hash_name, ikm, salt, info, length):
    """Plain RFC 5869 on top of hashlib/hmac, used as a cross-check."""
    hash_len = hashlib.new(hash_name).digest_size
    prk = hmac.new(salt or bytes(hash_len), ikm, hash_name).digest()
    okm, block = b"", b""
    for i in range(1, -(-length // hash_len) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hash_name).digest()
        okm += block
    return okm[:length]


# ---------------------------------------------------------------- HKDF
def gen_hkdf_sha256():
    rfc = [  # RFC 5869 Appendix A.1 - A.3
        ("rfc5869-a1", h("0b" * 22), h("000102030405060708090a0b0c"), h("f0f1f2f3f4f5f6f7f8f9"), 42,
         h("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")),
        ("rfc5869-a2", bytes(range(0x00, 0x50)), bytes(range(0x60, 0xb0)), bytes(range(0xb0, 0x100)), 82,
         h("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
           "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
           "cc30c58179ec3e87c14c01d5c1f3434f1d87")),
        ("rfc5869-a3", h("0b" * 22), b"", b"", 42,
         h("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")),
    ]
    cases = []
    for name, ikm, salt, info, length, okm in rfc:
        assert hkdf_lib(hashes.SHA256(), ikm, salt, info, length) == okm, name
        assert hkdf_manual("sha256", ikm, salt, info, length) == okm, name
        cases.append(dict(name=name, ikm=ikm, salt=salt, info=info, length=length, okm=okm))
    ikm = sha256("wesh-hkdf-sha256-ikm")
    for name, info, length in [("zero-salt-groupid-64", b"some-group-id-bytes", 64),
                               ("zero-salt-empty-info-32", b"", 32),
                               ("zero-salt-groupid-32", b"some-group-id-bytes", 32)]:
        okm = hkdf_lib(hashes.SHA256(), ikm, ZERO32, info, length)
        assert okm == hkdf_manual("sha256", ikm, ZERO32, info, length)
        cases.append(dict(name=name, ikm=ikm, salt=ZERO32, info=info, length=length, okm=okm))
    write(CRYPTO_DIR, "hkdf-sha256.json",
          "RFC 5869 Appendix A.1-A.3 plus extra cases computed with python-cryptography HKDF(SHA256).",
          cases)


def gen_hkdf_sha3_256():
    specs = [
        ("zero-salt-info32-len32", sha256("wesh-hkdf-sha3-ikm-1"), ZERO32, sha256("wesh-hkdf-sha3-info"), 32),
        ("zero-salt-info32-len64", sha256("wesh-hkdf-sha3-ikm-1"), ZERO32, sha256("wesh-hkdf-sha3-info"), 64),
        ("salt32-empty-info-len64", sha256("wesh-hkdf-sha3-ikm-2"), sha256("wesh-hkdf-sha3-salt"), b"", 64),
        ("short-salt-info-len42", h("0b" * 22), h("000102030405060708090a0b0c"), h("f0f1f2f3f4f5f6f7f8f9"), 42),
    ]
    cases = []
    for name, ikm, salt, info, length in specs:
        okm = hkdf_lib(hashes.SHA3_256(), ikm, salt, info, length)
        assert okm == hkdf_manual("sha3_256", ikm, salt, info, length), name
        cases.append(dict(name=name, ikm=ikm, salt=salt, info=info, length=length, okm=okm))
    write(CRYPTO_DIR, "hkdf-sha3-256.json",
          "python-cryptography HKDF(SHA3_256) (RFC 5869 construction), cross-checked with hashlib/hmac sha3_256.",
          cases)


# ---------------------------------------------------------------- HMAC
def gen_hmac_sha256():
    rfc = [  # RFC 4231 test cases (case 5 is truncated and omitted)
        ("rfc4231-1", h("0b" * 20), b"Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("rfc4231-2", b"Jefe", b"what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("rfc4231-3", h("aa" * 20), h("dd" * 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("rfc4231-4", bytes(range(1, 26)), h("cd" * 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("rfc4231-6", h("aa" * 131), b"Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("rfc4231-7", h("aa" * 131),
         b"This is a test using a larger than block-size key and a larger than block-size data."
         b" The key needs to be hashed before being used by the HMAC algorithm.",
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
    cases = []
    for name, key, data, mac in rfc:
        assert hmac.new(key, data, "sha256").hexdigest() == mac, name
        cases.append(dict(name=name, key=key, data=data, mac=h(mac)))
    write(CRYPTO_DIR, "hmac-sha256.json",
          "RFC 4231 test cases 1, 2, 3, 4, 6, 7 (HMAC-SHA-256), asserted with Python hmac.", cases)


# ---------------------------------------------------------------- X25519
RFC7748_ALICE_SK = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
RFC7748_ALICE_PK = h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
RFC7748_BOB_SK = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
RFC7748_BOB_PK = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
RFC7748_SHARED = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")


def x25519_lib(scalar, u):
    out = X25519PrivateKey.from_private_bytes(scalar).exchange(X25519PublicKey.from_public_bytes(u))
    assert out == sodium.crypto_scalarmult(scalar, u)
    return out


def gen_x25519():
    rfc = [
        ("rfc7748-5.2-1", h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
         h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
         h("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")),
        ("rfc7748-5.2-2", h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
         h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
         h("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")),
        ("rfc7748-6.1-alice-public", RFC7748_ALICE_SK, BASE_POINT, RFC7748_ALICE_PK),
        ("rfc7748-6.1-bob-public", RFC7748_BOB_SK, BASE_POINT, RFC7748_BOB_PK),
        ("rfc7748-6.1-shared-alice", RFC7748_ALICE_SK, RFC7748_BOB_PK, RFC7748_SHARED),
        ("rfc7748-6.1-shared-bob", RFC7748_BOB_SK, RFC7748_ALICE_PK, RFC7748_SHARED),
    ]
    cases = []
    for name, scalar, u, out in rfc:
        assert x25519_lib(scalar, u) == out, name
        cases.append(dict(name=name, scalar=scalar, u=u, out=out))
    assert sodium.crypto_scalarmult_base(RFC7748_ALICE_SK) == RFC7748_ALICE_PK
    write(CRYPTO_DIR, "x25519.json",
          "RFC 7748 sections 5.2 and 6.1, asserted with python-cryptography X25519 and libsodium crypto_scalarmult.",
          cases)


# ---------------------------------------------------------------- Ed25519
def ed25519_rfc8032():
    return [  # RFC 8032 section 7.1
        ("rfc8032-test1", h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
         h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"), b"",
         h("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")),
        ("rfc8032-test2", h("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
         h("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), h("72"),
         h("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")),
        ("rfc8032-test3", h("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"),
         h("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"), h("af82"),
         h("6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")),
        ("rfc8032-test-sha-abc", h("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"),
         h("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"),
         h("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
         h("dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704")),
    ]


def ed25519_verifies(public_key, message, signature) -> bool:
    try:
        VerifyKey(public_key).verify(message, signature)
        return True
    except BadSignatureError:
        return False


def gen_ed25519():
    cases = []
    for name, seed, pub, msg, sig in ed25519_rfc8032():
        if name == "rfc8032-test-sha-abc":
            assert msg == hashlib.sha512(b"abc").digest()
        sk = SigningKey(seed)
        assert bytes(sk.verify_key) == pub, name
        assert sk.sign(msg).signature == sig, name
        assert ed25519_verifies(pub, msg, sig), name
        cases.append(dict(name=name, seed=seed, publicKey=pub, message=msg, signature=sig))
    for name, label, msg in [("pynacl-empty-message", "wesh-ed25519-1", b""),
                             ("pynacl-1024-byte-message", "wesh-ed25519-2", bytes(range(256)) * 4)]:
        sk = SigningKey(sha256(label))
        sig = sk.sign(msg).signature
        assert ed25519_verifies(bytes(sk.verify_key), msg, sig)
        cases.append(dict(name=name, seed=sha256(label), publicKey=bytes(sk.verify_key), message=msg, signature=sig))
    write(CRYPTO_DIR, "ed25519.json",
          "RFC 8032 section 7.1 (TEST 1, 2, 3, SHA(abc)) plus extra cases signed with PyNaCl/libsodium.", cases)

    _, seed, pub, msg, sig = ed25519_rfc8032()[2]  # TEST 3: non-empty message
    s = int.from_bytes(sig[32:], "little")
    assert s < ED25519_L and s + ED25519_L < 2**256
    other_pub = bytes(SigningKey(sha256("wesh-ed25519-1")).verify_key)

    def flip(data, index, bit=0):
        b = bytearray(data)
        b[index] ^= 1 << bit
        return bytes(b)

    invalid = [
        ("flipped-bit-in-r", pub, msg, flip(sig, 0)),
        ("flipped-bit-in-s", pub, msg, flip(sig, 32)),
        ("non-canonical-s-plus-l", pub, msg, sig[:32] + (s + ED25519_L).to_bytes(32, "little")),
        ("wrong-message", pub, msg + b"\x00", sig),
        ("wrong-public-key", other_pub, msg, sig),
    ]
    cases = []
    for name, p, m, sg in invalid:
        assert not ed25519_verifies(p, m, sg), name
        cases.append(dict(name=name, publicKey=p, message=m, signature=sg))
    write(CRYPTO_DIR, "ed25519-invalid.json",
          "Mutations of RFC 8032 TEST 3; every case is rejected by PyNaCl/libsodium crypto_sign_verify_detached.",
          cases)


def clamp(scalar: bytes) -> bytes:
    a = bytearray(scalar)
    a[0] &= 248
    a[31] &= 127
    a[31] |= 64
    return bytes(a)


def gen_ed_to_x25519():
    cases, clamped = [], []
    for i in range(1, 5):
        seed = sha256(f"wesh-ed-to-x25519-{i}")
        sk = SigningKey(seed)
        ed_pub = bytes(sk.verify_key)
        x_pub = sodium.crypto_sign_ed25519_pk_to_curve25519(ed_pub)
        x_sec = sodium.crypto_sign_ed25519_sk_to_curve25519(seed + ed_pub)
        raw = hashlib.sha512(seed).digest()[:32]
        assert x_sec == clamp(raw) or x_sec == raw
        clamped.append(x_sec == clamp(raw))
        assert sodium.crypto_scalarmult_base(x_sec) == x_pub
        assert x25519_lib(x_sec, BASE_POINT) == x_pub
        assert bytes(sk.to_curve25519_private_key()) == x_sec
        cases.append(dict(name=f"seed-{i}", seed=seed, edPublicKey=ed_pub, xPublicKey=x_pub, xSecretKey=x_sec))
    assert all(clamped), "libsodium returned an unclamped secret key"
    write(CRYPTO_DIR, "ed-to-x25519.json",
          "libsodium crypto_sign_ed25519_{pk,sk}_to_curve25519 via PyNaCl; xSecretKey equals clamped "
          "SHA-512(seed)[0:32] (libsodium returns it clamped).", cases)
    return all(clamped)


# ---------------------------------------------------------------- NaCl boxes
NACL_NONCE = h("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37")
NACL_FIRSTKEY = h("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389")
NACL_MESSAGE = h(
    "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c6129"
    "6cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
    "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705")
NACL_BOX = h(
    "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186a"
    "c0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
    "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74"
    "e355a5")


def secretbox(key, nonce, plaintext):
    box = SecretBox(key).encrypt(plaintext, nonce).ciphertext
    assert len(box) == len(plaintext) + 16
    assert box == sodium.crypto_secretbox(plaintext, nonce, key)
    assert SecretBox(key).decrypt(box, nonce) == plaintext
    return box


def gen_secretbox():
    cases = []
    for length in [0, 1, 31, 64, 1024, 16384]:
        label = f"wesh-secretbox-{length}"
        key = sha256(label + "-key")
        nonce = hashlib.sha512((label + "-nonce").encode()).digest()[:24]
        pt = stream(label + "-plaintext", length)
        cases.append(dict(name=f"plaintext-{length}", key=key, nonce=nonce, plaintext=pt,
                          box=secretbox(key, nonce, pt)))
    assert secretbox(NACL_FIRSTKEY, NACL_NONCE, NACL_MESSAGE) == NACL_BOX
    cases.append(dict(name="nacl-classic-secretbox", key=NACL_FIRSTKEY, nonce=NACL_NONCE,
                      plaintext=NACL_MESSAGE, box=NACL_BOX))
    write(CRYPTO_DIR, "secretbox.json",
          "libsodium crypto_secretbox_easy (XSalsa20-Poly1305, tag || ciphertext) via PyNaCl, plus the "
          "classic NaCl secretbox vector.", cases)


def box_case(name, sender_sk, recipient_sk, nonce, pt):
    sender_pk = sodium.crypto_scalarmult_base(sender_sk)
    recipient_pk = sodium.crypto_scalarmult_base(recipient_sk)
    k = sodium.crypto_box_beforenm(recipient_pk, sender_sk)
    assert k == sodium.crypto_box_beforenm(sender_pk, recipient_sk)
    box = sodium.crypto_box(pt, nonce, recipient_pk, sender_sk)
    assert len(box) == len(pt) + 16
    assert box == sodium.crypto_box_afternm(pt, nonce, k)
    assert box == secretbox(k, nonce, pt)
    assert sodium.crypto_box_open(box, nonce, sender_pk, recipient_sk) == pt
    return dict(name=name, senderSecret=sender_sk, senderPublic=sender_pk, recipientSecret=recipient_sk,
                recipientPublic=recipient_pk, precomputed=k, nonce=nonce, plaintext=pt, box=box)


def gen_box():
    cases = []
    for length in [0, 5, 100, 1024]:
        label = f"wesh-box-{length}"
        cases.append(box_case(f"plaintext-{length}", sha256(label + "-sender"), sha256(label + "-recipient"),
                              hashlib.sha512((label + "-nonce").encode()).digest()[:24],
                              stream(label + "-plaintext", length)))
    classic = box_case("nacl-classic-alice-to-bob", RFC7748_ALICE_SK, RFC7748_BOB_SK, NACL_NONCE, NACL_MESSAGE)
    assert classic["senderPublic"] == RFC7748_ALICE_PK and classic["recipientPublic"] == RFC7748_BOB_PK
    assert classic["precomputed"] == NACL_FIRSTKEY and classic["box"] == NACL_BOX
    cases.append(classic)
    write(CRYPTO_DIR, "box.json",
          "libsodium crypto_box_easy / crypto_box_beforenm (X25519-XSalsa20-Poly1305, tag || ciphertext) via "
          "PyNaCl, plus the classic NaCl alice/bob box vector.", cases)

    cases = []
    pairs = [(f"derived-{i}", sha256(f"wesh-hsalsa20-{i}-a"), sha256(f"wesh-hsalsa20-{i}-b")) for i in (1, 2, 3)]
    pairs.append(("nacl-classic-alice-bob", RFC7748_ALICE_SK, RFC7748_BOB_SK))
    for name, sk, other_sk in pairs:
        pk = sodium.crypto_scalarmult_base(other_sk)
        shared = sodium.crypto_scalarmult(sk, pk)
        out = sodium.crypto_box_beforenm(pk, sk)
        cases.append(dict(name=name, key=shared, input16=bytes(16), out=out))
    assert cases[-1]["key"] == RFC7748_SHARED and cases[-1]["out"] == NACL_FIRSTKEY
    write(CRYPTO_DIR, "hsalsa20.json",
          "HSalsa20(key=X25519 shared secret, input=0^16) obtained from libsodium crypto_box_beforenm via PyNaCl.",
          cases)


# ---------------------------------------------------------------- ratchet
RATCHET_DEFINITION = (
    "HKDF is RFC 5869 HKDF-SHA256 with salt = 32 zero bytes. step(ck, groupId): okm = HKDF(ikm=ck, "
    "salt=0^32, info=groupId, L=64); nextChainKey = okm[0:32]; messageKey = okm[32:64]. nonce(n) = 8-byte "
    "big-endian n followed by 16 zero bytes (24 bytes). The sender state (ck, c) starts at (initialChainKey, "
    "initialCounter). To send plaintext pt: (ck', mk) = step(ck, groupId); n = c + 1; ciphertext = NaCl "
    "secretbox (XSalsa20-Poly1305, output tag || ciphertext) of pt under key mk and nonce(n); the state "
    "becomes (ck', n). The plaintext of message n in these vectors is UTF-8 'wesh message {n}'.")


def ratchet_step(ck, group_id):
    okm = hkdf_lib(hashes.SHA256(), ck, ZERO32, group_id, 64)
    assert okm == hkdf_manual("sha256", ck, ZERO32, group_id, 64)
    return okm[:32], okm[32:]


def ratchet_nonce(n):
    nonce = n.to_bytes(8, "big") + bytes(16)
    assert len(nonce) == 24 and int.from_bytes(nonce[:8], "big") == n and nonce[8:] == bytes(16)
    return nonce


def ratchet_chain(name, group_id, initial_ck, initial_counter, count, keep=None):
    ck, c, steps, all_ct = initial_ck, initial_counter, [], []
    for _ in range(count):
        next_ck, mk = ratchet_step(ck, group_id)
        n = c + 1
        nonce = ratchet_nonce(n)
        pt = f"wesh message {n}".encode()
        ct = secretbox(mk, nonce, pt)
        assert SecretBox(mk).decrypt(ct, nonce) == pt
        all_ct.append(ct)
        if keep is None or n in keep:
            steps.append(dict(counter=n, chainKeyBefore=ck, messageKey=mk, nextChainKey=next_ck,
                              nonce=nonce, plaintext=pt, ciphertext=ct))
        ck, c = next_ck, n
    chain = dict(name=name, groupId=group_id, initialChainKey=initial_ck, initialCounter=initial_counter,
                 steps=steps, finalChainKey=ck, finalCounter=c)
    if keep is not None:
        chain["ciphertextSha256OfAll"] = hashlib.sha256(b"".join(all_ct)).digest()
    return chain


def gen_ratchet():
    chains = [
        ratchet_chain("one-message", sha256("wesh-ratchet-group-1"), sha256("wesh-ratchet-ck-1"), 0, 1),
        ratchet_chain("two-messages", sha256("wesh-ratchet-group-2"), sha256("wesh-ratchet-ck-2"), 0, 2),
        ratchet_chain("thousand-messages", sha256("wesh-ratchet-group-1000"), sha256("wesh-ratchet-ck-1000"),
                      0, 1000, keep={1, 2, 3, 500, 999, 1000}),
        ratchet_chain("start-at-counter-41", sha256("wesh-ratchet-group-41"), sha256("wesh-ratchet-ck-41"), 41, 3),
        ratchet_chain("group-id-all-ff", b"\xff" * 32, sha256("wesh-ratchet-ck-ff"), 0, 3),
    ]
    assert [s["counter"] for s in chains[2]["steps"]] == [1, 2, 3, 500, 999, 1000]
    assert [s["counter"] for s in chains[3]["steps"]] == [42, 43, 44]
    write(RATCHET_DIR, "ratchet.json",
          "Wesh symmetric ratchet computed with python-cryptography HKDF(SHA256) and libsodium secretbox via PyNaCl.",
          definition=RATCHET_DEFINITION, chains=chains)


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.chdir(root)
    gen_hkdf_sha256()
    gen_hkdf_sha3_256()
    gen_hmac_sha256()
    gen_x25519()
    gen_ed25519()
    clamped = gen_ed_to_x25519()
    gen_secretbox()
    gen_box()
    gen_ratchet()
    print(f"libsodium ed25519 sk -> curve25519 secret is clamped: {clamped}")


if __name__ == "__main__":
    main()
