import type { Storage } from '@orbitdb/core'
import { describe, expect, it } from 'vitest'
import { CAUGHT_UP_HEADS_KEPT, PendingEntries } from '../../src/node/pending-entries.js'

function memoryStorage(): Storage {
  const values = new Map<string, Uint8Array>()
  return {
    put: (key, data) => Promise.resolve(void values.set(key, data)),
    get: (key) => Promise.resolve(values.get(key)),
    close: () => Promise.resolve(),
  }
}

/** A log's heads and index storages as OrbitDB 4.0.0 sees them, wrapped by one `PendingEntries`. */
function logStorages() {
  const pending = new PendingEntries()
  const heads = pending.headsStorage(memoryStorage())
  const index = pending.indexStorage(memoryStorage())
  const setHeads = (hashes: string[]) =>
    heads.put('heads', new TextEncoder().encode(JSON.stringify(hashes.map((hash) => ({ hash, next: [] })))))
  const headsNow = async () =>
    (JSON.parse(new TextDecoder().decode(await heads.get('heads'))) as { hash: string }[]).map((h) => h.hash)
  const indexed = (hash: string) => index.put(hash, true as unknown as Uint8Array)
  return { pending, setHeads, headsNow, indexed }
}

// OrbitDB's join writes the new head first, then indexes the entries it walked: a caught-up run is in the index
// already, so the walk stops short of the old head behind it (RESILIENCE.md bug 11).
describe('PendingEntries: heads behind a caught-up head', () => {
  it('drops them once the caught-up head is in the index', async () => {
    const log = logStorages()
    await log.setHeads(['old'])
    log.pending.behind('caught-up', new Set(['old']))
    log.pending.clear() // the catch-up ends
    await log.setHeads(['caught-up', 'old']) // the join's head write
    await log.indexed('caught-up')
    expect(await log.headsNow()).toEqual(['caught-up'])
  })

  it('drops them when a later head lands first and its join walks the caught-up head', async () => {
    const log = logStorages()
    log.pending.behind('caught-up', new Set(['old']))
    await log.setHeads(['later', 'old'])
    await log.indexed('later')
    expect(await log.headsNow()).toEqual(['later', 'old'])
    await log.indexed('caught-up')
    expect(await log.headsNow()).toEqual(['later'])
  })

  it('carries them over to a later catch-up that indexes the caught-up head itself', async () => {
    const log = logStorages()
    log.pending.behind('caught-up', new Set(['old'])) // its join failed
    log.pending.behind('later', new Set(['middle']), ['caught-up'])
    await log.indexed('caught-up') // the later catch-up indexes what it holds
    await log.setHeads(['later', 'old', 'middle'])
    await log.indexed('later')
    expect(await log.headsNow()).toEqual(['later'])
  })

  it('leaves the heads alone while the caught-up head is not in the log', async () => {
    const log = logStorages()
    log.pending.behind('caught-up', new Set(['old']))
    await log.setHeads(['old', 'other'])
    await log.indexed('other')
    expect(await log.headsNow()).toEqual(['old', 'other'])
  })

  it(`keeps the records of ${CAUGHT_UP_HEADS_KEPT} caught-up heads, dropping the oldest past that`, async () => {
    for (const extra of [0, 1]) {
      const log = logStorages()
      for (let i = 0; i < CAUGHT_UP_HEADS_KEPT + extra; i++)
        log.pending.behind(`head-${i}`, new Set([`old-${i}`]))
      await log.setHeads(['head-0', 'old-0'])
      await log.indexed('head-0')
      expect(await log.headsNow()).toEqual(extra === 0 ? ['head-0'] : ['head-0', 'old-0'])
    }
  })
})
