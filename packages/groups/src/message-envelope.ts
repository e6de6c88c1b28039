import {
  assertBytes,
  ed25519PublicKey,
  isWeshError,
  open,
  randomBytes,
  seal,
  toHex,
  verify,
} from '@wesh/crypto'
import { MAX_COUNTER, type RatchetReceiver, type RatchetSender } from '@wesh/ratchet'
import { KEY_BYTES, MAX_PAYLOAD_BYTES, NONCE_BYTES, SIGNATURE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { type SigningKey, signWith } from './signer.js'
import { decodeWire, encodeWire } from './wire.js'

// PROTOCOL.md §5 "Message":
//   EncryptedMessage { plaintext = 1, protocol_metadata = 2 }
//   MessageHeaders   { counter = 1, device_pk = 2, sig = Sign(deviceKey, pb(EncryptedMessage)) }
//   MessageEnvelope  { message_headers = Seal(secret, nonce_h, pb(MessageHeaders)),
//                      message = Seal(mk, nonce(n), pb(EncryptedMessage)), nonce = nonce_h }
// As the reference does, `protocol_metadata` is always written, empty (two bytes 0x12 0x00).

/** The device key writing a message or an event: its seed, or a parsed signer (faster when reused). */
export type DeviceKey = SigningKey

/**
 * Seals `plaintext` as the next message of `sender`'s chain. `headerNonce` is random unless given (fixed only for
 * test vectors: a repeated nonce under the group secret leaks the headers).
 */
export function sealMessage(args: {
  secret: Uint8Array
  sender: Pick<RatchetSender, 'encrypt'>
  deviceKey: DeviceKey
  plaintext: Uint8Array
  headerNonce?: Uint8Array
}): { envelope: Uint8Array; counter: number } {
  const { secret, sender, deviceKey, plaintext, headerNonce = randomBytes(NONCE_BYTES) } = args
  assertBytes(secret, 'secret', KEY_BYTES)
  assertBytes(plaintext, 'plaintext', { max: MAX_PAYLOAD_BYTES })
  assertBytes(headerNonce, 'headerNonce', NONCE_BYTES)
  const devicePk = deviceKey instanceof Uint8Array ? ed25519PublicKey(deviceKey) : deviceKey.publicKey
  const encryptedMessage = encodeWire('EncryptedMessage', { plaintext, protocolMetadata: {} })
  const sig = signWith(deviceKey, encryptedMessage, 'deviceKey')
  const { counter, ciphertext } = sender.encrypt(encryptedMessage)
  const headers = encodeWire('MessageHeaders', { counter: BigInt(counter), devicePk, sig })
  const envelope = encodeWire('MessageEnvelope', {
    messageHeaders: seal(secret, headerNonce, headers),
    message: ciphertext,
    nonce: headerNonce,
  })
  return { envelope, counter }
}

/** The readable part of a message envelope, opened with the group secret alone. */
export interface OpenedMessageHeaders {
  readonly counter: number
  readonly devicePk: Uint8Array
  readonly sig: Uint8Array
  readonly metadata: ReadonlyMap<string, string>
  /** The ratchet ciphertext of `pb(EncryptedMessage)`. */
  readonly ciphertext: Uint8Array
}

/**
 * Opens an envelope's headers with the group secret: who sent it and at which counter. Throws `MALFORMED_MESSAGE`,
 * `MESSAGE_TOO_LARGE`, or `DECRYPTION_FAILED` (another group's envelope, or altered bytes).
 */
export function openMessageHeaders(secret: Uint8Array, envelope: Uint8Array): OpenedMessageHeaders {
  assertBytes(secret, 'secret', KEY_BYTES)
  const { messageHeaders, message, nonce } = decodeWire('MessageEnvelope', envelope)
  if (nonce.length !== NONCE_BYTES) throw malformed('MessageEnvelope.nonce must be 24 bytes')
  const headerBytes = openOrFail(secret, nonce, messageHeaders, 'message headers')
  const { counter, devicePk, sig, metadata } = decodeWire('MessageHeaders', headerBytes)
  if (devicePk.length !== KEY_BYTES) throw malformed('MessageHeaders.device_pk must be 32 bytes')
  if (sig.length !== SIGNATURE_BYTES) throw malformed('MessageHeaders.sig must be 64 bytes')
  if (counter < 1n || counter > BigInt(MAX_COUNTER)) throw malformed('MessageHeaders.counter is out of range')
  return { counter: Number(counter), devicePk, sig, metadata, ciphertext: message }
}

/** A message read from the log. */
export interface OpenedMessage {
  readonly devicePk: Uint8Array
  readonly counter: number
  readonly plaintext: Uint8Array
  readonly metadata: ReadonlyMap<string, string>
}

/**
 * Opens a message: headers with the group secret, then the body with the sending device's chain, then the
 * device signature over the decrypted bytes (as received, never re-encoded).
 *
 * `receiverFor(devicePk)` returns that device's receiver, or `undefined` when its chain key has not arrived yet:
 * then `CHAIN_KEY_UNKNOWN` is thrown and nothing changed, so the caller queues the envelope. Ratchet errors
 * (`RATCHET_KEY_UNAVAILABLE` for a replay, `RATCHET_AUTH_FAILED`, `RATCHET_TOO_FAR_AHEAD`) pass through, state
 * unchanged. `INVALID_SIGNATURE` means the chain's key for that counter authenticated (so the sender holds the
 * chain key: a member) but the device signature did not; the receiver is unchanged then too.
 */
export function openMessage(args: {
  secret: Uint8Array
  envelope: Uint8Array
  receiverFor: (devicePk: Uint8Array) => Pick<RatchetReceiver, 'decrypt'> | undefined
}): OpenedMessage {
  const { secret, envelope, receiverFor } = args
  const headers = openMessageHeaders(secret, envelope)
  const receiver = receiverFor(headers.devicePk)
  if (receiver === undefined) {
    throw groupsError(GroupsErrorCode.CHAIN_KEY_UNKNOWN, 'no chain key is known yet for the sending device', {
      data: { devicePk: toHex(headers.devicePk), counter: headers.counter },
    })
  }
  // The signature is checked before the receiver commits, so a forged message does not spend the key.
  const encryptedMessage = receiver.decrypt(headers.counter, headers.ciphertext, {
    check(bytes) {
      if (!verify(headers.devicePk, bytes, headers.sig)) {
        throw groupsError(
          GroupsErrorCode.INVALID_SIGNATURE,
          'message signature does not verify under device_pk',
          {
            data: { devicePk: toHex(headers.devicePk), counter: headers.counter },
          },
        )
      }
    },
  })
  const { plaintext } = decodeWire('EncryptedMessage', encryptedMessage)
  return { devicePk: headers.devicePk, counter: headers.counter, plaintext, metadata: headers.metadata }
}

export function openOrFail(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, what: string): Uint8Array {
  try {
    return open(key, nonce, sealed)
  } catch (cause) {
    if (isWeshError(cause, 'DECRYPTION_FAILED') || isWeshError(cause, 'INVALID_LENGTH')) {
      throw groupsError(GroupsErrorCode.DECRYPTION_FAILED, `${what} does not open with this key`, {
        cause,
      })
    }
    throw cause
  }
}

export function malformed(message: string) {
  return groupsError(GroupsErrorCode.MALFORMED_MESSAGE, message)
}
