import {
  assertBytes,
  boxPrecompute,
  concatBytes,
  constantTimeEqual,
  edToX25519PublicKey,
  edToX25519SecretKey,
  erase,
  seal,
  sha256,
  sign,
  verify,
} from '@wesh/crypto'
import { KEY_BYTES, NONCE_BYTES, SIGNATURE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { openOrFail } from './message-envelope.js'
import { decodeWire, encodeWire } from './wire.js'

// PROTOCOL.md §6.1, the reference's contact-request handshake (internal/handshake):
//   ab              = Pre(a, b)
//   requesterBoxKey = SHA256(ab ‖ Pre(a, edToX(B)))            seals RequesterAuthenticate, nonce 0x01‖0²³
//   responderBoxKey = SHA256(ab ‖ Pre(edToX(A), edToX(B)))     seals ResponderAccept,       nonce 0x02‖0²³
// Pre is NaCl's crypto_box_beforenm (HSalsa20 of the X25519 output), symmetric in its two sides.

/** Nonce of the RequesterAuthenticate box: `0x01 ‖ 0²³`. */
const REQUESTER_AUTHENTICATE_NONCE: Uint8Array = nonceWithFirstByte(1)
/** Nonce of the ResponderAccept box: `0x02 ‖ 0²³`. */
const RESPONDER_ACCEPT_NONCE: Uint8Array = nonceWithFirstByte(2)
/** libp2p's protobuf public-key prefix for Ed25519: `KeyType = 1` (field 1), `Data` of 32 bytes (field 2). */
const LIBP2P_ED25519_PUBLIC_KEY_PREFIX: Uint8Array = Uint8Array.of(0x08, 0x01, 0x12, 0x20)

/** The three keys of one handshake, the same on both sides. All secret. */
export interface HandshakeKeys {
  readonly ab: Uint8Array
  readonly requesterBoxKey: Uint8Array
  readonly responderBoxKey: Uint8Array
}

/** The requester's keys: `accountSeed` = A's seed, `ephemeralSecret` = a, `peerEphemeralPub` = b, `peerAccountId` = B. */
export function requesterHandshakeKeys(args: {
  accountSeed: Uint8Array
  ephemeralSecret: Uint8Array
  peerEphemeralPub: Uint8Array
  peerAccountId: Uint8Array
}): HandshakeKeys {
  const { accountSeed, ephemeralSecret, peerEphemeralPub, peerAccountId } = args
  assertBytes(accountSeed, 'accountSeed', KEY_BYTES)
  assertBytes(ephemeralSecret, 'ephemeralSecret', KEY_BYTES)
  assertBytes(peerEphemeralPub, 'peerEphemeralPub', KEY_BYTES)
  assertBytes(peerAccountId, 'peerAccountId', KEY_BYTES)
  const peerAccountX = edToX25519PublicKey(peerAccountId)
  const ab = boxPrecompute(ephemeralSecret, peerEphemeralPub)
  const ownAccountX = edToX25519SecretKey(accountSeed)
  const aB = boxPrecompute(ephemeralSecret, peerAccountX)
  const AB = boxPrecompute(ownAccountX, peerAccountX)
  try {
    return { ab, requesterBoxKey: hashed(ab, aB), responderBoxKey: hashed(ab, AB) }
  } finally {
    erase(ownAccountX, aB, AB)
  }
}

/**
 * The responder's keys: `accountSeed` = B's seed, `ephemeralSecret` = b, `peerEphemeralPub` = a,
 * `peerAccountId` = A (learnt from the RequesterAuthenticate box, which {@link responderAuthenticateKey} opens).
 */
export function responderHandshakeKeys(args: {
  accountSeed: Uint8Array
  ephemeralSecret: Uint8Array
  peerEphemeralPub: Uint8Array
  peerAccountId: Uint8Array
}): HandshakeKeys {
  const { accountSeed, ephemeralSecret, peerEphemeralPub, peerAccountId } = args
  assertBytes(peerAccountId, 'peerAccountId', KEY_BYTES)
  const peerAccountX = edToX25519PublicKey(peerAccountId)
  const { ab, requesterBoxKey } = responderAuthenticateKey({ accountSeed, ephemeralSecret, peerEphemeralPub })
  const ownAccountX = edToX25519SecretKey(accountSeed)
  const AB = boxPrecompute(ownAccountX, peerAccountX)
  try {
    return { ab, requesterBoxKey, responderBoxKey: hashed(ab, AB) }
  } finally {
    erase(ownAccountX, AB)
  }
}

/** What the responder can compute before it knows A: `ab` and the key of the RequesterAuthenticate box. */
export function responderAuthenticateKey(args: {
  accountSeed: Uint8Array
  ephemeralSecret: Uint8Array
  peerEphemeralPub: Uint8Array
}): { ab: Uint8Array; requesterBoxKey: Uint8Array } {
  const { accountSeed, ephemeralSecret, peerEphemeralPub } = args
  assertBytes(accountSeed, 'accountSeed', KEY_BYTES)
  assertBytes(ephemeralSecret, 'ephemeralSecret', KEY_BYTES)
  assertBytes(peerEphemeralPub, 'peerEphemeralPub', KEY_BYTES)
  const ab = boxPrecompute(ephemeralSecret, peerEphemeralPub)
  const ownAccountX = edToX25519SecretKey(accountSeed)
  const Ba = boxPrecompute(ownAccountX, peerEphemeralPub)
  try {
    return { ab, requesterBoxKey: hashed(ab, Ba) }
  } finally {
    erase(ownAccountX, Ba)
  }
}

/** `0x08 0x01 0x12 0x20 ‖ accountId`: libp2p's protobuf form of an Ed25519 public key. */
export function libp2pPublicKey(accountId: Uint8Array): Uint8Array {
  assertBytes(accountId, 'accountId', KEY_BYTES)
  return concatBytes(LIBP2P_ED25519_PUBLIC_KEY_PREFIX, accountId)
}

/** The Ed25519 key of a libp2p protobuf public key; throws `HANDSHAKE_FAILED` for any other key or form. */
export function parseLibp2pPublicKey(bytes: Uint8Array): Uint8Array {
  assertBytes(bytes, 'bytes')
  const prefix = LIBP2P_ED25519_PUBLIC_KEY_PREFIX.length
  if (
    bytes.length !== prefix + KEY_BYTES ||
    !constantTimeEqual(bytes.subarray(0, prefix), LIBP2P_ED25519_PUBLIC_KEY_PREFIX)
  ) {
    throw failed('requester_account_id is not a libp2p Ed25519 public key')
  }
  const key = bytes.slice(prefix)
  try {
    edToX25519PublicKey(key)
  } catch (cause) {
    throw failed('requester_account_id is not a valid Ed25519 point', cause)
  }
  return key
}

/** Step 1/2 frame: `pb(HelloPayload { ephemeral_pub_key })`. */
export function encodeHello(ephemeralPub: Uint8Array): Uint8Array {
  assertBytes(ephemeralPub, 'ephemeralPub', KEY_BYTES)
  return encodeWire('HelloPayload', { ephemeralPubKey: ephemeralPub })
}

/** Reads a Hello frame; throws `MALFORMED_MESSAGE` unless it carries a 32-byte key. */
export function decodeHello(frame: Uint8Array): Uint8Array {
  const { ephemeralPubKey } = decodeWire('HelloPayload', frame)
  if (ephemeralPubKey.length !== KEY_BYTES) {
    throw groupsError(GroupsErrorCode.MALFORMED_MESSAGE, 'Hello.ephemeral_pub_key must be 32 bytes')
  }
  return ephemeralPubKey
}

/**
 * Step 3 frame, `pb(BoxEnvelope { box })` where box = `Seal(requesterBoxKey, 0x01‖0²³, pb(RequesterAuthenticate {
 * requester_account_id = libp2p key of A, requester_account_sig = Sign(A, ab) }))`.
 */
export function sealRequesterAuthenticate(args: {
  keys: Pick<HandshakeKeys, 'ab' | 'requesterBoxKey'>
  accountSeed: Uint8Array
  accountId: Uint8Array
}): Uint8Array {
  const { keys, accountSeed, accountId } = args
  assertBytes(keys.ab, 'ab', KEY_BYTES)
  assertBytes(keys.requesterBoxKey, 'requesterBoxKey', KEY_BYTES)
  const payload = encodeWire('RequesterAuthenticatePayload', {
    requesterAccountId: libp2pPublicKey(accountId),
    requesterAccountSig: sign(accountSeed, keys.ab),
  })
  return encodeWire('BoxEnvelope', { box: seal(keys.requesterBoxKey, REQUESTER_AUTHENTICATE_NONCE, payload) })
}

/**
 * Opens step 3 on the responder: returns the requester's account ID A after checking `Sign(A, ab)`.
 * Throws `DECRYPTION_FAILED`, `MALFORMED_MESSAGE`, `HANDSHAKE_FAILED` or `INVALID_SIGNATURE`.
 */
export function openRequesterAuthenticate(args: {
  keys: { ab: Uint8Array; requesterBoxKey: Uint8Array }
  frame: Uint8Array
}): Uint8Array {
  const { keys, frame } = args
  assertBytes(keys.ab, 'ab', KEY_BYTES)
  assertBytes(keys.requesterBoxKey, 'requesterBoxKey', KEY_BYTES)
  const { box } = decodeWire('BoxEnvelope', frame)
  const plaintext = openOrFail(
    keys.requesterBoxKey,
    REQUESTER_AUTHENTICATE_NONCE,
    box,
    'RequesterAuthenticate box',
  )
  const { requesterAccountId, requesterAccountSig } = decodeWire('RequesterAuthenticatePayload', plaintext)
  const accountId = parseLibp2pPublicKey(requesterAccountId)
  if (requesterAccountSig.length !== SIGNATURE_BYTES || !verify(accountId, keys.ab, requesterAccountSig)) {
    throw groupsError(GroupsErrorCode.INVALID_SIGNATURE, 'requester_account_sig does not verify')
  }
  return accountId
}

/** Step 4 frame: `pb(BoxEnvelope)` of `Seal(responderBoxKey, 0x02‖0²³, pb(ResponderAccept { Sign(B, ab) }))`. */
export function sealResponderAccept(args: {
  keys: Pick<HandshakeKeys, 'ab' | 'responderBoxKey'>
  accountSeed: Uint8Array
}): Uint8Array {
  const { keys, accountSeed } = args
  assertBytes(keys.ab, 'ab', KEY_BYTES)
  assertBytes(keys.responderBoxKey, 'responderBoxKey', KEY_BYTES)
  const payload = encodeWire('ResponderAcceptPayload', { responderAccountSig: sign(accountSeed, keys.ab) })
  return encodeWire('BoxEnvelope', { box: seal(keys.responderBoxKey, RESPONDER_ACCEPT_NONCE, payload) })
}

/** Opens step 4 on the requester and checks `Sign(B, ab)`; throws `DECRYPTION_FAILED`, `MALFORMED_MESSAGE` or `INVALID_SIGNATURE`. */
export function openResponderAccept(args: {
  keys: Pick<HandshakeKeys, 'ab' | 'responderBoxKey'>
  peerAccountId: Uint8Array
  frame: Uint8Array
}): void {
  const { keys, peerAccountId, frame } = args
  assertBytes(keys.ab, 'ab', KEY_BYTES)
  assertBytes(keys.responderBoxKey, 'responderBoxKey', KEY_BYTES)
  assertBytes(peerAccountId, 'peerAccountId', KEY_BYTES)
  const { box } = decodeWire('BoxEnvelope', frame)
  const plaintext = openOrFail(keys.responderBoxKey, RESPONDER_ACCEPT_NONCE, box, 'ResponderAccept box')
  const { responderAccountSig } = decodeWire('ResponderAcceptPayload', plaintext)
  if (
    responderAccountSig.length !== SIGNATURE_BYTES ||
    !verify(peerAccountId, keys.ab, responderAccountSig)
  ) {
    throw groupsError(GroupsErrorCode.INVALID_SIGNATURE, 'responder_account_sig does not verify')
  }
}

/** Step 5 frame: `pb(RequesterAcknowledge { success: true })`. */
export function encodeRequesterAcknowledge(): Uint8Array {
  return encodeWire('RequesterAcknowledgePayload', { success: true })
}

/** Reads step 5; throws `HANDSHAKE_FAILED` unless `success` is true. */
export function decodeRequesterAcknowledge(frame: Uint8Array): void {
  const { success } = decodeWire('RequesterAcknowledgePayload', frame)
  if (!success) throw failed('the requester did not acknowledge')
}

function hashed(ab: Uint8Array, other: Uint8Array): Uint8Array {
  const joined = concatBytes(ab, other)
  try {
    return sha256(joined)
  } finally {
    erase(joined)
  }
}

function nonceWithFirstByte(value: number): Uint8Array {
  const nonce = new Uint8Array(NONCE_BYTES)
  nonce[0] = value
  return nonce
}

function failed(message: string, cause?: unknown) {
  return groupsError(GroupsErrorCode.HANDSHAKE_FAILED, message, { cause })
}
