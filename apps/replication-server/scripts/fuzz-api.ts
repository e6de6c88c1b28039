// `pnpm --filter @wesh/replication-server fuzz`: fast-check over the replication server's HTTP API
// (test/api-fuzz-targets.ts) on a real server in a child process on 127.0.0.1, 100 000 cases per way in by default,
// seeded; prints one markdown table and every finding. `--runs N`, `--seed S`, `--only TEXT`.
import { parseArgs } from 'node:util'
import { fuzzAll, fuzzTable, randomSeed } from '@wesh/sim'
import { apiFuzzTargets, fuzzGroups } from '../test/api-fuzz-targets.ts'
import { startFuzzServer } from '../test/fuzz-server.ts'

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
const server = await startFuzzServer()
try {
  const targets = apiFuzzTargets(server.api, fuzzGroups()).filter(
    (target) => values.only === undefined || target.name.includes(values.only),
  )
  const results = await fuzzAll(
    targets,
    { bytes: [], texts: [] },
    { runs, seed, progress: (line) => process.stderr.write(`${line}\n`) },
  )
  console.log(fuzzTable(seed, results))
  const alive = await server.alive()
  console.log(`\nThe server ${alive ? 'still answers' : '**no longer answers**'} after the run.`)
  const serverErrors = alive ? await server.serverErrors() : 0
  console.log(`It counted ${serverErrors} 5xx answer(s) in its metrics.`)
  if (!alive || serverErrors > 0 || results.some((r) => r.findings.length > 0)) process.exitCode = 1
} finally {
  const code = await server.stop()
  if (code !== 0) {
    console.log(`The server exited with code ${String(code)} on SIGTERM.`)
    process.exitCode = 1
  }
}
