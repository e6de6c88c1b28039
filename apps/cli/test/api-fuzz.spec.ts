import { fuzzAll } from '@wesh/sim'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { apiFuzzTargets } from './api-fuzz-targets.js'
import { type FuzzDaemon, startFuzzDaemon } from './fuzz-daemon.js'
import { killAll } from './processes.js'

// The CI-sized run of `pnpm --filter @wesh/cli fuzz` (100 000 cases per way in): 300 cases each, a fixed seed.
let daemon: FuzzDaemon
beforeAll(async () => {
  daemon = await startFuzzDaemon()
})
afterAll(killAll)

it('answers every fuzzed request with a coded refusal or a result, and keeps running', async () => {
  const results = await fuzzAll(
    apiFuzzTargets(daemon.api, daemon.refs),
    { bytes: [], texts: [] },
    {
      runs: 300,
      seed: 12,
    },
  )
  expect(results.flatMap((result) => result.findings)).toEqual([])
  expect(results.every((result) => result.cases > 0)).toBe(true)
  expect(await daemon.alive()).toBe(true)
  expect(await daemon.stop()).toBe(0)
})
