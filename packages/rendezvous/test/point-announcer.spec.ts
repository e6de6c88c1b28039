import { toHex, utf8ToBytes } from '@wesh/crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { PointAnnouncer, rendezvousPoint, type PointAnnouncerEvents } from '../src/index.js'
import { ManualClock } from './helpers/manual-clock.js'
import { RecordingDiscovery } from './helpers/memory-discovery.js'

const topic = utf8ToBytes('topicA')
const seed = utf8ToBytes('seedA')
const P = 3600 // seconds
const start = Date.parse('2020-04-10T12:00:00Z')
const hex = (atMs: number) => toHex(rendezvousPoint(topic, seed, atMs, P))

function next<K extends keyof PointAnnouncerEvents>(
  announcer: PointAnnouncer,
  type: K,
  count = 1,
): Promise<PointAnnouncerEvents[K]['detail'][]> {
  return new Promise((resolve) => {
    const seen: PointAnnouncerEvents[K]['detail'][] = []
    const listener = (event: PointAnnouncerEvents[K]): void => {
      seen.push(event.detail)
      if (seen.length === count) {
        announcer.removeEventListener(type, listener)
        resolve(seen)
      }
    }
    announcer.addEventListener(type, listener)
  })
}

const running: PointAnnouncer[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()))
})

function announcer(clock: ManualClock, discovery: RecordingDiscovery, extra: { ttl?: number } = {}) {
  const a = new PointAnnouncer({ discovery, topic, seed, period: P, clock, ttl: extra.ttl ?? 7200 })
  running.push(a)
  return a
}

describe('PointAnnouncer', () => {
  it('registers the current point at start, adds the next in the last P/10, and rotates', async () => {
    const clock = new ManualClock(start + 1000)
    const discovery = new RecordingDiscovery()
    discovery.grantTtl = 10 * P // long enough that no renewal interferes
    const a = announcer(clock, discovery)
    let registered = next(a, 'register')
    let settled = next(a, 'settled')
    a.start()
    expect((await registered).map((d) => toHex(d.point))).toEqual([hex(start)])

    // The next round is due at the start of the last tenth.
    expect((await settled)[0]?.nextAt).toBe(start + P * 1000 - (P * 1000) / 10)
    expect(clock.nextTimerAt).toBe(start + P * 1000 - (P * 1000) / 10)
    const rotated = next(a, 'rotate')
    registered = next(a, 'register')
    settled = next(a, 'settled')
    clock.set(start + P * 1000 - (P * 1000) / 10)
    expect((await rotated)[0]?.points.map(toHex)).toEqual([hex(start), hex(start + P * 1000)])
    expect((await registered).map((d) => toHex(d.point))).toEqual([hex(start + P * 1000)])
    expect((await settled)[0]?.nextAt).toBe(start + P * 1000)

    // At the boundary the set becomes just the new current point, already registered: no new REGISTER.
    const calls = discovery.calls.length
    const rotatedAgain = next(a, 'rotate')
    settled = next(a, 'settled')
    clock.set(start + P * 1000)
    expect((await rotatedAgain)[0]?.points.map(toHex)).toEqual([hex(start + P * 1000)])
    await settled
    expect(discovery.calls.length).toBe(calls)
    expect(a.points.map(toHex)).toEqual([hex(start + P * 1000)])
  })

  it('renews a registration before its granted TTL lapses', async () => {
    const clock = new ManualClock(start)
    const discovery = new RecordingDiscovery()
    discovery.grantTtl = 100 // seconds: renewal due at 80 s
    const a = announcer(clock, discovery, { ttl: 100 })
    const first = next(a, 'settled')
    a.start()
    await first
    expect(clock.nextTimerAt).toBe(start + 80_000)
    const renewed = next(a, 'register')
    clock.set(start + 80_000)
    expect((await renewed)[0]?.ttl).toBe(100)
    expect(discovery.calls.filter((c) => c.op === 'register')).toHaveLength(2)
  })

  it('reports a failed registration and retries it', async () => {
    const clock = new ManualClock(start)
    const discovery = new RecordingDiscovery()
    discovery.failNext = 1
    const a = new PointAnnouncer({ discovery, topic, seed, period: P, clock, retryMs: 5000 })
    running.push(a)
    const failed = next(a, 'error')
    const settled = next(a, 'settled')
    a.start()
    expect((await failed)[0]?.error).toBeInstanceOf(Error)
    expect((await settled)[0]?.nextAt).toBe(start + 5000)
    const registered = next(a, 'register')
    clock.advance(5000)
    expect((await registered).map((d) => toHex(d.point))).toEqual([hex(start)])
  })

  it('withdraws its points and clears its timers on stop', async () => {
    const clock = new ManualClock(start + P * 1000 - 1000) // in the last tenth: two points
    const discovery = new RecordingDiscovery()
    const a = announcer(clock, discovery)
    const settled = next(a, 'settled')
    a.start()
    await settled
    await a.stop()
    expect(clock.pendingTimers).toBe(0)
    expect(
      discovery.calls
        .filter((c) => c.op === 'unregister')
        .map((c) => c.point)
        .sort(),
    ).toEqual([hex(start), hex(start + P * 1000)].sort())
    expect(() => a.start()).toThrow(expect.objectContaining({ code: 'RENDEZVOUS_STOPPED' }))
  })

  it('never rotates a static point', async () => {
    const clock = new ManualClock(start)
    const discovery = new RecordingDiscovery()
    discovery.grantTtl = 7200
    const a = new PointAnnouncer({ discovery, topic, seed, period: 'static', clock })
    running.push(a)
    const registered = next(a, 'register')
    const settled = next(a, 'settled')
    a.start()
    expect((await registered).map((d) => toHex(d.point))).toEqual([
      toHex(rendezvousPoint(topic, seed, 0, 'static')),
    ])
    await settled
    // Only the renewal timer is pending.
    expect(clock.nextTimerAt).toBe(start + 7200 * 800)
  })

  it('validates its options', () => {
    const discovery = new RecordingDiscovery()
    expect(() => new PointAnnouncer({ discovery, topic, seed, ttl: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new PointAnnouncer({ discovery, topic, seed, ttl: 72 * 3600 + 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new PointAnnouncer({ discovery, topic: new Uint8Array(0), seed })).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH' }),
    )
    expect(() => new PointAnnouncer({ discovery, topic, seed, period: 59 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
