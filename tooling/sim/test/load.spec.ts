import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runRendezvousLoad } from '../src/index.js'

// The CI budget of `pnpm --filter @wesh/sim load` (100 peers × 100 namespaces): 6 peers × 8 namespaces.
it('a rendezvous server under load enforces the per-peer limit and pages every namespace in full', async () => {
  const report = await runRendezvousLoad({
    peers: 6,
    namespacesPerPeer: 8,
    maxRegistrationsPerPeer: 8,
    concurrency: 3,
    discoverers: 2,
    pageSize: 3,
    serverScript: join(import.meta.dirname, '..', 'dist', 'load', 'server-child.js'),
    timeoutMs: 120_000,
  })
  expect(report.problems).toEqual([])
  expect(report.registrations).toBe(48)
  expect(report.refusedOverLimit).toBe(6)
  expect(report.renewalsAtLimit).toBe(6)
  expect(report.duplicatePasses).toBe(0)
  expect(report.completeNamespaces).toBe(8)
  expect(report.allPaged).toBe(48)
  expect(report.memory.loaded.heapUsed).toBeGreaterThan(0)
})
