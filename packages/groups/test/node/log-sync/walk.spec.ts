import type { EventsPayload, LogEntry } from '@orbitdb/core'
import fc from 'fast-check'
import { base58btc } from 'multiformats/bases/base58'
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { expect, it } from 'vitest'
import { type WalkSource, type WalkStep, walkMissing } from '../../../src/node/log-sync/walk.js'
import { FUZZ_RUNS } from '../../helpers.js'

/** A random log as a DAG: entry i links to one or two earlier entries; Lamport clocks as OrbitDB writes them. */
async function dag(
  parents: readonly (readonly number[])[],
): Promise<{ hashes: string[]; source: WalkSource }> {
  const hashes: string[] = []
  const entries = new Map<string, LogEntry<EventsPayload>>()
  const times: number[] = []
  for (const [i, links] of parents.entries()) {
    const hash = CID.createV1(0x71, await sha256.digest(Uint8Array.of(i >> 8, i & 255))).toString(base58btc)
    const next = links.map((p) => hashes[p] as string)
    const time = 1 + Math.max(0, ...links.map((p) => times[p] as number))
    times.push(time)
    hashes.push(hash)
    entries.set(hash, {
      hash,
      next,
      refs: [],
      clock: { id: `writer-${i % 3}`, time },
    } as unknown as LogEntry<EventsPayload>)
  }
  return {
    hashes,
    source: {
      getBlock: (hash) => Promise.resolve(entries.has(hash) ? new TextEncoder().encode(hash) : undefined),
      decode: (hash) => Promise.resolve(entries.get(hash) as LogEntry<EventsPayload>),
    },
  }
}

function ancestors(of: readonly number[], parents: readonly (readonly number[])[]): Set<number> {
  const seen = new Set<number>()
  const stack = [...of]
  for (let i = stack.pop(); i !== undefined; i = stack.pop()) {
    if (seen.has(i)) continue
    seen.add(i)
    stack.push(...(parents[i] ?? []))
  }
  return seen
}

async function run(source: WalkSource, want: string[], have: string[], limit: number) {
  const walk = walkMissing(source, {
    want: want.map((hash) => CID.parse(hash, base58btc)),
    have: have.map((hash) => CID.parse(hash, base58btc)),
    limit,
  })
  const steps: WalkStep[] = []
  let step = await walk.next()
  while (step.done !== true) {
    steps.push(step.value)
    step = await walk.next()
  }
  return { sent: steps.map((s) => s.hash), end: step.value }
}

const randomDag = fc
  .array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 60 })
  .map((rows) =>
    rows.map(([a, b, two], i) => (i === 0 ? [] : two && i > 1 ? [...new Set([a % i, b % i])] : [a % i])),
  )

it('sends exactly what the requester lacks, each after an entry linking to it, newest first', async () => {
  await fc.assert(
    fc.asyncProperty(randomDag, fc.array(fc.nat()), fc.array(fc.nat()), async (parents, w, h) => {
      const { hashes, source } = await dag(parents)
      const wants = [...new Set([parents.length - 1, ...w.map((x) => x % parents.length)])]
      const haves = [...new Set(h.map((x) => x % parents.length))]
      const { sent, end } = await run(
        source,
        wants.map((i) => hashes[i] as string),
        haves.map((i) => hashes[i] as string),
        0,
      )
      const lacking = ancestors(wants, parents)
      for (const i of ancestors(haves, parents)) lacking.delete(i)
      expect(new Set(sent)).toEqual(new Set([...lacking].map((i) => hashes[i])))
      expect(sent).toHaveLength(lacking.size)
      const linked = new Set(wants.map((i) => hashes[i]))
      for (const hash of sent) {
        expect(linked.has(hash)).toBe(true)
        for (const p of parents[hashes.indexOf(hash)] ?? []) linked.add(hashes[p])
      }
      expect(end).toBe('COMPLETE')
    }),
    { numRuns: FUZZ_RUNS },
  )
})

it('stops at the limit and says so', async () => {
  await fc.assert(
    fc.asyncProperty(randomDag, fc.integer({ min: 1, max: 70 }), async (parents, limit) => {
      const { hashes, source } = await dag(parents)
      const head = hashes[parents.length - 1] as string
      const all = await run(source, [head], [], 0)
      const cut = await run(source, [head], [], limit)
      expect(cut.sent).toEqual(all.sent.slice(0, limit))
      expect(cut.end).toBe(all.sent.length > limit ? 'LIMIT_REACHED' : 'COMPLETE')
    }),
    { numRuns: FUZZ_RUNS },
  )
})

it('answers NOT_FOUND when it holds none of the wants', async () => {
  const { source } = await dag([[], [0]])
  const unknown = CID.createV1(0x71, await sha256.digest(Uint8Array.of(9, 9, 9))).toString(base58btc)
  expect(await run(source, [unknown], [], 0)).toEqual({ sent: [], end: 'NOT_FOUND' })
})
