import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCrashTest } from '../src/index.js'

it('every acknowledged message survives SIGKILL during writes and opens, on the writer and on its peer', async () => {
  const seed = 3
  process.stderr.write(`crash seed ${seed}\n`)
  const result = await runCrashTest({
    killPoints: 3,
    seed,
    syncEvery: 2,
    startupKills: 0.34,
    syncTimeoutMs: 60_000,
    childScript: join(import.meta.dirname, '..', 'dist', 'crash', 'crash-child.js'),
    log: (line) => process.stderr.write(`${line}\n`),
  })
  expect(result.problems).toEqual([])
  expect(result.lostLocally).toBe(0)
  expect(result.lostOnPeer).toBe(0)
  expect(result.acknowledged).toBeGreaterThan(0)
  expect(result.cleanOpens).toBe(result.opens)
})
