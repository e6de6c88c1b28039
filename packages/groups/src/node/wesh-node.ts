import type { Libp2p } from '@libp2p/interface'
import { createOrbitDB, type OrbitDB } from '@orbitdb/core'
import { LevelBlockstore } from 'blockstore-level'
import { LevelDatastore } from 'datastore-level'
import { type UnixFS, unixfs } from '@helia/unixfs'
import { createHelia } from 'helia'
import type { Libp2pOptions } from 'libp2p'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { withFramedHeadExchange } from './framed-head-exchange.js'
import { type GroupLogOptions, openGroupLog } from './group-log.js'
import { type WeshNetworkOptions, type WeshServices, weshLibp2pOptions } from './libp2p-options.js'
import type { EventsDatabase } from '@orbitdb/core'
import { CombinedDiscovery, type Discovery } from '@wesh/rendezvous'
import { PeerRendezvous, type PeerRendezvousInit } from './peer-rendezvous.js'

export interface WeshNodeOptions {
  /** Everything the node keeps lives here: blocks, libp2p state, OrbitDB logs and keys. */
  readonly directory: string
  readonly network?: WeshNetworkOptions
  /** Replaces parts of the libp2p configuration built from `network`. */
  readonly libp2p?: Partial<Libp2pOptions<WeshServices>>
}

/** Helia with the Wesh libp2p services. */
export type WeshHelia = ReturnType<typeof createHelia<WeshServices>>

export interface WeshNode {
  readonly directory: string
  readonly helia: WeshHelia
  readonly libp2p: Libp2p<WeshServices>
  readonly orbitdb: OrbitDB
  /** Files as UnixFS blocks in the node's block store, fetched from peers over bitswap (attachments). */
  readonly unixfs: UnixFS
  /** Every rendezvous system the node runs (DHT, local records, rendezvous servers), queried together. */
  readonly discovery: Discovery
  /**
   * Starts meeting the holders of `seed` on `topic`'s rendezvous points (PROTOCOL.md §2): announced on every
   * system, looked up, peers found dialled. `stop()` of the node stops it too.
   */
  rendezvous(
    init: Pick<PeerRendezvousInit, 'topic' | 'seed' | 'onError' | 'lookupIntervalMs'>,
  ): PeerRendezvous
  /** Opens a group log on this node (see {@link openGroupLog}); `stop()` closes it. */
  openLog(options: Omit<GroupLogOptions, 'ipfs' | 'identities' | 'directory'>): Promise<EventsDatabase>
  /** Stops OrbitDB, Helia and libp2p, releasing every port, timer and file handle. */
  stop(): Promise<void>
}

/** Starts a Wesh node: libp2p, Helia on LevelDB, and OrbitDB, all persisted in `directory`. */
export async function createWeshNode(options: WeshNodeOptions): Promise<WeshNode> {
  const { directory } = options
  await mkdir(directory, { recursive: true })
  const blockstore = new LevelBlockstore(join(directory, 'blocks'))
  const datastore = new LevelDatastore(join(directory, 'datastore'))
  // Helia neither opens nor closes stores it is given: the node owns their file handles.
  await blockstore.open()
  await datastore.open()
  const helia = createHelia<WeshServices>({
    blockstore,
    datastore,
    libp2p: { ...weshLibp2pOptions(options.network), ...options.libp2p },
    // No public gateways or delegated routers: blocks come from peers over bitswap only.
    http: { delegatedRouters: [], recursiveGateways: [] },
  })
  await helia.start()
  const orbitdb = await createOrbitDB({ ipfs: helia, directory: join(directory, 'orbitdb'), id: 'wesh' })
  const orbitdbView = withFramedHeadExchange(helia) // what our logs see: see the function for why
  const logs = new Set<EventsDatabase>()
  const meetings = new Set<PeerRendezvous>()
  const { services } = helia.libp2p
  const discovery = new CombinedDiscovery([
    services.localRecords,
    services.dhtDiscovery,
    ...(services.rendezvousServers ? [services.rendezvousServers] : []),
  ])
  let stopped = false
  return {
    directory,
    helia,
    libp2p: helia.libp2p,
    orbitdb,
    unixfs: unixfs(helia),
    discovery,
    rendezvous(init) {
      const meeting: PeerRendezvous = new PeerRendezvous({
        ...init,
        libp2p: helia.libp2p,
        discovery,
        onStop: () => meetings.delete(meeting),
      })
      meetings.add(meeting)
      meeting.start()
      return meeting
    },
    async openLog(logOptions) {
      const log = await openGroupLog({
        ...logOptions,
        ipfs: orbitdbView,
        identities: orbitdb.identities,
        directory: join(directory, 'logs'),
      })
      logs.add(log)
      log.events.on('close', () => logs.delete(log))
      return log
    },
    async stop() {
      if (stopped) return
      stopped = true
      for (const meeting of [...meetings]) await meeting.stop()
      // Logs first: their replication still reads the block store that Helia closes.
      for (const log of logs) await log.close()
      await orbitdb.stop()
      await helia.stop()
      await blockstore.close()
      await datastore.close()
    },
  }
}
