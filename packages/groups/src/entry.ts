import { assertBytes, concatBytes, sha256, utf8ToBytes, verify, verifyAsync } from '@wesh/crypto'
import { KEY_BYTES, MAX_ENVELOPE_BYTES, SIGNATURE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { type SigningKey, signWith } from './signer.js'
import { decodeWire, encodeWire } from './wire.js'

const ENTRY_CONTEXT = utf8ToBytes('wesh/entry/v1')

/** What the group sign key signs for one log entry: `"wesh/entry/v1" ‖ SHA256(payload)` (PROTOCOL.md §5). */
export function entrySigningInput(payload: Uint8Array): Uint8Array {
  assertBytes(payload, 'payload', { max: MAX_ENVELOPE_BYTES })
  return concatBytes(ENTRY_CONTEXT, sha256(payload))
}

/** `pb(SignedEntry { payload, sig })` with `sig` by the group's sign key (seed = group secret). */
export function signEntry(signKey: SigningKey, payload: Uint8Array): Uint8Array {
  const sig = signWith(signKey, entrySigningInput(payload), 'signKey')
  return encodeWire('SignedEntry', { payload, sig })
}

/**
 * Checks a log entry against the group's `sign_pub` and returns its payload (a view into `bytes`). This is the
 * access controller's whole decision: replicas without the secret can run it. Throws `MALFORMED_MESSAGE`,
 * `MESSAGE_TOO_LARGE` or `INVALID_SIGNATURE`.
 */
export function verifyEntry(signPublicKey: Uint8Array, bytes: Uint8Array): Uint8Array {
  const { payload, sig } = signedEntry(signPublicKey, bytes)
  if (!verify(signPublicKey, entrySigningInput(payload), sig)) throw badEntrySignature()
  return payload
}

/**
 * {@link verifyEntry} with the signature checked off the main thread where the runtime can: for a batch of entries,
 * start them all and await them together. Rejects with the same errors.
 */
export async function verifyEntryAsync(signPublicKey: Uint8Array, bytes: Uint8Array): Promise<Uint8Array> {
  const { payload, sig } = signedEntry(signPublicKey, bytes)
  if (!(await verifyAsync(signPublicKey, entrySigningInput(payload), sig))) throw badEntrySignature()
  return payload
}

function signedEntry(signPublicKey: Uint8Array, bytes: Uint8Array): { payload: Uint8Array; sig: Uint8Array } {
  assertBytes(signPublicKey, 'signPublicKey', KEY_BYTES)
  const entry = decodeSignedEntry(bytes)
  if (entry.sig.length !== SIGNATURE_BYTES) throw badEntrySignature()
  return entry
}

function badEntrySignature() {
  return groupsError(GroupsErrorCode.INVALID_SIGNATURE, 'entry signature does not verify under sign_pub')
}

/**
 * The payload of a log entry that {@link verifyEntry} admitted already — one read back from a log whose access
 * controller runs it on every entry — without checking its signature a second time. Throws `MALFORMED_MESSAGE` or
 * `MESSAGE_TOO_LARGE`.
 */
export function admittedEntryPayload(bytes: Uint8Array): Uint8Array {
  return decodeSignedEntry(bytes).payload
}

function decodeSignedEntry(bytes: Uint8Array): { payload: Uint8Array; sig: Uint8Array } {
  const entry = decodeWire('SignedEntry', bytes)
  if (entry.payload.length > MAX_ENVELOPE_BYTES) {
    throw groupsError(GroupsErrorCode.MESSAGE_TOO_LARGE, 'entry payload is too large', {
      data: { message: 'SignedEntry.payload', max: MAX_ENVELOPE_BYTES, actual: entry.payload.length },
    })
  }
  return entry
}
