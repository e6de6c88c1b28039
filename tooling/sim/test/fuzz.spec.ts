import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { fuzzTarget, fuzzTargets, vectorCorpus, type FuzzTarget } from '../src/index.js'

// The CI budget of `pnpm --filter @wesh/sim fuzz` (100 000 cases per decoder): a few hundred per decoder, seeded.
const RUNS = 400
const SEED = 10

let targets: FuzzTarget[] = []
let shared: Awaited<ReturnType<typeof vectorCorpus>>
beforeAll(async () => {
  targets = fuzzTargets()
  shared = await vectorCorpus(join(import.meta.dirname, '..', '..', '..'))
})

describe('every exported decoder, on random and mutated input', () => {
  it('finds the test vectors and covers every package', () => {
    expect(shared.bytes.length).toBeGreaterThan(20)
    const packages = new Set(targets.map((t) => t.name.split(':')[0]))
    expect([...packages].sort()).toEqual([
      'contacts',
      'crypto',
      'groups',
      'rendezvous',
      'replication',
      'transport-ble',
    ])
  })

  it('throws nothing but WeshErrors (BleErrors in transport-ble) with a code', async () => {
    const findings = []
    for (const target of targets)
      findings.push(...(await fuzzTarget(target, shared, { runs: RUNS, seed: SEED })).findings)
    expect(findings).toEqual([])
  })

  it('reports a decoder that throws a plain error as a finding, with the input', async () => {
    const target: FuzzTarget = {
      name: 'test: throws on a zero byte',
      kind: 'bytes',
      corpus: [new Uint8Array([1, 2, 3])],
      decode: (bytes: Uint8Array) => {
        if (bytes.includes(0)) throw new TypeError('zero')
      },
    }
    const result = await fuzzTarget(target, shared, { runs: 300, seed: 1 })
    expect(result.findings).toHaveLength(1)
    expect(result.findings[0]?.error).toBe('TypeError: zero')
    expect(result.findings[0]?.input).toMatch(/00/)
  })
})
