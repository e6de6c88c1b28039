import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url))

it('plays every step end to end, prints a readable timeline and a final table, and passes', () => {
  // A bounded wait: a demo that hangs fails here instead of holding CI.
  const run = spawnSync(process.execPath, [main], { encoding: 'utf8', timeout: 300_000 })
  // On failure the story so far says where it stopped: keep it in the CI log.
  if (run.status !== 0)
    console.log(`demo exited ${run.status ?? run.signal}:\n${run.stdout}\n${run.stderr.slice(-4000)}`)
  const rows = run.stdout.split('\n').filter((line) => /^\s+\d+\s+(pass|FAIL)\s/.test(line))
  expect(rows.map((row) => row.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(
    [0, 1, 2, 3, 4, 5, 6].map((step) => `${step} pass`),
  )
  expect(run.stdout).toContain('RATCHET_KEY_UNAVAILABLE')
  expect(run.stdout).toContain('reads "welcome Dan!"')
  expect(run.stdout).toMatch(/step\s+result\s+time\s+what/)
  expect(run.status).toBe(0)
})

it('plays one step alone with --step, and reports as JSON with --json', () => {
  const output = execFileSync(process.execPath, [main, '--step', '0', '--json'], { encoding: 'utf8' })
  const result = JSON.parse(output) as { ok: boolean; steps: { step: number; ok: boolean }[] }
  expect(result).toMatchObject({ ok: true, steps: [{ step: 0, ok: true }] })
})

it('refuses a step that does not exist, and answers --help', () => {
  const refused = spawnSync(process.execPath, [main, '--step', '7'], { encoding: 'utf8' })
  expect(refused.status).toBe(2)
  expect(refused.stderr).toContain('--step takes a step number from 0 to 6')
  // Step 7 exists only with --browser, which the default run leaves out.
  const browserStep = spawnSync(process.execPath, [main, '--step', '8', '--browser'], { encoding: 'utf8' })
  expect(browserStep.stderr).toContain('--step takes a step number from 0 to 7')
  const help = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' })
  expect(help).toContain('--step N')
  expect(help).toContain('--browser')
})
