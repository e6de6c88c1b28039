import {
  assertBytes,
  assertInteger,
  CryptoErrorCode,
  concatBytes,
  hmacSha256,
  toBase64,
  fromBase64,
  u64be,
  utf8ToBytes,
  WeshError,
} from '@wesh/crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import {
  ACCOUNT_ID_BYTES,
  DEFAULT_PERIOD_SECONDS,
  MAX_PERIOD_SECONDS,
  MAX_SEED_BYTES,
  MAX_TOPIC_BYTES,
  MIN_PERIOD_SECONDS,
  POINT_BYTES,
  RAW_CODEC,
  SHA2_256_CODE,
} from './constants.js'

/** A rotation period in seconds, or `'static'` for points that never rotate (the reference's default). */
export type Period = number | 'static'

/** Throws unless `period` is `'static'` or an integer number of seconds in the accepted range. */
export function assertPeriod(period: unknown, argument = 'period'): asserts period is Period {
  if (period === 'static') return
  assertInteger(period, argument, MIN_PERIOD_SECONDS, MAX_PERIOD_SECONDS)
}

function assertTime(atMs: unknown, argument: string): asserts atMs is number {
  assertInteger(atMs, argument, 0, Number.MAX_SAFE_INTEGER)
}

/**
 * Start, in unix seconds, of the period holding `atMs`: `floor(t / P) * P` (PROTOCOL.md §2), and 0 for the
 * static period.
 */
export function periodStart(atMs: number, period: Period = DEFAULT_PERIOD_SECONDS): number {
  assertTime(atMs, 'atMs')
  assertPeriod(period)
  if (period === 'static') return 0
  return Math.floor(Math.floor(atMs / 1000) / period) * period
}

/**
 * The rendezvous point of `topic` under `seed` at time `atMs` (PROTOCOL.md §2):
 * `HMAC-SHA-256(key = topic ‖ seed, message = u64be(start(t)))`, with `start = 0` for `'static'`.
 */
export function rendezvousPoint(
  topic: Uint8Array,
  seed: Uint8Array,
  atMs: number,
  period: Period = DEFAULT_PERIOD_SECONDS,
): Uint8Array {
  assertBytes(topic, 'topic', { min: 1, max: MAX_TOPIC_BYTES })
  assertBytes(seed, 'seed', { min: 1, max: MAX_SEED_BYTES })
  return hmacSha256(concatBytes(topic, seed), u64be(periodStart(atMs, period)))
}

/** Topic of an account's contact point: ASCII of the standard padded base64 of its 32-byte account ID. */
export function accountContactTopic(accountId: Uint8Array): Uint8Array {
  assertBytes(accountId, 'accountId', ACCOUNT_ID_BYTES)
  return utf8ToBytes(toBase64(accountId))
}

/** Topic of a group log point: ASCII of the log's address string (e.g. `/orbitdb/zdpu…`). */
export function groupLogTopic(logAddress: string): Uint8Array {
  if (typeof logAddress !== 'string' || !/^[\x20-\x7e]+$/.test(logAddress)) {
    throw new WeshError(
      CryptoErrorCode.INVALID_ARGUMENT,
      'logAddress must be a non-empty printable ASCII string',
      {
        data: { argument: 'logAddress' },
      },
    )
  }
  const topic = utf8ToBytes(logAddress)
  assertBytes(topic, 'logAddress', { max: MAX_TOPIC_BYTES })
  return topic
}

/** The DHT key of a point: CIDv1, codec raw, multihash sha2-256 whose digest is the point (PROTOCOL.md §2). */
export function pointToCid(point: Uint8Array): CID {
  assertBytes(point, 'point', POINT_BYTES)
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, point))
}

/** The rendezvous-server namespace of a point: its standard padded base64 (PROTOCOL.md §2), 44 characters. */
export function pointToNamespace(point: Uint8Array): string {
  assertBytes(point, 'point', POINT_BYTES)
  return toBase64(point)
}

/** The point of a rendezvous-server namespace written by {@link pointToNamespace}. */
export function namespaceToPoint(namespace: string): Uint8Array {
  const point = fromBase64(namespace)
  assertBytes(point, 'namespace', POINT_BYTES)
  return point
}

/** Points to register at `atMs`: the current one and, in the last P/10 of the period, also the next. */
export function pointsToAnnounce(
  topic: Uint8Array,
  seed: Uint8Array,
  atMs: number,
  period: Period = DEFAULT_PERIOD_SECONDS,
): Uint8Array[] {
  const current = rendezvousPoint(topic, seed, atMs, period)
  if (period === 'static') return [current]
  const startMs = periodStart(atMs, period) * 1000
  const periodMs = period * 1000
  if (atMs >= startMs + periodMs - periodMs / 10) {
    return [current, rendezvousPoint(topic, seed, startMs + periodMs, period)]
  }
  return [current]
}

/** Points to look up at `atMs`: the current one and, in the first P/10 of the period, also the previous. */
export function pointsToLookUp(
  topic: Uint8Array,
  seed: Uint8Array,
  atMs: number,
  period: Period = DEFAULT_PERIOD_SECONDS,
): Uint8Array[] {
  const current = rendezvousPoint(topic, seed, atMs, period)
  if (period === 'static') return [current]
  const startMs = periodStart(atMs, period) * 1000
  const periodMs = period * 1000
  if (atMs < startMs + periodMs / 10 && startMs >= periodMs) {
    return [current, rendezvousPoint(topic, seed, startMs - periodMs, period)]
  }
  return [current]
}
