import type { PeerId } from '@libp2p/interface'
import { peerIdFromMultihash } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { REDACTED, assertBytes, fromBase64Url, redactSecrets, toBase64Url, toHex } from '@wesh/crypto'
import * as Digest from 'multiformats/hashes/digest'
import {
  LINK_CODE_ID_BYTES,
  LINK_SECRET_BYTES,
  MAX_DEVICE_LINK_FRAME_BYTES,
  MAX_LINK_CODE_ADDRESSES,
} from './constants.js'
import { ContactsErrorCode, contactsError } from './errors.js'
import { LinkCode as LinkCodeMessage } from './proto/device-link.js'

/** Scheme and path of a device link code. */
export const LINK_CODE_PREFIX = 'wesh://link/'
/** Longest link code text read (the QR code of the longest is still scannable). */
export const MAX_LINK_CODE_CHARS = 2_048

/** What the existing device shows the new one (PROTOCOL.md §6.3). `secret` is secret: show it only on screen. */
export interface LinkCode {
  readonly peerId: PeerId
  readonly multiaddrs: readonly Multiaddr[]
  readonly codeId: Uint8Array
  readonly secret: Uint8Array
  /** Unix milliseconds after which the existing device refuses it. */
  readonly expiresAt: number
}

/** `pb(LinkCode)`. */
export function encodeLinkCode(code: LinkCode): Uint8Array {
  assertBytes(code.codeId, 'codeId', LINK_CODE_ID_BYTES)
  assertBytes(code.secret, 'secret', LINK_SECRET_BYTES)
  if (code.multiaddrs.length > MAX_LINK_CODE_ADDRESSES) {
    throw invalid(`at most ${MAX_LINK_CODE_ADDRESSES} addresses`)
  }
  return LinkCodeMessage.encode({
    // protons types its fields as Uint8Array<ArrayBuffer>: copies.
    peerId: new Uint8Array(code.peerId.toMultihash().bytes),
    addrs: code.multiaddrs.map((address) => new Uint8Array(address.bytes)),
    codeId: new Uint8Array(code.codeId),
    secret: new Uint8Array(code.secret),
    expiresAt: BigInt(code.expiresAt),
  })
}

/** `wesh://link/<base64url(pb(LinkCode))>`. */
export function linkCodeText(code: LinkCode): string {
  return LINK_CODE_PREFIX + toBase64Url(encodeLinkCode(code))
}

/** Reads a link code from its text or bytes; throws `INVALID_LINK_CODE`. It does not check expiry. */
export function parseLinkCode(input: string | Uint8Array): LinkCode {
  let bytes: Uint8Array
  if (typeof input === 'string') {
    if (input.length > MAX_LINK_CODE_CHARS || !input.startsWith(LINK_CODE_PREFIX)) {
      throw invalid(`not a ${LINK_CODE_PREFIX} link of at most ${MAX_LINK_CODE_CHARS} characters`)
    }
    try {
      bytes = fromBase64Url(input.slice(LINK_CODE_PREFIX.length))
    } catch (cause) {
      throw invalid('the link does not carry base64url', cause)
    }
  } else {
    assertBytes(input, 'input')
    bytes = input
  }
  if (bytes.length > MAX_DEVICE_LINK_FRAME_BYTES) throw invalid('too long')
  let decoded: LinkCodeMessage
  try {
    decoded = LinkCodeMessage.decode(bytes, { limits: { addrs: MAX_LINK_CODE_ADDRESSES } })
  } catch (cause) {
    throw invalid('not a valid LinkCode protobuf', cause)
  }
  if (decoded.codeId.length !== LINK_CODE_ID_BYTES)
    throw invalid(`code_id must be ${LINK_CODE_ID_BYTES} bytes`)
  if (decoded.secret.length !== LINK_SECRET_BYTES) throw invalid(`secret must be ${LINK_SECRET_BYTES} bytes`)
  if (decoded.expiresAt <= 0n || decoded.expiresAt > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalid('expires_at out of range')
  }
  let peerId: PeerId
  let multiaddrs: Multiaddr[]
  try {
    peerId = peerIdFromMultihash(Digest.decode(decoded.peerId))
  } catch (cause) {
    throw invalid('peer_id is not a libp2p peer ID', cause)
  }
  try {
    multiaddrs = decoded.addrs.map((address) => multiaddr(address))
  } catch (cause) {
    throw invalid('an address is not a multiaddr', cause)
  }
  return redactedLinkCode({
    peerId,
    multiaddrs,
    codeId: new Uint8Array(decoded.codeId),
    secret: new Uint8Array(decoded.secret),
    expiresAt: Number(decoded.expiresAt),
  })
}

/** The code itself, whose `JSON.stringify` and `util.inspect` show everything but the secret. */
export function redactedLinkCode(code: LinkCode): LinkCode {
  const copy = { ...code }
  redactSecrets(copy, () => ({
    kind: 'LinkCode',
    peerId: copy.peerId.toString(),
    multiaddrs: copy.multiaddrs.map(String),
    codeId: toHex(copy.codeId),
    secret: REDACTED,
    expiresAt: copy.expiresAt,
  }))
  return copy
}

function invalid(reason: string, cause?: unknown) {
  return contactsError(ContactsErrorCode.INVALID_LINK_CODE, `invalid link code: ${reason}`, {
    data: { reason },
    cause,
  })
}
