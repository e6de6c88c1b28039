// `pnpm --filter @wesh/sim load`: the load tests of issue 10, the rendezvous server then the replication server,
// each server in a child process of its own; prints markdown tables. Progress goes to stderr, tables to stdout.
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { runRendezvousLoad } from '../load/rendezvous-load.js'
import { runReplicationLoad } from '../load/replication-load.js'
import { machineLine } from '../report-table.js'
import { rendezvousLoadTable, replicationLoadTable } from '../load/load-table.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    peers: { type: 'string', default: '100' },
    namespaces: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '20' },
    members: { type: 'string', default: '50' },
    'groups-per-member': { type: 'string', default: '2' },
    messages: { type: 'string', default: '10' },
    'phase-timeout-s': { type: 'string', default: '300' },
    'shared-dht': { type: 'boolean', default: false },
  },
})
const serverScript = join(import.meta.dirname, '..', 'load', 'server-child.js')
const log = (line: string) => process.stderr.write(`${line}\n`)
let failed = false
if (values.only === undefined || values.only === 'rendezvous') {
  const namespaces = Number(values.namespaces)
  const report = await runRendezvousLoad({
    peers: Number(values.peers),
    namespacesPerPeer: namespaces,
    maxRegistrationsPerPeer: namespaces,
    concurrency: Number(values.concurrency),
    serverScript,
    log,
  })
  console.log(`## Rendezvous server under load\n\n${machineLine()}\n\n${rendezvousLoadTable(report)}\n`)
  failed ||= report.problems.length > 0
}
if (values.only === undefined || values.only === 'replication') {
  const report = await runReplicationLoad({
    members: Number(values.members),
    groupsPerMember: Number(values['groups-per-member']),
    messages: Number(values.messages),
    phaseTimeoutMs: Number(values['phase-timeout-s']) * 1000,
    sharedDht: values['shared-dht'],
    serverScript,
    log,
  })
  console.log(`## Replication server under load\n\n${machineLine()}\n\n${replicationLoadTable(report)}\n`)
  failed ||= report.problems.length > 0
}
if (failed) process.exitCode = 1
