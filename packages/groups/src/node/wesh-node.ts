import type { Libp2p } from '@libp2p/interface'
import type { OrbitDB } from '@orbitdb/core'
import { LevelBlockstore } from 'blockstore-level'
import { LevelDatastore } from 'datastore-level'
import type { UnixFS } from '@helia/unixfs'
import type { createHelia } from 'helia'
import type { Libp2pOptions } from 'libp2p'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { GroupLogOptions } from './group-log.js'
import { type WeshNetworkOptions, weshLibp2pOptions } from './libp2p-options.js'
import type { EventsDatabase } from '@orbitdb/core'
import type { Discovery } from '@wesh/rendezvous'
import type { PeerRendezvous, PeerRendezvousInit } from './peer-rendezvous.js'
import type { LogSync, LogSyncOptions } from './log-sync.js'
import { nativeEntrySignatureVerifier } from './native-entry-signature.js'
import { startWeshNode } from './start-wesh-node.js'
import type { WeshServices } from './wesh-services.js'

export interface WeshNodeOptions {
  /** Everything the node keeps lives here: blocks, libp2p state, OrbitDB logs and keys. */
  readonly directory: string
  readonly network?: WeshNetworkOptions
  /** Replaces parts of the libp2p configuration built from `network`. */
  readonly libp2p?: Partial<Libp2pOptions<WeshServices>>
  /** Log sync settings (README "Log sync"); `false` leaves catch-up to OrbitDB's block-by-block walk. */
  readonly logSync?: LogSyncOptions | false
}

/** Helia with the Wesh libp2p services. */
export type WeshHelia = ReturnType<typeof createHelia<WeshServices>>

export interface WeshNode {
  /** Where the node keeps everything: a directory on Node, the prefix of its IndexedDB databases in a browser. */
  readonly directory: string
  readonly helia: WeshHelia
  readonly libp2p: Libp2p<WeshServices>
  readonly orbitdb: OrbitDB
  /** Files as UnixFS blocks in the node's block store, fetched from peers over bitswap (attachments). */
  readonly unixfs: UnixFS
  /** Bulk catch-up of group logs between nodes (README "Log sync"); absent when turned off. */
  readonly logSync?: LogSync
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
  openLog(
    options: Omit<GroupLogOptions, 'ipfs' | 'identities' | 'directory' | 'localBlocks'>,
  ): Promise<EventsDatabase>
  /** Stops OrbitDB, Helia and libp2p, releasing every port, timer and file handle. */
  stop(): Promise<void>
}

/** Starts a Wesh node: libp2p, Helia on LevelDB, and OrbitDB, all persisted in `directory`. */
export async function createWeshNode(options: WeshNodeOptions): Promise<WeshNode> {
  const { directory } = options
  await mkdir(directory, { recursive: true })
  return startWeshNode({
    directory,
    blockstore: new LevelBlockstore(join(directory, 'blocks')),
    datastore: new LevelDatastore(join(directory, 'datastore')),
    libp2p: { ...weshLibp2pOptions(options.network), ...options.libp2p },
    verifyEntrySignature: nativeEntrySignatureVerifier(),
    ...(options.logSync === undefined ? {} : { logSync: options.logSync }),
  })
}
