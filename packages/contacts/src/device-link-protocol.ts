import type { PeerId, Stream } from '@libp2p/interface'
import {
  assertBytes,
  concatBytes,
  constantTimeEqual,
  erase,
  hkdfSha256,
  hmacSha256,
  isWeshError,
  open,
  randomBytes,
  seal,
  sha256,
  utf8ToBytes,
  WeshError,
} from '@wesh/crypto'
import { GroupsErrorCode } from '@wesh/groups'
import {
  DEFAULT_LINK_TIMEOUT_MS,
  LINK_CODE_ID_BYTES,
  LINK_NONCE_BYTES,
  LINK_SECRET_BYTES,
  MAX_DEVICE_LINK_FRAME_BYTES,
} from './constants.js'
import { ContactsErrorCode, contactsError } from './errors.js'
import { FrameStream } from './frame-stream.js'
import type { LinkCode } from './link-code.js'
import { LinkAccept, LinkChallenge, LinkProof, LinkRequest } from './proto/device-link.js'

// PROTOCOL.md §6.3 [differs]: `/wesh/device_link/1.0.0`, the new device N dialling the existing device E.
//   1. N → E LinkRequest { code_id, nonce_N }        E refuses unknown, used or expired codes: the stream ends.
//   2. E → N LinkChallenge { nonce_E }
//   3. N → E LinkProof { HMAC(proofKey, 0x01 ‖ T) }   E checks it; the code is spent from here on.
//   4. E → N LinkAccept { HMAC(proofKey, 0x02 ‖ T), Seal(accountKey, 0²⁴, account state without device key) }
// with T = SHA256("wesh/device-link/v1" ‖ code_id ‖ len ‖ peer ID of E ‖ len ‖ peer ID of N ‖ nonce_N ‖ nonce_E),
// proofKey = HKDF(secret, no salt, "wesh/device-link/v1/proof", 32) and
// accountKey = HKDF(secret, salt = T, "wesh/device-link/v1/account", 32), single-use, hence the zero nonce.
// Both peer IDs are those Noise authenticated on the connection, so a relay or a man in the middle, which holds
// neither private key, cannot pass the proofs on: they name the two real endpoints. Binding the Noise handshake
// hash itself would be stronger, but @libp2p/noise 17 does not expose it on the connection.

// protons types its fields as Uint8Array<ArrayBuffer>: fields are copied into fresh arrays when encoded.
const DOMAIN = utf8ToBytes('wesh/device-link/v1')
const PROOF_INFO = utf8ToBytes('wesh/device-link/v1/proof')
const ACCOUNT_INFO = utf8ToBytes('wesh/device-link/v1/account')
const NEW_DEVICE_ROLE = Uint8Array.of(0x01)
const EXISTING_DEVICE_ROLE = Uint8Array.of(0x02)
const ZERO_NONCE = new Uint8Array(24)

/** The transcript hash T both sides prove over. Peer IDs are their multihash bytes. */
export function linkTranscript(args: {
  codeId: Uint8Array
  existingPeer: Uint8Array
  newPeer: Uint8Array
  newNonce: Uint8Array
  existingNonce: Uint8Array
}): Uint8Array {
  const { codeId, existingPeer, newPeer, newNonce, existingNonce } = args
  assertBytes(codeId, 'codeId', LINK_CODE_ID_BYTES)
  assertBytes(existingPeer, 'existingPeer', { min: 1, max: 255 })
  assertBytes(newPeer, 'newPeer', { min: 1, max: 255 })
  assertBytes(newNonce, 'newNonce', LINK_NONCE_BYTES)
  assertBytes(existingNonce, 'existingNonce', LINK_NONCE_BYTES)
  return sha256(
    concatBytes(
      DOMAIN,
      codeId,
      Uint8Array.of(existingPeer.length),
      existingPeer,
      Uint8Array.of(newPeer.length),
      newPeer,
      newNonce,
      existingNonce,
    ),
  )
}

/** The two proofs and the key that seals the account state, for one transcript. */
export function linkKeys(
  secret: Uint8Array,
  transcript: Uint8Array,
): {
  newDeviceProof: Uint8Array
  existingDeviceProof: Uint8Array
  accountKey: Uint8Array
} {
  assertBytes(secret, 'secret', LINK_SECRET_BYTES)
  assertBytes(transcript, 'transcript', 32)
  const proofKey = hkdfSha256(secret, 32, { info: PROOF_INFO })
  try {
    return {
      newDeviceProof: hmacSha256(proofKey, concatBytes(NEW_DEVICE_ROLE, transcript)),
      existingDeviceProof: hmacSha256(proofKey, concatBytes(EXISTING_DEVICE_ROLE, transcript)),
      accountKey: hkdfSha256(secret, 32, { salt: transcript, info: ACCOUNT_INFO }),
    }
  } finally {
    erase(proofKey)
  }
}

export interface LinkExchangeOptions {
  /** Time allowed for the whole exchange. Default {@link DEFAULT_LINK_TIMEOUT_MS}. */
  timeoutMs?: number
  signal?: AbortSignal
}

/** What the existing device knows of a code when the new device names it. */
export interface CodeClaim {
  readonly secret: Uint8Array
  /** The proof verified: the code is spent. */
  spend(): void
  /** The proof was wrong: the code goes back (or is revoked after too many tries). */
  fail(): void
}

/**
 * The existing device's side of `/wesh/device_link/1.0.0`. `claim(codeId)` returns the open code or throws
 * `LINK_REFUSED` (unknown, used, expired, busy); `accountState()` gives the bytes to transfer, read only once the
 * new device has proven the secret. On any failure the stream is reset and nothing is sent.
 */
export async function answerDeviceLinkOn(
  stream: Stream,
  args: {
    existingPeer: PeerId
    newPeer: PeerId
    claim: (codeId: Uint8Array) => CodeClaim
    accountState: () => Uint8Array
  } & LinkExchangeOptions,
): Promise<void> {
  const frames = frameStream(stream, args)
  let claim: CodeClaim | undefined
  let keys: ReturnType<typeof linkKeys> | undefined
  try {
    const request = decode(LinkRequest, await frames.read(), 'LinkRequest')
    if (request.codeId.length !== LINK_CODE_ID_BYTES || request.nonce.length !== LINK_NONCE_BYTES) {
      throw malformed('LinkRequest fields have the wrong length')
    }
    claim = args.claim(request.codeId)
    const existingNonce = randomBytes(LINK_NONCE_BYTES)
    await frames.write(LinkChallenge.encode({ nonce: new Uint8Array(existingNonce) }))
    const transcript = linkTranscript({
      codeId: request.codeId,
      existingPeer: args.existingPeer.toMultihash().bytes,
      newPeer: args.newPeer.toMultihash().bytes,
      newNonce: request.nonce,
      existingNonce,
    })
    keys = linkKeys(claim.secret, transcript)
    const { proof } = decode(LinkProof, await frames.read(), 'LinkProof')
    if (proof.length !== keys.newDeviceProof.length || !constantTimeEqual(proof, keys.newDeviceProof)) {
      const spent = claim
      claim = undefined
      spent.fail()
      throw contactsError(
        ContactsErrorCode.LINK_REFUSED,
        'the new device’s proof of the link secret is wrong',
      )
    }
    claim.spend()
    claim = undefined
    const state = args.accountState()
    try {
      await frames.write(
        LinkAccept.encode({
          proof: new Uint8Array(keys.existingDeviceProof),
          sealedAccount: new Uint8Array(seal(keys.accountKey, ZERO_NONCE, state)),
        }),
      )
    } finally {
      erase(state)
    }
    await frames.close()
  } catch (error) {
    // A code claimed but not proven (the stream broke, a timeout) goes back, counted as a failed try.
    claim?.fail()
    frames.abort(error)
    throw error
  } finally {
    if (keys) erase(keys.accountKey, keys.newDeviceProof, keys.existingDeviceProof)
  }
}

/**
 * The new device's side: proves the code's secret, checks the existing device's proof, and returns the account
 * state it sent (the caller parses it). Throws `LINK_REFUSED` when the existing device ends the exchange,
 * `LINK_PROOF_FAILED` when its proof is wrong, or `FRAME_TOO_LARGE`, `MALFORMED_MESSAGE`, `TIMEOUT`, `ABORTED`.
 */
export async function requestDeviceLinkOn(
  stream: Stream,
  args: { code: LinkCode; newPeer: PeerId } & LinkExchangeOptions,
): Promise<Uint8Array> {
  const { code } = args
  const frames = frameStream(stream, args)
  const newNonce = randomBytes(LINK_NONCE_BYTES)
  let keys: ReturnType<typeof linkKeys> | undefined
  try {
    await frames.write(
      LinkRequest.encode({ codeId: new Uint8Array(code.codeId), nonce: new Uint8Array(newNonce) }),
    )
    const { nonce: existingNonce } = decode(
      LinkChallenge,
      await refusedIfEnded(frames.read()),
      'LinkChallenge',
    )
    if (existingNonce.length !== LINK_NONCE_BYTES) throw malformed('LinkChallenge.nonce has the wrong length')
    const transcript = linkTranscript({
      codeId: code.codeId,
      existingPeer: code.peerId.toMultihash().bytes,
      newPeer: args.newPeer.toMultihash().bytes,
      newNonce,
      existingNonce,
    })
    keys = linkKeys(code.secret, transcript)
    await frames.write(LinkProof.encode({ proof: new Uint8Array(keys.newDeviceProof) }))
    const accept = decode(LinkAccept, await refusedIfEnded(frames.read()), 'LinkAccept')
    if (
      accept.proof.length !== keys.existingDeviceProof.length ||
      !constantTimeEqual(accept.proof, keys.existingDeviceProof)
    ) {
      throw contactsError(
        ContactsErrorCode.LINK_PROOF_FAILED,
        'the existing device’s proof of the link secret is wrong',
      )
    }
    let state: Uint8Array
    try {
      state = open(keys.accountKey, ZERO_NONCE, accept.sealedAccount)
    } catch (cause) {
      throw new WeshError(GroupsErrorCode.DECRYPTION_FAILED, 'the account state does not open', { cause })
    }
    await frames.close()
    return state
  } catch (error) {
    frames.abort(error)
    throw error
  } finally {
    if (keys) erase(keys.accountKey, keys.newDeviceProof, keys.existingDeviceProof)
  }
}

async function refusedIfEnded(frame: Promise<Uint8Array>): Promise<Uint8Array> {
  try {
    return await frame
  } catch (error) {
    if (isWeshError(error, ContactsErrorCode.STREAM_ENDED)) {
      throw contactsError(ContactsErrorCode.LINK_REFUSED, 'the existing device refused the link code', {
        cause: error,
      })
    }
    throw error
  }
}

interface Decoder<T> {
  decode(bytes: Uint8Array): T
}

function decode<T>(codec: Decoder<T>, frame: Uint8Array, name: string): T {
  try {
    return codec.decode(frame)
  } catch (cause) {
    throw malformed(`not a valid ${name}`, cause)
  }
}

function malformed(message: string, cause?: unknown): WeshError {
  return new WeshError(GroupsErrorCode.MALFORMED_MESSAGE, message, { cause })
}

function frameStream(stream: Stream, options: LinkExchangeOptions): FrameStream {
  return new FrameStream(stream, {
    maxFrameBytes: MAX_DEVICE_LINK_FRAME_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_LINK_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  })
}
