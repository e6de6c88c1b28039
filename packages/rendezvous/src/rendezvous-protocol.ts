import { assertBytes, concatBytes, u64be, WeshError } from '@wesh/crypto'
import type { Uint8ArrayList } from 'uint8arraylist'
import { RendezvousErrorCode } from './errors.js'
import { Message } from './pb/rendezvous.js'

// The libp2p rendezvous protocol, as in the public libp2p rendezvous specification (PROTOCOL.md §2 system 2).

/** Protocol id of the libp2p rendezvous protocol. */
export const RENDEZVOUS_PROTOCOL = '/rendezvous/1.0.0'
/** Longest namespace, in UTF-8 bytes (spec recommendation). */
export const MAX_NAMESPACE_BYTES = 255
/** Most live registrations one peer may hold on a server (spec recommendation). */
export const MAX_REGISTRATIONS_PER_PEER = 1_000
/** Most registrations returned by one DISCOVER (spec recommendation); also the default limit. */
export const MAX_DISCOVER_LIMIT = 1_000
/** Largest signed peer record (envelope) accepted in a REGISTER. */
export const MAX_SIGNED_PEER_RECORD_BYTES = 8_192
/** Largest request frame (REGISTER, UNREGISTER, DISCOVER) a server reads. */
export const MAX_REQUEST_BYTES = 16_384
/**
 * Largest response frame (DISCOVER_RESPONSE) a client reads, and the most a server writes: 4 MiB, the message
 * size limit of go-libp2p, so that its clients read our pages too.
 */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024
/** Largest cookie accepted in a DISCOVER or DISCOVER_RESPONSE. */
export const MAX_COOKIE_BYTES = 1_024
/** Longest status text a server sends (longer texts from other servers are cut on receipt). */
export const MAX_STATUS_TEXT_CHARS = 256

export { Message }
export type ResponseStatus = Message.ResponseStatus
export const ResponseStatus = Message.ResponseStatus
export type MessageType = Message.MessageType
export const MessageType = Message.MessageType

/** A request a server handles, decoded and checked for shape (values are checked by the server). */
export type RendezvousRequest =
  | { type: 'REGISTER'; ns: string; signedPeerRecord: Uint8Array; ttl: bigint | undefined }
  | { type: 'UNREGISTER'; ns: string }
  | { type: 'DISCOVER'; ns: string; limit: bigint | undefined; cookie: Uint8Array | undefined }

/** A response a client handles. */
export type RendezvousResponse =
  | { type: 'REGISTER_RESPONSE'; status: ResponseStatus; statusText: string; ttl: bigint | undefined }
  | {
      type: 'DISCOVER_RESPONSE'
      status: ResponseStatus
      statusText: string
      registrations: Array<{ ns: string; signedPeerRecord: Uint8Array; ttl: bigint | undefined }>
      cookie: Uint8Array | undefined
    }

function malformed(reason: string, cause?: unknown): WeshError {
  return new WeshError(
    RendezvousErrorCode.RENDEZVOUS_MALFORMED_MESSAGE,
    `malformed rendezvous message: ${reason}`,
    {
      data: { reason },
      cause,
    },
  )
}

function decodeMessage(bytes: Uint8Array | Uint8ArrayList, max: number, registrations: number): Message {
  if (bytes.byteLength > max) throw malformed(`frame of ${bytes.byteLength} bytes exceeds ${max}`)
  try {
    return Message.decode(bytes, { limits: { discoverResponse: { registrations } } })
  } catch (cause) {
    throw malformed('not a valid protobuf Message', cause)
  }
}

/** Decodes a request frame (server side). Throws `RENDEZVOUS_MALFORMED_MESSAGE`. */
export function decodeRequest(bytes: Uint8Array | Uint8ArrayList): RendezvousRequest {
  const message = decodeMessage(bytes, MAX_REQUEST_BYTES, 0)
  switch (message.type) {
    case MessageType.REGISTER: {
      const body = message.register
      if (body === undefined) throw malformed('REGISTER without a register body')
      return {
        type: 'REGISTER',
        ns: body.ns ?? '',
        signedPeerRecord: body.signedPeerRecord ?? new Uint8Array(0),
        ttl: body.ttl,
      }
    }
    case MessageType.UNREGISTER: {
      const body = message.unregister
      if (body === undefined) throw malformed('UNREGISTER without an unregister body')
      return { type: 'UNREGISTER', ns: body.ns ?? '' }
    }
    case MessageType.DISCOVER: {
      const body = message.discover
      if (body === undefined) throw malformed('DISCOVER without a discover body')
      if (body.cookie !== undefined && body.cookie.byteLength > MAX_COOKIE_BYTES)
        throw malformed('cookie too long')
      return {
        type: 'DISCOVER',
        ns: body.ns ?? '',
        limit: body.limit,
        cookie: body.cookie !== undefined && body.cookie.byteLength > 0 ? body.cookie : undefined,
      }
    }
    default:
      throw malformed(`unexpected request type ${String(message.type)}`)
  }
}

/** Decodes a response frame (client side). Throws `RENDEZVOUS_MALFORMED_MESSAGE`. */
export function decodeResponse(bytes: Uint8Array | Uint8ArrayList): RendezvousResponse {
  const message = decodeMessage(bytes, MAX_RESPONSE_BYTES, MAX_DISCOVER_LIMIT)
  switch (message.type) {
    case MessageType.REGISTER_RESPONSE: {
      const body = message.registerResponse
      if (body === undefined) throw malformed('REGISTER_RESPONSE without a body')
      return {
        type: 'REGISTER_RESPONSE',
        status: body.status ?? ResponseStatus.OK,
        statusText: (body.statusText ?? '').slice(0, MAX_STATUS_TEXT_CHARS),
        ttl: body.ttl,
      }
    }
    case MessageType.DISCOVER_RESPONSE: {
      const body = message.discoverResponse
      if (body === undefined) throw malformed('DISCOVER_RESPONSE without a body')
      if (body.cookie !== undefined && body.cookie.byteLength > MAX_COOKIE_BYTES)
        throw malformed('cookie too long')
      return {
        type: 'DISCOVER_RESPONSE',
        status: body.status ?? ResponseStatus.OK,
        statusText: (body.statusText ?? '').slice(0, MAX_STATUS_TEXT_CHARS),
        registrations: body.registrations.map((registration) => ({
          ns: registration.ns ?? '',
          signedPeerRecord: registration.signedPeerRecord ?? new Uint8Array(0),
          ttl: registration.ttl,
        })),
        cookie: body.cookie !== undefined && body.cookie.byteLength > 0 ? body.cookie : undefined,
      }
    }
    default:
      throw malformed(`unexpected response type ${String(message.type)}`)
  }
}

/** Encodes any message of the protocol. */
export function encodeMessage(message: Message): Uint8Array {
  return Message.encode(message)
}

/** UTF-8 length of a namespace. */
export function namespaceBytes(ns: string): number {
  return new TextEncoder().encode(ns).byteLength
}

// Cookies are opaque to clients. Ours: version 0x01 ‖ 4-byte store epoch ‖ u64be(last sequence number) ‖ UTF-8
// namespace. The namespace binds a cookie to its query; the epoch lets a server that lost its registrations
// (a memory store restarted) start over instead of skipping new ones.
const COOKIE_VERSION = 0x01

export interface Cookie {
  epoch: Uint8Array
  seq: number
}

export function encodeCookie(epoch: Uint8Array, seq: number, ns: string): Uint8Array {
  assertBytes(epoch, 'epoch', 4)
  return concatBytes(Uint8Array.of(COOKIE_VERSION), epoch, u64be(seq), new TextEncoder().encode(ns))
}

/** The cookie's epoch and sequence number, or `undefined` when it is not one of ours for `ns`. */
export function decodeCookie(cookie: Uint8Array, ns: string): Cookie | undefined {
  if (cookie.byteLength < 13 || cookie[0] !== COOKIE_VERSION) return undefined
  const nsBytes = new TextEncoder().encode(ns)
  if (cookie.byteLength !== 13 + nsBytes.byteLength) return undefined
  for (let i = 0; i < nsBytes.byteLength; i++) if (cookie[13 + i] !== nsBytes[i]) return undefined
  const view = new DataView(cookie.buffer, cookie.byteOffset, cookie.byteLength)
  const seq = view.getBigUint64(5)
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return { epoch: cookie.slice(1, 5), seq: Number(seq) }
}
