import { MAX_FRAME_BYTES, WINDOW_PACKETS } from './constants.js'
import { BleError, BleErrorCode } from './errors.js'

/**
 * The packets this transport puts on a radio link (each at most the link's `maxPacketBytes`):
 *
 * ```
 * byte 0: type (low 4 bits) | flags (high 4 bits)
 * DATA  (1): seq u16 BE, [frame length u32 BE if FIRST], payload (≥ 1 byte)     flags: FIRST 0x10
 * FIN   (1): seq u16 BE                                                         flags: FIN 0x20, no payload
 * ACK   (2): next expected seq u16 BE, credit u8 (packets), SACK bitmap u64 BE (bit i: next + 1 + i received)
 * RESET (3): reason u8
 * PROBE (4): nothing (asks the peer for an ACK while its window is closed)
 * ```
 *
 * A frame is a length-prefixed run of DATA payloads: the FIRST fragment carries the frame length, the following
 * ones continue it until that many bytes arrived.
 */
export type Packet =
  | { type: 'data'; seq: number; frameLength: number | undefined; payload: Uint8Array }
  | { type: 'fin'; seq: number }
  | { type: 'ack'; next: number; credit: number; sack: bigint }
  | { type: 'reset'; reason: ResetReason }
  | { type: 'probe' }

/** Why a side reset a connection (the RESET packet's reason byte). */
export const ResetReason = {
  /** The application aborted the connection. */
  ABORTED: 0,
  /** The sender received a malformed packet or frame from us. */
  FRAME_INVALID: 1,
  /** The sender gave up retransmitting. */
  TIMEOUT: 2,
} as const
export type ResetReason = (typeof ResetReason)[keyof typeof ResetReason]

const TYPE_DATA = 1
const TYPE_ACK = 2
const TYPE_RESET = 3
const TYPE_PROBE = 4
const FLAG_FIRST = 0x10
const FLAG_FIN = 0x20

/** Header of a DATA packet that continues a frame: type byte and sequence number. */
export const DATA_HEADER_BYTES = 3
/** Header of the FIRST DATA packet of a frame: type byte, sequence number and the u32 frame length. */
export const FIRST_HEADER_BYTES = 7
/** Exact length of an ACK packet. */
export const ACK_PACKET_BYTES = 12
/** Exact length of a FIN packet. */
export const FIN_PACKET_BYTES = 3
/** Exact length of a RESET packet. */
export const RESET_PACKET_BYTES = 2
/** Exact length of a PROBE packet. */
export const PROBE_PACKET_BYTES = 1
/** Sequence numbers are 16-bit and compared in serial-number arithmetic (RFC 1982). */
export const SEQ_MODULO = 0x1_0000

/** `a - b` in 16-bit serial arithmetic: negative when `a` is before `b`. */
export function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000 + SEQ_MODULO) % SEQ_MODULO) - 0x8000
}

/** `seq + n` modulo 2^16. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) % SEQ_MODULO
}

function invalid(message: string, data?: Record<string, unknown>): BleError {
  return new BleError(BleErrorCode.BLE_FRAME_INVALID, message, data === undefined ? {} : { data })
}

export function encodePacket(packet: Packet): Uint8Array {
  switch (packet.type) {
    case 'data': {
      const first = packet.frameLength !== undefined
      const header = first ? FIRST_HEADER_BYTES : DATA_HEADER_BYTES
      const bytes = new Uint8Array(header + packet.payload.length)
      const view = new DataView(bytes.buffer)
      bytes[0] = TYPE_DATA | (first ? FLAG_FIRST : 0)
      view.setUint16(1, packet.seq)
      if (packet.frameLength !== undefined) view.setUint32(3, packet.frameLength)
      bytes.set(packet.payload, header)
      return bytes
    }
    case 'fin': {
      const bytes = new Uint8Array(FIN_PACKET_BYTES)
      bytes[0] = TYPE_DATA | FLAG_FIN
      new DataView(bytes.buffer).setUint16(1, packet.seq)
      return bytes
    }
    case 'ack': {
      const bytes = new Uint8Array(ACK_PACKET_BYTES)
      const view = new DataView(bytes.buffer)
      bytes[0] = TYPE_ACK
      view.setUint16(1, packet.next)
      view.setUint8(3, packet.credit)
      view.setBigUint64(4, packet.sack)
      return bytes
    }
    case 'reset':
      return Uint8Array.of(TYPE_RESET, packet.reason)
    case 'probe':
      return Uint8Array.of(TYPE_PROBE)
  }
}

/**
 * Decodes one packet, checking every length and flag. Throws `BLE_FRAME_TOO_LARGE` for a packet longer than
 * `maxPacketBytes` or a frame longer than `MAX_FRAME_BYTES`, and `BLE_FRAME_INVALID` for anything else malformed.
 */
export function decodePacket(bytes: Uint8Array, maxPacketBytes: number): Packet {
  if (bytes.length > maxPacketBytes)
    throw new BleError(
      BleErrorCode.BLE_FRAME_TOO_LARGE,
      `packet of ${bytes.length} bytes exceeds ${maxPacketBytes}`,
      {
        data: { max: maxPacketBytes, actual: bytes.length },
      },
    )
  const head = bytes[0]
  if (head === undefined) throw invalid('empty packet')
  const type = head & 0x0f
  const flags = head & 0xf0
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  switch (type) {
    case TYPE_DATA: {
      if (flags === FLAG_FIN) {
        if (bytes.length !== FIN_PACKET_BYTES)
          throw invalid('FIN packet of wrong length', { actual: bytes.length })
        return { type: 'fin', seq: view.getUint16(1) }
      }
      if (flags === FLAG_FIRST) {
        if (bytes.length <= FIRST_HEADER_BYTES)
          throw invalid('first fragment without payload', { actual: bytes.length })
        const frameLength = view.getUint32(3)
        if (frameLength > MAX_FRAME_BYTES)
          throw new BleError(
            BleErrorCode.BLE_FRAME_TOO_LARGE,
            `frame of ${frameLength} bytes exceeds ${MAX_FRAME_BYTES}`,
            {
              data: { max: MAX_FRAME_BYTES, actual: frameLength },
            },
          )
        const payload = bytes.subarray(FIRST_HEADER_BYTES)
        if (payload.length > frameLength) throw invalid('fragment longer than its frame', { frameLength })
        return { type: 'data', seq: view.getUint16(1), frameLength, payload }
      }
      if (flags !== 0) throw invalid('unknown DATA flags', { flags })
      if (bytes.length <= DATA_HEADER_BYTES)
        throw invalid('fragment without payload', { actual: bytes.length })
      return {
        type: 'data',
        seq: view.getUint16(1),
        frameLength: undefined,
        payload: bytes.subarray(DATA_HEADER_BYTES),
      }
    }
    case TYPE_ACK: {
      if (flags !== 0 || bytes.length !== ACK_PACKET_BYTES)
        throw invalid('malformed ACK', { actual: bytes.length })
      const credit = view.getUint8(3)
      if (credit > WINDOW_PACKETS) throw invalid('ACK credit beyond the window', { credit })
      return { type: 'ack', next: view.getUint16(1), credit, sack: view.getBigUint64(4) }
    }
    case TYPE_RESET: {
      if (flags !== 0 || bytes.length !== RESET_PACKET_BYTES)
        throw invalid('malformed RESET', { actual: bytes.length })
      const reason = view.getUint8(1)
      if (
        reason !== ResetReason.ABORTED &&
        reason !== ResetReason.FRAME_INVALID &&
        reason !== ResetReason.TIMEOUT
      )
        throw invalid('unknown RESET reason', { reason })
      return { type: 'reset', reason }
    }
    case TYPE_PROBE:
      if (flags !== 0 || bytes.length !== PROBE_PACKET_BYTES)
        throw invalid('malformed PROBE', { actual: bytes.length })
      return { type: 'probe' }
    default:
      throw invalid('unknown packet type', { type })
  }
}

/** Joins in-order DATA fragments back into frames, checking that the lengths add up. */
export class FrameAssembler {
  #parts: Uint8Array[] = []
  #expected = 0
  #received = 0

  /** True while a frame is partly received. */
  get midFrame(): boolean {
    return this.#expected > 0
  }

  /** Takes the next in-order fragment; returns the frame it completes, if any. Throws `BLE_FRAME_INVALID`. */
  push(packet: { frameLength: number | undefined; payload: Uint8Array }): Uint8Array | undefined {
    if (packet.frameLength !== undefined) {
      if (this.midFrame)
        throw invalid('new frame before the previous one was complete', {
          expected: this.#expected,
          received: this.#received,
        })
      if (packet.frameLength === 0) throw invalid('empty frame')
      this.#expected = packet.frameLength
      this.#received = 0
    } else if (!this.midFrame) {
      throw invalid('continuation fragment outside a frame')
    }
    this.#received += packet.payload.length
    if (this.#received > this.#expected)
      throw invalid('frame longer than its length prefix', {
        expected: this.#expected,
        received: this.#received,
      })
    this.#parts.push(packet.payload)
    if (this.#received < this.#expected) return undefined
    const frame =
      this.#parts.length === 1
        ? (this.#parts[0] ?? new Uint8Array(0)).slice()
        : concat(this.#parts, this.#expected)
    this.#parts = []
    this.#expected = 0
    this.#received = 0
    return frame
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
