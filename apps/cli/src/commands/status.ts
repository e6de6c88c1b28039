import type { Command } from 'commander'
import type { StatusView } from '../api/schema.js'
import { groupLabel, shortId } from '../text-format.js'
import { daemonContext } from './context.js'

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the node: peer ID, addresses, connections, groups and their replication servers')
    .action(async (_options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      output.result(await client.get<StatusView>('/v1/status'), (status) => [
        `peer     ${status.peerId}`,
        `account  ${status.accountId}`,
        `addresses (${status.addresses.length})`,
        ...status.addresses.map((address) => `  ${address}`),
        `connections (${status.connections.length})`,
        ...status.connections.map((c) => `  ${c.peer} ${c.direction} ${c.address}`),
        `groups (${status.groups.length})`,
        ...status.groups.map((group) => `  ${groupLabel(group)}, ${group.members} member(s)`),
        `replicas (${status.replicas.length})`,
        ...status.replicas.map((replica) => `  ${shortId(replica.group)} → ${replica.server}`),
      ])
    })
}
