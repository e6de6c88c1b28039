// `pnpm --filter @wesh/replication-server fuzz`: fast-check over the replication server's HTTP API
// (test/api-fuzz-targets.ts) on a real server in a child process on 127.0.0.1, 100 000 cases per way in by default,
// seeded; prints one markdown table and every finding. `--runs N`, `--seed S`, `--only TEXT`.
import { fuzzScriptArgs, runFuzzScript } from '@wesh/sim'
import { apiFuzzTargets, fuzzGroups } from '../test/api-fuzz-targets.ts'
import { startFuzzServer } from '../test/fuzz-server.ts'

const args = fuzzScriptArgs('way in')
const server = await startFuzzServer()
try {
  await runFuzzScript(apiFuzzTargets(server.api, fuzzGroups()), args)
  const alive = await server.alive()
  console.log(`\nThe server ${alive ? 'still answers' : '**no longer answers**'} after the run.`)
  const serverErrors = alive ? await server.serverErrors() : 0
  console.log(`It counted ${serverErrors} 5xx answer(s) in its metrics.`)
  if (!alive || serverErrors > 0) process.exitCode = 1
} finally {
  const code = await server.stop()
  if (code !== 0) {
    console.log(`The server exited with code ${String(code)} on SIGTERM.`)
    process.exitCode = 1
  }
}
