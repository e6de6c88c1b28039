// `pnpm --filter @wesh/sim crash`: kills a writer node with SIGKILL at many random points (50 by default) and
// checks after each restart that every acknowledged message survived; prints one markdown table.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runCrashTest } from '../crash/crash-test.js'
import { randomSeed } from '../random.js'
import { crashTable, machineLine } from '../report-table.js'

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '50' },
    seed: { type: 'string' },
    'sync-every': { type: 'string', default: '10' },
    'startup-kills': { type: 'string', default: '0.2' },
    'sync-timeout-s': { type: 'string', default: '300' },
    'write-at-once': { type: 'boolean', default: false },
  },
})
const seed = values.seed === undefined ? randomSeed() : Number(values.seed)
process.stderr.write(`seed ${seed} (repeat this run with --seed ${seed})\n`)
const result = await runCrashTest({
  killPoints: Number(values.kills),
  seed,
  syncEvery: Number(values['sync-every']),
  startupKills: Number(values['startup-kills']),
  syncTimeoutMs: Number(values['sync-timeout-s']) * 1000,
  writeAtOnce: values['write-at-once'],
  childScript: join(import.meta.dirname, '..', 'crash', 'crash-child.js'),
  log: (line) => process.stderr.write(`${line}\n`),
})
console.log(`## Crash safety, seed ${seed}\n\n${machineLine()}\n\n${crashTable(result)}\n`)
if (Object.keys(result.rejections).length > 0)
  console.log(`Reported by the sessions: ${JSON.stringify(result.rejections)}\n`)
if (result.problems.length > 0) process.exitCode = 1
