// The server process of the load tests (`runRendezvousLoad`, `runReplicationLoad`): a rendezvous server or a
// replication server on 127.0.0.1, alone in its process so that its memory is measured apart from the load.
import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { rendezvousServer } from '@wesh/rendezvous'
import { ReplicationTokens, groupIdFromHex } from '@wesh/replication'
import { createReplicationNode } from '@wesh/replication/node'
import { createLibp2p } from 'libp2p'
import type { ServerAnswer, ServerConfig, ServerMemory, ServerRequest } from './server-protocol.js'

const answer = (message: ServerAnswer) => process.send?.(message)
const config = JSON.parse(process.env.WESH_SIM_SERVER ?? 'null') as ServerConfig | null
if (config === null || process.send === undefined)
  throw new Error('run by the load tests, with an IPC channel')

const memory = (): ServerMemory => {
  ;(globalThis as { gc?: () => void }).gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed }
}

/** What each role serves: its address, its counters, a wait for replicated entries, and a stop. */
interface Served {
  readonly address: string
  counters(): Record<string, unknown>
  wait(request: Extract<ServerRequest, { type: 'wait' }>): Promise<void>
  stop(): Promise<void>
}

async function serve(config: ServerConfig): Promise<Served> {
  if (config.role === 'rendezvous') {
    const node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      // Every client comes from 127.0.0.1: without this, libp2p's per-host inbound rate limit (a protection of
      // its own, not the server's) would throttle the load to a few connections per second.
      connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'], maxConnections: 1000 },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        rendezvous: rendezvousServer({ maxRegistrationsPerPeer: config.maxRegistrationsPerPeer }),
      },
    })
    return {
      address: node.getMultiaddrs()[0]?.toString() ?? '',
      counters: () => ({ ...node.services.rendezvous.stats, connections: node.getConnections().length }),
      wait: () => Promise.resolve(),
      stop: async () => {
        await node.stop()
      },
    }
  }
  const replica = await createReplicationNode({
    directory: config.directory,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan', rendezvousServers: [] },
    libp2p: { connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'], maxConnections: 1000 } },
    tokens: ReplicationTokens.fromJSON({
      v: 1,
      tokens: [{ name: 'load', token: config.token, maxGroups: config.maxGroups }],
    }),
  })
  // What the sync errors were: the counters carry their kinds (error name and first words of the message).
  const errorKinds: Record<string, number> = {}
  replica.addEventListener('error', (event) => {
    const { error } = (event as CustomEvent<{ error?: unknown }>).detail
    const kind =
      error instanceof Error
        ? `${error.name}: ${(error.message.split('\n')[0] ?? '').replace(/\b(baf|Qm|12D3)[A-Za-z0-9]{20,}/g, '…').slice(0, 60)}`
        : String(error)
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1
  })
  return {
    address: replica.node.libp2p.getMultiaddrs()[0]?.toString() ?? '',
    counters: () => {
      const groups = replica.list({ owner: 'load' })
      return {
        ...replica.stats,
        ...replica.protocolStats,
        errorKinds,
        groups: groups.length,
        messageEntries: groups.reduce((sum, group) => sum + group.messages.entries, 0),
        connections: replica.node.libp2p.getConnections().length,
      }
    },
    wait: async ({ groupIds, entries }) => {
      for (const id of groupIds)
        await replica.waitFor(groupIdFromHex(id), (status) => status.messages.entries >= entries)
    },
    stop: () => replica.stop(),
  }
}

try {
  const served = await serve(config)
  process.on('message', (request: ServerRequest) => {
    void (async () => {
      switch (request.type) {
        case 'measure':
          answer({ id: request.id, type: 'measured', memory: memory(), counters: served.counters() })
          break
        case 'wait':
          await served.wait(request)
          answer({ id: request.id, type: 'done' })
          break
        case 'stop':
          await served.stop()
          answer({ id: request.id, type: 'done' })
          process.disconnect()
          break
      }
    })()
  })
  answer({ type: 'ready', address: served.address })
} catch (error) {
  answer({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exitCode = 1
  process.disconnect()
}
