import type { Command } from 'commander'
import type { ReplicaView } from '../api/schema.js'
import { withSpinner } from '../spinner.js'
import { daemonContext, segment } from './context.js'

function replicaLines(replicas: readonly ReplicaView[]): string[] {
  return replicas.length === 0
    ? ['no replication server: `wesh replicate add <group> <server> --token <token>`']
    : replicas.map((replica) => `${replica.server} (recorded by ${replica.recordedBy.slice(0, 12)})`)
}

export function registerReplicate(program: Command): void {
  const replicate = program
    .command('replicate')
    .description("replication servers: they keep a group's log, without its secrets, for members offline")

  replicate
    .command('add')
    .description('ask a replication server to keep a group, and tell the members (event 403)')
    .argument('<group>', 'group name or ID prefix')
    .argument('<server>', 'the server as a multiaddr ending with /p2p/<peer ID>')
    .requiredOption('--token <token>', 'the access token the server gave you')
    .action(async (reference: string, server: string, options: { token: string }, command: Command) => {
      const { output, client } = await daemonContext(command)
      const replicas = await withSpinner(output, 'asking the replication server', () =>
        client.post<ReplicaView[]>(`/v1/groups/${segment(reference)}/replicas`, {
          server,
          token: options.token,
        }),
      )
      output.result(replicas, replicaLines)
    })

  replicate
    .command('list')
    .description('list the replication servers of a group')
    .argument('<group>', 'group name or ID prefix')
    .action(async (reference: string, _options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      output.result(
        await client.get<ReplicaView[]>(`/v1/groups/${segment(reference)}/replicas`),
        replicaLines,
      )
    })
}
