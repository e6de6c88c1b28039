import { EventEmitter } from 'node:events'
import type { EventsDatabase, Storage } from '@orbitdb/core'
import { describe, expect, it } from 'vitest'
import { STALE_HEADS_WALK_LIMIT, dropStaleHeads, headsBehindOthers } from '../../src/node/stale-heads.js'

interface Linked {
  hash: string
  next: string[]
  refs: string[]
  clock: { id: string; time: number }
}

/** A log as a map of entries: each entry's time is one more than its parents' newest. */
function logOf(links: Record<string, string[]>) {
  const entries = new Map<string, Linked>()
  for (const [hash, next] of Object.entries(links)) {
    const time = Math.max(0, ...next.map((parent) => entries.get(parent)!.clock.time)) + 1
    entries.set(hash, { hash, next, refs: [], clock: { id: 'w', time } })
  }
  let reads = 0
  return {
    entries,
    get reads() {
      return reads
    },
    isInLog: (hash: string) => Promise.resolve(entries.has(hash)),
    get: (hash: string) => {
      reads += 1
      return Promise.resolve(entries.get(hash))
    },
    heads: (...hashes: string[]) => hashes.map((hash) => entries.get(hash)!),
  }
}

describe('headsBehindOthers', () => {
  it('finds a head behind another, however far back', async () => {
    const log = logOf({ a: [], b: ['a'], c: ['b'], d: ['c'], x: ['a'] })
    expect(await headsBehindOthers(log.heads('d', 'b'), log.isInLog, log.get)).toEqual(new Set(['b']))
    expect(await headsBehindOthers(log.heads('d', 'x', 'a'), log.isInLog, log.get)).toEqual(new Set(['a']))
  })

  it('finds none among heads on branches of their own, reading nothing older than the oldest head', async () => {
    const log = logOf({ a: [], b: ['a'], c: ['b'], x: ['b'], y: ['x'] })
    expect(await headsBehindOthers(log.heads('c', 'y'), log.isInLog, log.get)).toEqual(new Set())
    expect(log.reads).toBe(2) // b and x, no older than c: a is never read
  })

  it('does not walk past a gap in a partial history', async () => {
    const log = logOf({ a: [], b: ['a'], c: ['b'] })
    const isInLog = (hash: string) => Promise.resolve(hash !== 'b')
    expect(await headsBehindOthers(log.heads('c', 'a'), isInLog, log.get)).toEqual(new Set())
  })

  it(`reads up to ${STALE_HEADS_WALK_LIMIT} entries and gives up past that`, async () => {
    const chain: Record<string, string[]> = { e1: [] }
    for (let i = 2; i <= STALE_HEADS_WALK_LIMIT + 2; i++) chain[`e${i}`] = [`e${i - 1}`]
    const log = logOf(chain)
    // From e(N + 1) the walk reads eN … e1: N entries; from e(N + 2), one more.
    const atLimit = log.heads(`e${STALE_HEADS_WALK_LIMIT + 1}`, 'e1')
    expect(await headsBehindOthers(atLimit, log.isInLog, log.get)).toEqual(new Set(['e1']))
    const pastLimit = log.heads(`e${STALE_HEADS_WALK_LIMIT + 2}`, 'e1')
    expect(await headsBehindOthers(pastLimit, log.isInLog, log.get)).toBeUndefined()
  })
})

describe('dropStaleHeads', () => {
  function database(links: Record<string, string[]>, heads: string[]) {
    const log = logOf(links)
    const stored = new Map<string, Uint8Array>()
    const storage: Storage = {
      put: (key, data) => Promise.resolve(void stored.set(key, data)),
      get: (key) => Promise.resolve(stored.get(key)),
      close: () => Promise.resolve(),
    }
    const write = (hashes: string[]) =>
      storage.put(
        'heads',
        new TextEncoder().encode(JSON.stringify(hashes.map((hash) => ({ hash, next: [] })))),
      )
    const read = async () =>
      (JSON.parse(new TextDecoder().decode(await storage.get('heads'))) as { hash: string }[]).map(
        (h) => h.hash,
      )
    const events = new EventEmitter()
    const db = {
      events,
      log: { heads: async () => log.heads(...(await read())), has: log.isInLog, get: log.get },
    } as unknown as EventsDatabase
    return { db, storage, write, read, events, ready: write(heads) }
  }
  const alone = <T>(run: () => Promise<T>) => run()

  it('drops a head behind another at open and after an update, in the exclusive section', async () => {
    const links = { a: [], b: ['a'], c: ['b'], x: ['c'], y: ['c'] }
    const log = database(links, ['c', 'a'])
    await log.ready
    let exclusiveRuns = 0
    const exclusive = <T>(run: () => Promise<T>) => {
      exclusiveRuns += 1
      return run()
    }
    const watch = dropStaleHeads(log.db, log.storage, exclusive, (error) => {
      throw error
    })
    await watch.settled()
    expect(await log.read()).toEqual(['c'])
    expect(exclusiveRuns).toBe(1)
    await log.write(['x', 'y', 'b'])
    log.events.emit('update')
    await watch.settled()
    expect(await log.read()).toEqual(['x', 'y'])
    watch.stop()
  })

  it('leaves heads on branches of their own, and stops listening once stopped', async () => {
    const log = database({ a: [], b: ['a'], x: ['a'] }, ['b', 'x'])
    await log.ready
    const watch = dropStaleHeads(log.db, log.storage, alone, () => undefined)
    await watch.settled()
    expect(await log.read()).toEqual(['b', 'x'])
    watch.stop()
    await log.write(['b', 'a'])
    log.events.emit('update')
    await watch.settled()
    expect(await log.read()).toEqual(['b', 'a'])
  })
})
