import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FRESH_ENTRIES_TTL_MS, FreshEntries, MAX_FRESH_ENTRIES } from '../../src/node/fresh-entries.js'

const entry = (n: number) => ({ hash: `entry-${n}` }) as LogEntry<EventsPayload>

describe('FreshEntries', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('gives each kept entry once', () => {
    const fresh = new FreshEntries()
    fresh.keep(entry(1))
    expect(fresh.take('entry-1')).toEqual(entry(1))
    expect(fresh.take('entry-1')).toBeUndefined()
    expect(fresh.take('entry-2')).toBeUndefined()
  })

  it(`keeps ${MAX_FRESH_ENTRIES} entries, the first kept, and not one more`, () => {
    const fresh = new FreshEntries()
    for (let n = 0; n <= MAX_FRESH_ENTRIES; n++) fresh.keep(entry(n))
    expect(fresh.take(`entry-${MAX_FRESH_ENTRIES - 1}`)).toBeDefined()
    expect(fresh.take(`entry-${MAX_FRESH_ENTRIES}`)).toBeUndefined()
    fresh.keep(entry(MAX_FRESH_ENTRIES)) // room again after a take
    expect(fresh.take(`entry-${MAX_FRESH_ENTRIES}`)).toBeDefined()
    fresh.clear()
  })

  it('drops what no one read once FRESH_ENTRIES_TTL_MS passed since the last was kept', () => {
    vi.useFakeTimers()
    const fresh = new FreshEntries()
    fresh.keep(entry(1))
    vi.advanceTimersByTime(FRESH_ENTRIES_TTL_MS - 1)
    fresh.keep(entry(2))
    vi.advanceTimersByTime(1) // the first timer fires: the last keep was 1 ms ago, so it waits longer
    expect(fresh.take('entry-1')).toBeDefined()
    vi.advanceTimersByTime(FRESH_ENTRIES_TTL_MS)
    expect(fresh.take('entry-2')).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
  })
})
