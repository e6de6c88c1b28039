import type { ReplicationHttpStats, ReplicationNode } from '@wesh/replication/node'

type Sample = [labels: string, value: number]

/** Prometheus text exposition (version 0.0.4) of a replication server's gauges and counters. */
export function renderMetrics(replicas: ReplicationNode, http: ReplicationHttpStats): string {
  const lines: string[] = []
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
  }
  const groups = replicas.list()
  const sum = (pick: (status: (typeof groups)[number]) => number): number =>
    groups.reduce((total, status) => total + pick(status), 0)
  metric('wesh_replication_groups', 'gauge', 'Groups replicated.', [['', groups.length]])
  metric('wesh_replication_linked_accounts', 'gauge', 'Accounts this server is the replication device of.', [
    ['', replicas.linkedAccounts().length],
  ])
  metric('wesh_replication_groups_paused', 'gauge', 'Groups paused for quota.', [
    ['', groups.filter((status) => status.paused).length],
  ])
  metric('wesh_replication_groups_unopened', 'gauge', 'Groups whose storage failed to open at start.', [
    ['', replicas.unopenedGroups.length],
  ])
  metric('wesh_replication_entries', 'gauge', 'Log entries stored, by log.', [
    ['{log="metadata"}', sum((s) => s.metadata.entries)],
    ['{log="messages"}', sum((s) => s.messages.entries)],
  ])
  metric('wesh_replication_stored_bytes', 'gauge', 'Bytes of log entries stored, by log.', [
    ['{log="metadata"}', sum((s) => s.metadata.bytes)],
    ['{log="messages"}', sum((s) => s.messages.bytes)],
  ])
  metric('wesh_replication_rejected_entries_total', 'counter', 'Entries refused: not signed by the group.', [
    ['', replicas.stats.rejectedEntries],
  ])
  metric('wesh_replication_sync_errors_total', 'counter', 'Replication errors reported by the logs.', [
    ['', replicas.stats.syncErrors],
  ])
  metric('wesh_replication_storage_errors_total', 'counter', 'Failed writes to storage.', [
    ['', replicas.stats.storageErrors],
  ])
  metric(
    'wesh_replication_protocol_responses_total',
    'counter',
    '/wesh/replication/1.0.0 responses by code.',
    Object.entries(replicas.protocolStats?.responses ?? {}).map(([code, value]) => [
      `{code="${code}"}`,
      value,
    ]),
  )
  metric(
    'wesh_replication_http_responses_total',
    'counter',
    'HTTP API responses by status.',
    Object.entries(http.responses).map(([status, value]) => [`{status="${status}"}`, value]),
  )
  metric('wesh_replication_peers', 'gauge', 'Connected libp2p peers.', [
    ['', replicas.node.libp2p.getPeers().length],
  ])
  metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [
    ['', process.memoryUsage().rss],
  ])
  return `${lines.join('\n')}\n`
}
