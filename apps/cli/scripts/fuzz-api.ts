// `pnpm --filter @wesh/cli fuzz`: fast-check over the daemon's HTTP API (test/api-fuzz-targets.ts) on a real daemon
// in a child process on 127.0.0.1, 100 000 cases per way in by default (less for routes that create something),
// seeded; prints one markdown table and every finding. `--runs N`, `--seed S`, `--only TEXT`.
import { fuzzScriptArgs, runFuzzScript } from '@wesh/sim'
import { apiFuzzTargets } from '../test/api-fuzz-targets.ts'
import { startFuzzDaemon } from '../test/fuzz-daemon.ts'

const args = fuzzScriptArgs('way in')
const daemon = await startFuzzDaemon()
try {
  await runFuzzScript(apiFuzzTargets(daemon.api, daemon.refs), args)
  const alive = await daemon.alive()
  console.log(`\nThe daemon ${alive ? 'still answers' : '**no longer answers**'} after the run.`)
  if (!alive) process.exitCode = 1
} finally {
  const code = await daemon.stop()
  if (code !== 0) {
    console.log(`The daemon exited with code ${String(code)} on SIGTERM.`)
    process.exitCode = 1
  }
}
