import { multiaddr } from '@multiformats/multiaddr'
import { toHex, utf8ToBytes } from '@wesh/crypto'
import { contactCardLink } from '@wesh/groups'
import type { IdView, StatusView } from '../../api/schema.js'
import type { Route } from '../../api/route.js'
import type { WeshAccount } from '@wesh/groups/node'
import { CliErrorCode, cliError } from '../../errors.js'
import type { ProfileConfig } from '../../profile.js'
import type { DaemonContext } from '../context.js'
import { stringField } from '../request-fields.js'

/** Our contact card, made with the account group's current public rendezvous seed (PROTOCOL.md §6.2). */
export function idView(account: WeshAccount, config: ProfileConfig): IdView {
  return {
    accountId: toHex(account.accountId),
    name: config.name,
    link: contactCardLink(account.contactCard(utf8ToBytes(config.name))),
    contactRequests: account.state.contactRequestsEnabled,
  }
}

/** Who we are and how the node is connected: `wesh id`, `wesh status`, `wesh peer connect`. */
export function accountRoutes({ account, node, network, config }: DaemonContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/v1/id',
      kind: 'json',
      handle: (): Promise<IdView> => Promise.resolve(idView(account, config)),
    },
    {
      method: 'GET',
      path: '/v1/status',
      kind: 'json',
      async handle(): Promise<StatusView> {
        const { libp2p } = node
        const groups = await Promise.all(account.groups().map((group) => account.group(group.publicKey)))
        return {
          peerId: libp2p.peerId.toString(),
          accountId: toHex(account.accountId),
          addresses: libp2p.getMultiaddrs().map(String),
          protocols: libp2p.getProtocols(),
          connections: libp2p.getConnections().map((connection) => ({
            peer: connection.remotePeer.toString(),
            address: connection.remoteAddr.toString(),
            direction: connection.direction,
          })),
          // PROTOCOL.md §2: the DHT and local records always; rendezvous servers when given; mDNS on the LAN.
          discovery: [
            `dht (${network.dht ?? 'public'})`,
            'local records',
            ...(network.mdns === false ? [] : ['mdns']),
            ...(network.rendezvousServers ?? []).map((server) => `rendezvous ${server}`),
          ],
          contactRequests: account.state.contactRequestsEnabled,
          groups: groups.map((session) => ({
            id: toHex(session.group.publicKey),
            name: session.state.name ?? null,
            members: session.state.members.size,
          })),
          replicas: groups.flatMap((session) =>
            [...session.state.replicas.values()].map(({ server, recordedBy }) => ({
              group: toHex(session.group.publicKey),
              server,
              recordedBy,
            })),
          ),
        }
      },
    },
    {
      method: 'POST',
      path: '/v1/peers',
      kind: 'json',
      async handle({ body, signal }) {
        const address = stringField(body, 'multiaddr')
        let parsed
        try {
          parsed = multiaddr(address)
        } catch (cause) {
          throw cliError(CliErrorCode.PEER_UNREACHABLE, `"${address}" is not a multiaddr`, {
            data: { multiaddr: address },
            cause,
          })
        }
        try {
          const connection = await node.libp2p.dial(parsed, { signal })
          return { peer: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }
        } catch (cause) {
          throw cliError(CliErrorCode.PEER_UNREACHABLE, `could not reach ${address}: ${String(cause)}`, {
            data: { multiaddr: address },
            cause,
          })
        }
      },
    },
  ]
}
