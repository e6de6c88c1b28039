import { EventEmitter } from 'node:events'
import type { EventsDatabase, EventsPayload, LogEntry } from '@orbitdb/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  JOIN_RETRY_FIRST_DELAY_MS,
  JOIN_RETRY_MAX_ATTEMPTS,
  JOIN_RETRY_MAX_DELAY_MS,
  JOIN_RETRY_MAX_PENDING,
  retryFailedJoins,
} from '../../src/node/join-retry.js'

/**
 * The wrapper sits between OrbitDB's sync and its log: here the log's `joinEntry` is a function that fails as
 * often as told (a block fetch that failed) and, for a head whose history is missing, waits for `fetched` (its
 * history being fetched), so that the policy can be driven tick by tick with fake timers.
 */
function database(failures: Map<string, number>, fetched: Promise<void> = Promise.resolve()) {
  const calls: string[] = []
  const local = new Set<string>()
  const events = new EventEmitter()
  const log = {
    has: (hash: string) => Promise.resolve(local.has(hash)),
    async joinEntry(entry: LogEntry<EventsPayload>): Promise<boolean> {
      calls.push(entry.hash)
      if (entry.next.some((hash) => !local.has(hash))) await fetched
      const left = failures.get(entry.hash) ?? 0
      if (left > 0) {
        failures.set(entry.hash, left - 1)
        throw new Error(`Failed to load block for ${entry.hash}`)
      }
      return true
    },
  }
  const updates: string[] = []
  events.on('update', (entry: LogEntry<EventsPayload>) => updates.push(entry.hash))
  return { db: { log, events } as unknown as EventsDatabase, calls, local, updates, events }
}

const entry = (hash: string, next: string[] = []) =>
  ({ hash, next, refs: [] }) as unknown as LogEntry<EventsPayload>

describe('retryFailedJoins', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('reports a failed head join, answers OrbitDB "not joined", and joins it again with backoff until it lands', async () => {
    const { db, calls, updates } = database(new Map([['h1', 3]]))
    const errors: unknown[] = []
    retryFailedJoins(db, (error) => errors.push(error))
    expect(await db.log.joinEntry(entry('h1'))).toBe(false)
    expect(errors).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_FIRST_DELAY_MS - 1)
    expect(calls).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_FIRST_DELAY_MS * 2)
    expect(calls).toHaveLength(3)
    expect(updates).toEqual([])
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_FIRST_DELAY_MS * 4)
    expect(calls).toEqual(['h1', 'h1', 'h1', 'h1'])
    expect(errors).toHaveLength(3)
    expect(updates).toEqual(['h1']) // the session learns of it like of any replicated entry
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_MAX_DELAY_MS * 10)
    expect(calls).toHaveLength(4)
  })

  it("joins a head whose history is not in the log apart from OrbitDB's queue, which it answers at once", async () => {
    // h2 → h1, and the log does not hold h1: its join fetches h1 first.
    let onFetched = () => {}
    const fetched = new Promise<void>((resolve) => (onFetched = resolve))
    const { db, calls, local, updates } = database(new Map(), fetched)
    retryFailedJoins(db, () => undefined)
    expect(await db.log.joinEntry(entry('h2', ['h1']))).toBe(false) // OrbitDB's queue goes on: appends wait in it
    expect(calls).toEqual(['h2'])
    expect(updates).toEqual([])
    onFetched()
    await vi.advanceTimersByTimeAsync(0)
    expect(updates).toEqual(['h2']) // the session learns of it like of any replicated entry
    local.add('h1')
    expect(await db.log.joinEntry(entry('h3', ['h1']))).toBe(true) // history here: joined in OrbitDB's queue
    expect(calls).toEqual(['h2', 'h3'])
  })

  it(`gives a head up after ${JOIN_RETRY_MAX_ATTEMPTS} tries, waiting at most ${JOIN_RETRY_MAX_DELAY_MS} ms between two`, async () => {
    const { db, calls } = database(new Map([['h1', Number.POSITIVE_INFINITY]]))
    retryFailedJoins(db, () => undefined)
    await db.log.joinEntry(entry('h1'))
    for (let tries = 1; tries < JOIN_RETRY_MAX_ATTEMPTS; tries += 1) {
      await vi.advanceTimersByTimeAsync(
        Math.min(JOIN_RETRY_FIRST_DELAY_MS * 2 ** (tries - 1), JOIN_RETRY_MAX_DELAY_MS),
      )
      expect(calls).toHaveLength(tries + 1)
    }
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_MAX_DELAY_MS * 10)
    expect(calls).toHaveLength(JOIN_RETRY_MAX_ATTEMPTS)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('tries every waiting head at once when a peer joins the log', async () => {
    const { db, calls, updates, events } = database(
      new Map([
        ['h1', 1],
        ['h2', 1],
      ]),
    )
    retryFailedJoins(db, () => undefined)
    await db.log.joinEntry(entry('h1'))
    await db.log.joinEntry(entry('h2'))
    events.emit('join', 'peer', [])
    await vi.advanceTimersByTimeAsync(0)
    expect(calls).toEqual(['h1', 'h2', 'h1', 'h2'])
    expect(updates).toEqual(['h1', 'h2'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps one try per head however often it fails again, and tries nothing once stopped', async () => {
    const { db, calls } = database(new Map([['h1', 5]]))
    const retries = retryFailedJoins(db, () => undefined)
    await db.log.joinEntry(entry('h1'))
    await db.log.joinEntry(entry('h1')) // the same head from another peer
    expect(vi.getTimerCount()).toBe(1)
    retries.stop()
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_MAX_DELAY_MS * 10)
    await retries.settled()
    expect(calls).toEqual(['h1', 'h1'])
  })

  it(`keeps at most ${JOIN_RETRY_MAX_PENDING} failed heads, dropping the oldest`, async () => {
    const hashes = Array.from({ length: JOIN_RETRY_MAX_PENDING + 1 }, (_, index) => `h${index}`)
    const { db, calls } = database(new Map(hashes.map((hash) => [hash, 1])))
    retryFailedJoins(db, () => undefined)
    for (const hash of hashes) await db.log.joinEntry(entry(hash))
    expect(vi.getTimerCount()).toBe(JOIN_RETRY_MAX_PENDING)
    calls.length = 0
    await vi.advanceTimersByTimeAsync(JOIN_RETRY_FIRST_DELAY_MS)
    expect(calls).toEqual(hashes.slice(1))
  })
})
