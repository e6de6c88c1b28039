import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

it('plays every step of the demo end to end and passes', () => {
  // A bounded wait: a demo that hangs fails here instead of holding CI.
  const output = execFileSync(process.execPath, [main, '--json'], { encoding: 'utf8', timeout: 300_000 })
  const result = JSON.parse(output) as { ok: boolean; steps: { step: number; ok: boolean }[] }
  expect(result.steps.map((step) => step.ok)).toEqual([true, true, true, true, true, true, true, true])
  expect(result.ok).toBe(true)
})

it('prints a readable timeline and a final table', () => {
  const output = execFileSync(process.execPath, [main], { encoding: 'utf8', timeout: 300_000 })
  expect(output).toContain('Step 1')
  expect(output).toContain('RATCHET_KEY_UNAVAILABLE')
  expect(output).toMatch(/step\s+result\s+time\s+what/)
})

it('answers --help', () => {
  expect(execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' })).toContain('Usage')
})
