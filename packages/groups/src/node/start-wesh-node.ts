import { createOrbitDB } from '@orbitdb/core'
import type { EventsDatabase } from '@orbitdb/core'
import { unixfs } from '@helia/unixfs'
import { createHelia, type HeliaInit } from 'helia'
import type { Libp2pOptions } from 'libp2p'
import { CombinedDiscovery } from '@wesh/rendezvous'
import { withFramedHeadExchange } from './framed-head-exchange.js'
import { openGroupLog } from './group-log.js'
import { LogSync, type LogSyncOptions } from './log-sync.js'
import { PeerRendezvous } from './peer-rendezvous.js'
import { storagePath } from './storage-path.js'
import type { EntrySignatureVerifier } from './pending-entries.js'
import type { WeshNode } from './wesh-node.js'
import type { WeshServices } from './wesh-services.js'

/** A block or key-value store that the node opens and closes (LevelDB on Node, IndexedDB in a browser). */
interface OwnedStore {
  open(): Promise<void>
  close(): Promise<void>
}

export interface StartWeshNodeOptions {
  /** OrbitDB's logs and keys go under this path: a directory on Node, an IndexedDB name prefix in a browser. */
  readonly directory: string
  readonly blockstore: NonNullable<HeliaInit['blockstore']> & OwnedStore
  readonly datastore: NonNullable<HeliaInit['datastore']> & OwnedStore
  readonly libp2p: Libp2pOptions<WeshServices>
  /** A faster check of OrbitDB entry signatures where the runtime has one (Node's OpenSSL); see group-log.ts. */
  readonly verifyEntrySignature?: EntrySignatureVerifier
  /** Log sync settings; `false` leaves catch-up to OrbitDB's block-by-block walk (to compare, or to debug). */
  readonly logSync?: LogSyncOptions | false
}

/**
 * Starts libp2p, Helia on the given stores, and OrbitDB: the part of a Wesh node that is the same on every
 * runtime. `createWeshNode` (Node, LevelDB) and `createBrowserWeshNode` (IndexedDB) pass their stores.
 */
export async function startWeshNode(options: StartWeshNodeOptions): Promise<WeshNode> {
  const { directory, blockstore, datastore } = options
  // Helia neither opens nor closes stores it is given: the node owns their handles.
  await blockstore.open()
  await datastore.open()
  const helia = createHelia<WeshServices>({
    blockstore,
    datastore,
    libp2p: options.libp2p,
    // No public gateways or delegated routers: blocks come from peers over bitswap only.
    http: { delegatedRouters: [], recursiveGateways: [] },
  })
  await helia.start()
  const orbitdb = await createOrbitDB({
    ipfs: helia,
    directory: storagePath(directory, 'orbitdb'),
    id: 'wesh',
  })
  const orbitdbView = withFramedHeadExchange(helia) // what our logs see: see the function for why
  const logSync =
    options.logSync === false ? undefined : new LogSync({ ...options.logSync, libp2p: helia.libp2p })
  await logSync?.start()
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
    ...(logSync === undefined ? {} : { logSync }),
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
        directory: storagePath(directory, 'logs'),
        localBlocks: blockstore,
        ...(logSync === undefined ? {} : { logSync }),
        ...(options.verifyEntrySignature === undefined
          ? {}
          : { verifyEntrySignature: options.verifyEntrySignature }),
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
      await logSync?.stop()
      await orbitdb.stop()
      await helia.stop()
      await blockstore.close()
      await datastore.close()
    },
  }
}
