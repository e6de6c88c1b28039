import { multiaddr } from '@multiformats/multiaddr'
import { isWeshError } from '@wesh/crypto'
import { ReplicationErrorCode } from '@wesh/replication'
import { replicateGroup } from '@wesh/replication/node'
import type { ReplicaView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import { CliErrorCode, cliError } from '../../errors.js'
import type { DaemonContext } from '../context.js'
import { findGroup } from '../group-lookup.js'
import { stringField } from '../request-fields.js'
import { groupView } from '../views.js'

/** Replication servers of a group (PROTOCOL.md §8): `wesh replicate add|list`. */
export function replicaRoutes({ account, node }: DaemonContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/groups/:group/replicas',
      kind: 'json',
      async handle({ params }): Promise<readonly ReplicaView[]> {
        return groupView(await findGroup(account, params.group ?? '')).replicas
      },
    },
    {
      method: 'POST',
      path: '/v1/groups/:group/replicas',
      kind: 'json',
      async handle({ params, body, signal }): Promise<readonly ReplicaView[]> {
        const server = stringField(body, 'server').trim()
        const token = stringField(body, 'token')
        const session = await findGroup(account, params.group ?? '')
        try {
          multiaddr(server)
        } catch (cause) {
          throw cliError(CliErrorCode.PEER_UNREACHABLE, `"${server}" is not a multiaddr`, {
            data: { multiaddr: server },
            cause,
          })
        }
        try {
          // Sends the group's public part only, then records event 403 naming the server.
          await replicateGroup({ session, libp2p: node.libp2p, replica: server, token, signal })
        } catch (error) {
          if (isWeshError(error, ReplicationErrorCode.UNAUTHORIZED)) {
            throw cliError(CliErrorCode.REPLICA_TOKEN_REFUSED, `${server} refused the token`, {
              data: { server },
              cause: error,
            })
          }
          throw error
        }
        await session.settled()
        return groupView(session).replicas
      },
    },
  ]
}
