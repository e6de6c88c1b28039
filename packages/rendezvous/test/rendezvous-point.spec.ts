import { readFileSync } from 'node:fs'
import { fromHex, isWeshError, toHex, utf8ToBytes } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import {
  accountContactTopic,
  groupLogTopic,
  MAX_PERIOD_SECONDS,
  MAX_SEED_BYTES,
  MAX_TOPIC_BYTES,
  MIN_PERIOD_SECONDS,
  namespaceToPoint,
  periodStart,
  pointsToAnnounce,
  pointsToLookUp,
  pointToCid,
  pointToNamespace,
  rendezvousPoint,
  type Period,
} from '../src/index.js'

interface PointCase {
  name: string
  topic: string
  seed: string
  atMs: number
  period: Period
  startSeconds: number
  point: string
  cid: string
  cidString: string
  namespace: string
  announce: string[]
  lookUp: string[]
  accountId?: string
  topicAscii?: string
}
// Produced by tooling/vectors/rendezvous.py (Python standard library), never by this package.
const { cases } = JSON.parse(
  readFileSync(new URL('./vectors/rendezvous-points.json', import.meta.url), 'utf8'),
) as { cases: PointCase[] }

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    if (isWeshError(error)) return error.code
    throw error
  }
  throw new Error('expected a WeshError')
}

describe('rendezvousPoint', () => {
  it('matches the reference vector of PROTOCOL.md', () => {
    const point = rendezvousPoint(
      utf8ToBytes('topicA'),
      utf8ToBytes('seedA'),
      Date.parse('2020-04-10T12:00:00Z'),
      3600,
    )
    expect(toHex(point)).toBe('8b7fdc831ca90f78995f32d8b9cf7bc8682a7fc250fe13a9b7c5c0851a3b8cbc')
  })

  it.each(cases.map((c) => [c.name, c] as const))('matches the independent vector %s', (_, c) => {
    const topic = fromHex(c.topic)
    const seed = fromHex(c.seed)
    expect(periodStart(c.atMs, c.period)).toBe(c.startSeconds)
    const point = rendezvousPoint(topic, seed, c.atMs, c.period)
    expect(toHex(point)).toBe(c.point)
    expect(toHex(pointToCid(point).bytes)).toBe(c.cid)
    expect(pointToCid(point).toString()).toBe(c.cidString)
    expect(pointToNamespace(point)).toBe(c.namespace)
    expect(toHex(namespaceToPoint(c.namespace))).toBe(c.point)
    expect(pointsToAnnounce(topic, seed, c.atMs, c.period).map(toHex)).toEqual(c.announce)
    expect(pointsToLookUp(topic, seed, c.atMs, c.period).map(toHex)).toEqual(c.lookUp)
    if (c.accountId !== undefined) {
      const accountTopic = accountContactTopic(fromHex(c.accountId))
      expect(new TextDecoder().decode(accountTopic)).toBe(c.topicAscii)
      expect(toHex(accountTopic)).toBe(c.topic)
    }
  })

  it('covers boundaries, the static period and account topics in the vectors', () => {
    expect(cases.filter((c) => c.period === 'static').length).toBeGreaterThanOrEqual(3)
    expect(cases.filter((c) => c.name.endsWith('start-1ms')).length).toBeGreaterThanOrEqual(5)
    expect(cases.filter((c) => c.accountId !== undefined).length).toBeGreaterThanOrEqual(3)
  })

  it('defaults to a one-day period', () => {
    const topic = utf8ToBytes('t')
    const seed = utf8ToBytes('s')
    const at = Date.parse('2026-11-25T13:00:00Z')
    expect(rendezvousPoint(topic, seed, at)).toEqual(rendezvousPoint(topic, seed, at, 86_400))
    expect(periodStart(at)).toBe(Date.parse('2026-11-25T00:00:00Z') / 1000)
  })

  it('accepts topics and seeds up to their limits and rejects one byte more', () => {
    const ok = new Uint8Array(MAX_TOPIC_BYTES)
    expect(rendezvousPoint(ok, new Uint8Array(MAX_SEED_BYTES), 0)).toHaveLength(32)
    expect(code(() => rendezvousPoint(new Uint8Array(MAX_TOPIC_BYTES + 1), ok.subarray(0, 1), 0))).toBe(
      'INVALID_LENGTH',
    )
    expect(code(() => rendezvousPoint(ok, new Uint8Array(MAX_SEED_BYTES + 1), 0))).toBe('INVALID_LENGTH')
    expect(code(() => rendezvousPoint(new Uint8Array(0), ok, 0))).toBe('INVALID_LENGTH')
    expect(code(() => rendezvousPoint(ok, new Uint8Array(0), 0))).toBe('INVALID_LENGTH')
  })

  it('accepts periods at their limits and rejects one second beyond', () => {
    const t = utf8ToBytes('t')
    expect(rendezvousPoint(t, t, 0, MIN_PERIOD_SECONDS)).toHaveLength(32)
    expect(rendezvousPoint(t, t, 0, MAX_PERIOD_SECONDS)).toHaveLength(32)
    expect(code(() => rendezvousPoint(t, t, 0, MIN_PERIOD_SECONDS - 1))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, 0, MAX_PERIOD_SECONDS + 1))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, 0, 1.5))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, 0, 'daily' as unknown as Period))).toBe('INVALID_ARGUMENT')
  })

  it('rejects times that are negative, fractional or not numbers', () => {
    const t = utf8ToBytes('t')
    expect(code(() => rendezvousPoint(t, t, -1))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, 0.5))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, Number.NaN))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint(t, t, Number.MAX_SAFE_INTEGER + 1))).toBe('INVALID_ARGUMENT')
    expect(code(() => rendezvousPoint('t' as unknown as Uint8Array, t, 0))).toBe('INVALID_ARGUMENT')
  })
})

describe('topics', () => {
  it('encodes the account contact topic as padded base64 ASCII and rejects other lengths', () => {
    const topic = accountContactTopic(new Uint8Array(32).fill(0xff))
    expect(new TextDecoder().decode(topic)).toBe('//////////////////////////////////////////8=')
    expect(code(() => accountContactTopic(new Uint8Array(31)))).toBe('INVALID_LENGTH')
    expect(code(() => accountContactTopic(new Uint8Array(33)))).toBe('INVALID_LENGTH')
  })

  it('uses the ASCII of a group log address', () => {
    expect(groupLogTopic('/orbitdb/zdpuA/x')).toEqual(utf8ToBytes('/orbitdb/zdpuA/x'))
    expect(groupLogTopic('a'.repeat(MAX_TOPIC_BYTES))).toHaveLength(MAX_TOPIC_BYTES)
    expect(code(() => groupLogTopic('a'.repeat(MAX_TOPIC_BYTES + 1)))).toBe('INVALID_LENGTH')
    expect(code(() => groupLogTopic(''))).toBe('INVALID_ARGUMENT')
    expect(code(() => groupLogTopic('é'))).toBe('INVALID_ARGUMENT')
  })

  it('rejects points of the wrong length and namespaces that are not a point', () => {
    expect(code(() => pointToCid(new Uint8Array(31)))).toBe('INVALID_LENGTH')
    expect(code(() => pointToNamespace(new Uint8Array(33)))).toBe('INVALID_LENGTH')
    expect(code(() => namespaceToPoint('AAAA'))).toBe('INVALID_LENGTH')
    expect(code(() => namespaceToPoint('not base64!'))).toBe('INVALID_ENCODING')
  })
})
