// Runs every package's tests through turbo (build, typecheck and lint first, with caching), then prints the
// repo-wide totals as one plain line, "N passed, M failed", so a run that executed no test is visible.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
// The workspaces of pnpm-workspace.yaml: packages/*, apps/*, tooling and tooling/sim.
const workspaces = [
  ...['packages', 'apps'].flatMap((dir) =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).map((name) => join(root, dir, name)) : [],
  ),
  join(root, 'tooling'),
  join(root, 'tooling', 'sim'),
]
const reportOf = (dir) => join(dir, '.test-results', 'results.json')
for (const dir of workspaces) rmSync(reportOf(dir), { force: true })

// Two tasks at a time, one per core: integration tests start real nodes and must not starve each other. `--continue`:
// a failing package does not stop the others, so the totals below count every test.
const turbo = spawnSync('turbo', ['run', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
})

let passed = 0
let failed = 0
for (const dir of workspaces) {
  if (!existsSync(reportOf(dir))) continue
  const report = JSON.parse(readFileSync(reportOf(dir), 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
}
const status = turbo.status ?? 1
if (status !== 0)
  console.log(`turbo exited with ${status}: a build, typecheck, lint or test task failed (see above)`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(status)
