import type { Multiaddr } from '@multiformats/multiaddr'
import type { Connection } from '@libp2p/interface'
import { toHex, WeshError } from '@wesh/crypto'
import type { Uint8ArrayList } from 'uint8arraylist'
import { POINT_BYTES } from './constants.js'
import { RendezvousErrorCode } from './errors.js'
import { LocalRecordList } from './pb/local-records.js'

export { LocalRecordList }

// Local records, PROTOCOL.md §2 system 3: lists of {point, expiresAt} exchanged over direct connections only.

/** Protocol id of local records. */
export const LOCAL_RECORDS_PROTOCOL = '/wesh/rdv-local/1.0.0'
/** Most records in one list, sent or received (a node announces a few points per contact and group log). */
export const MAX_LOCAL_RECORDS = 1_000
/** Largest list frame read or written: 1 000 records take about 47 000 bytes. */
export const MAX_LOCAL_RECORDS_BYTES = 65_536
/**
 * Names of the multiaddr protocols whose connections are direct by default: `ble`, the `/ble/<device id>`
 * addresses of `@wesh/transport-ble` (PROTOCOL.md §7).
 */
export const DEFAULT_DIRECT_PROTOCOLS: readonly string[] = ['ble']

/** One record: a point, valid until `expiresAt` (unix seconds). */
export interface LocalRecord {
  point: Uint8Array
  expiresAt: number
}

/** A decoded list: its records (distinct points) and the sender's list version. */
export interface LocalRecordsMessage {
  records: LocalRecord[]
  version: number
}

/**
 * Whether a connection runs over a direct (proximity) transport, so that local records may be exchanged on it.
 * libp2p's `connection.direct` only means "not relayed" and is true for TCP too, so it is not used.
 */
export type IsDirect = (connection: Pick<Connection, 'remoteAddr' | 'remotePeer'>) => boolean

/** The default {@link IsDirect}: the remote address has a component named in {@link DEFAULT_DIRECT_PROTOCOLS}. */
export function isBleConnection(connection: Pick<Connection, 'remoteAddr'>): boolean {
  return isDirectAddress(connection.remoteAddr)
}

/** True for an address over a direct link: it has a component named in {@link DEFAULT_DIRECT_PROTOCOLS}. */
export function isDirectAddress(address: Multiaddr): boolean {
  return address.getComponents().some((component) => DEFAULT_DIRECT_PROTOCOLS.includes(component.name))
}

function malformed(reason: string, cause?: unknown): WeshError {
  return new WeshError(RendezvousErrorCode.LOCAL_RECORDS_MALFORMED, `malformed local records: ${reason}`, {
    data: { reason },
    cause,
  })
}

/** Seconds or a list version as a number; values past 2^53 are capped (they are far in the future anyway). */
function toNumber(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
}

/**
 * Decodes a list frame. Throws `LOCAL_RECORDS_MALFORMED` for a frame over {@link MAX_LOCAL_RECORDS_BYTES}, bad
 * protobuf, more than {@link MAX_LOCAL_RECORDS} records, or a record without a 32-byte point or an expiry. A point
 * listed twice keeps its latest expiry.
 */
export function decodeLocalRecords(bytes: Uint8Array | Uint8ArrayList): LocalRecordsMessage {
  if (bytes.byteLength > MAX_LOCAL_RECORDS_BYTES) {
    throw malformed(`frame of ${bytes.byteLength} bytes exceeds ${MAX_LOCAL_RECORDS_BYTES}`)
  }
  let message: LocalRecordList
  try {
    message = LocalRecordList.decode(bytes, { limits: { records: MAX_LOCAL_RECORDS } })
  } catch (cause) {
    throw malformed('not a valid LocalRecordList', cause)
  }
  const byPoint = new Map<string, LocalRecord>()
  for (const record of message.records) {
    if (record.point?.byteLength !== POINT_BYTES) throw malformed('a record has no 32-byte point')
    if (record.expiresAt === undefined) throw malformed('a record has no expiresAt')
    const point = new Uint8Array(record.point)
    const expiresAt = toNumber(record.expiresAt)
    const key = toHex(point)
    const known = byPoint.get(key)
    if (known === undefined || known.expiresAt < expiresAt) byPoint.set(key, { point, expiresAt })
  }
  return { records: [...byPoint.values()], version: toNumber(message.version) }
}

/** Encodes a list frame. Throws `INVALID_ARGUMENT` past {@link MAX_LOCAL_RECORDS} or for a point of another length. */
export function encodeLocalRecords(message: LocalRecordsMessage): Uint8Array {
  if (message.records.length > MAX_LOCAL_RECORDS) {
    throw new WeshError('INVALID_ARGUMENT', `at most ${MAX_LOCAL_RECORDS} local records per list`, {
      data: { argument: 'records', actual: message.records.length, max: MAX_LOCAL_RECORDS },
    })
  }
  for (const { point, expiresAt } of message.records) {
    if (point.byteLength !== POINT_BYTES || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
      throw new WeshError('INVALID_ARGUMENT', 'records must be 32-byte points with a unix-seconds expiry', {
        data: { argument: 'records' },
      })
    }
  }
  return LocalRecordList.encode({
    records: message.records.map(({ point, expiresAt }) => ({
      point: new Uint8Array(point),
      expiresAt: BigInt(expiresAt),
    })),
    version: BigInt(message.version),
  })
}
