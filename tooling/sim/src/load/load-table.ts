import type { RendezvousLoadReport } from './rendezvous-load.js'
import type { ReplicationLoadReport } from './replication-load.js'
import type { ServerMemory } from './server-protocol.js'

const MIB = 1024 * 1024
const memory = (m: ServerMemory) =>
  `${(m.rss / MIB).toFixed(0)} MiB RSS, ${(m.heapUsed / MIB).toFixed(1)} MiB heap`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const checks = (problems: readonly string[]) =>
  problems.length === 0 ? 'pass' : problems.slice(0, 5).join('; ')

export function rendezvousLoadTable(r: RendezvousLoadReport): string {
  const rate = (count: number, ms: number) => `${(count / (ms / 1000)).toFixed(0)}/s`
  return [
    '| what | result |',
    '|---|---|',
    `| registrations | ${r.registrations} from ${r.peers} peers in ${seconds(r.registerMs)} (${rate(r.registrations, r.registerMs)}); REGISTER p50 ${r.registerP50Ms.toFixed(1)} ms, p99 ${r.registerP99Ms.toFixed(1)} ms |`,
    `| per-peer limit | ${r.refusedOverLimit} of ${r.peers} registrations over the limit refused (E_NOT_AUTHORIZED); ${r.renewalsAtLimit} renewals at the limit accepted |`,
    `| DISCOVER under load | ${r.pagesUnderLoad} pages read while registering; passes that saw one registration twice: ${r.duplicatePasses} |`,
    `| DISCOVER after | ${r.completeNamespaces} of ${r.namespaces} namespaces paged in full with every peer; whole server: ${r.allPaged} registrations in ${r.allPages} pages |`,
    `| renewals | every registration again in ${seconds(r.renewMs)} (${rate(r.registrations, r.renewMs)}) |`,
    `| server memory | empty ${memory(r.memory.empty)}; ${r.registrations} registrations ${memory(r.memory.loaded)}; after the renewals ${memory(r.memory.renewed)} |`,
    `| server counters | ${JSON.stringify(r.counters)} |`,
    `| checks | ${checks(r.problems)} |`,
  ].join('\n')
}

export function replicationLoadTable(r: ReplicationLoadReport): string {
  return [
    '| what | result |',
    '|---|---|',
    `| devices | ${r.members} members and ${r.members} contacts in one process; ${r.sharedDht ? 'all in one DHT with the server' : 'each on a DHT of its own'} |`,
    `| add over /wesh/replication/1.0.0 | ${r.added} of ${r.groups} groups from ${r.members} members at once in ${seconds(r.addMs)} (p50 ${seconds(r.addP50Ms)}, max ${seconds(r.addMaxMs)}); ${r.addedOnRetry} more when asked again; errors: ${JSON.stringify(r.addErrors)} |`,
    `| members write, server syncs | ${r.messages} messages (1 KiB) from ${r.members} members at once: ${r.syncMs === undefined ? 'NOT all on the server within the phase' : `all on the server ${seconds(r.syncMs)} after the first send`} |`,
    `| catch-up from the server | ${r.caughtUp} of ${r.groups} groups read in full by ${r.members} fresh contact devices at once in ${seconds(r.catchUpMs)} |`,
    `| server memory | empty ${memory(r.memory.empty)}; ${r.groups} groups ${memory(r.memory.added)}; ${r.messages} messages ${memory(r.memory.synced)} |`,
    `| server counters | ${JSON.stringify(r.counters)} |`,
    `| checks | ${checks(r.problems)} |`,
  ].join('\n')
}
