// `pnpm --filter @wesh/cli fuzz`: fast-check over the daemon's HTTP API (test/api-fuzz-targets.ts) on a real daemon
// in a child process on 127.0.0.1, 100 000 cases per way in by default (less for routes that create something),
// seeded; prints one markdown table and every finding. `--runs N`, `--seed S`, `--only TEXT`.
import { parseArgs } from 'node:util'
import { fuzzAll, fuzzTable, randomSeed } from '@wesh/sim'
import { apiFuzzTargets } from '../test/api-fuzz-targets.ts'
import { startFuzzDaemon } from '../test/fuzz-daemon.ts'

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    only: { type: 'string' },
  },
})
const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
const runs = Number(values.runs)
process.stderr.write(`seed ${seed} (repeat this run with --seed ${seed}), ${runs} cases per way in\n`)
const daemon = await startFuzzDaemon()
try {
  const targets = apiFuzzTargets(daemon.api, daemon.refs).filter(
    (target) => values.only === undefined || target.name.includes(values.only),
  )
  const results = await fuzzAll(
    targets,
    { bytes: [], texts: [] },
    { runs, seed, progress: (line) => process.stderr.write(`${line}\n`) },
  )
  console.log(fuzzTable(seed, results))
  const alive = await daemon.alive()
  console.log(`\nThe daemon ${alive ? 'still answers' : '**no longer answers**'} after the run.`)
  if (!alive || results.some((r) => r.findings.length > 0)) process.exitCode = 1
} finally {
  const code = await daemon.stop()
  if (code !== 0) {
    console.log(`The daemon exited with code ${String(code)} on SIGTERM.`)
    process.exitCode = 1
  }
}
