import type { Command } from 'commander'
import type { StatusView } from '../api/schema.js'
import { groupLabel } from '../text-format.js'
import { daemonContext } from './context.js'

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'show the node: peer ID, addresses, discovery systems, connections, groups and the replication servers of each',
    )
    .action(async (_options: unknown, command: Command) => {
      const { output, client } = await daemonContext(command)
      output.result(await client.get<StatusView>('/v1/status'), (status) => [
        `peer     ${status.peerId}`,
        `account  ${status.accountId}`,
        `addresses (${status.addresses.length})`,
        ...status.addresses.map((address) => `  ${address}`),
        `discovery (${status.discovery.length})`,
        ...status.discovery.map((system) => `  ${system}`),
        `contact requests ${status.contactRequests ? 'taken' : 'off'}`,
        `connections (${status.connections.length})`,
        ...status.connections.map((c) => `  ${c.peer} ${c.direction} ${c.address}`),
        `groups (${status.groups.length})`,
        ...status.groups.flatMap((group) => [
          `  ${groupLabel(group)}, ${group.members} member(s)`,
          ...status.replicas
            .filter((replica) => replica.group === group.id)
            .map((replica) => `    replica ${replica.server}`),
        ]),
      ])
    })
}
