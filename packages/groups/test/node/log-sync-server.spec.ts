import type { EventsPayload, LogEntry } from '@orbitdb/core'
import { describe, expect, it } from 'vitest'
import { type ServedLog, collectBatch } from '../../src/node/log-sync-server.js'

/**
 * A log of `held` entries, each linking to the next older by `next` and naming `refs`. A block asked for an entry
 * not held never comes back, as a network fetch that finds no holder waits for its timeout.
 */
function chainLog(
  held: readonly string[],
  refs: Readonly<Record<string, readonly string[]>> = {},
): ServedLog {
  const entry = (hash: string) => {
    const at = held.indexOf(hash)
    const next = at >= 0 && at + 1 < held.length ? [held[at + 1]!] : []
    return { hash, next, refs: refs[hash] ?? [] } as unknown as LogEntry<EventsPayload>
  }
  return {
    has: (hash) => Promise.resolve(held.includes(hash)),
    get: (hash) => Promise.resolve(held.includes(hash) ? entry(hash) : undefined),
    block: (hash) =>
      held.includes(hash) ? Promise.resolve(new TextEncoder().encode(hash)) : new Promise<never>(() => {}),
  }
}

const request = (want: string[], maxBlocks = 10) => ({ address: '/orbitdb/x', want, have: [], maxBlocks })

describe('collectBatch', () => {
  it('serves newest first along next, then refs, up to max_blocks', async () => {
    const log = chainLog(['e5', 'e4', 'e3', 'e2', 'e1'], { e5: ['e3', 'e1'] })
    const batch = await collectBatch(log, request(['e5'], 4))
    expect(batch.blocks.map((block) => block.hash)).toEqual(['e5', 'e4', 'e3', 'e2'])
    expect(batch.missing).toEqual([])
  })

  it('answers at once for wanted entries and refs it does not hold, without reading their blocks', async () => {
    const log = chainLog(['e2', 'e1'], { e2: ['gone'] })
    const batch = await collectBatch(log, request(['absent', 'e2']))
    expect(batch.blocks.map((block) => block.hash)).toEqual(['e2', 'e1'])
    expect(batch.missing).toEqual(['absent'])
  })
})
