import { fuzzAll } from '@wesh/sim'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { apiFuzzTargets, fuzzGroups } from './api-fuzz-targets.js'
import { type FuzzServer, startFuzzServer } from './fuzz-server.js'

// The CI-sized run of `pnpm --filter @wesh/replication-server fuzz` (100 000 cases per way in): 300 cases each, a
// fixed seed.
let server: FuzzServer
let stopped: Promise<number | null> | undefined
beforeAll(async () => {
  server = await startFuzzServer()
})
afterAll(async () => {
  await (stopped ?? server.stop())
})

it('answers every fuzzed request with a coded refusal or a result, and keeps running', async () => {
  const results = await fuzzAll(
    apiFuzzTargets(server.api, fuzzGroups()),
    { bytes: [], texts: [] },
    { runs: 300, seed: 12 },
  )
  expect(results.flatMap((result) => result.findings)).toEqual([])
  expect(results.every((result) => result.cases > 0)).toBe(true)
  expect(await server.alive()).toBe(true)
  expect(await server.serverErrors()).toBe(0)
  stopped = server.stop()
  expect(await stopped).toBe(0)
})
