import { IDBBlockstore } from 'blockstore-idb'
import { IDBDatastore } from 'datastore-idb'
import type { Libp2pOptions } from 'libp2p'
import { startWeshNode } from '../node/start-wesh-node.js'
import { storagePath } from '../node/storage-path.js'
import type { WeshNode } from '../node/wesh-node.js'
import type { WeshServices } from '../node/wesh-services.js'
import { type BrowserNetworkOptions, weshBrowserLibp2pOptions } from './browser-libp2p-options.js'
import { upgradeRelayedToWebRtc } from './webrtc-upgrade.js'

export interface BrowserWeshNodeOptions {
  /**
   * Prefix of the node's IndexedDB databases (blocks, datastore, OrbitDB logs and keys), so that one origin can
   * keep several nodes apart. Default `wesh`.
   */
  readonly name?: string
  readonly network?: BrowserNetworkOptions
  /** Replaces parts of the libp2p configuration built from `network`. */
  readonly libp2p?: Partial<Libp2pOptions<WeshServices>>
}

/**
 * Starts a Wesh node in a browser: libp2p over WebSockets, Helia and OrbitDB, everything persisted in IndexedDB
 * (blocks and datastore through blockstore-idb and datastore-idb; OrbitDB's heads, index and keys through `level`,
 * which is IndexedDB in a browser). The same {@link WeshNode} as `createWeshNode` gives on Node. Two browsers that
 * reach each other through a relay move onto a direct WebRTC connection (see {@link upgradeRelayedToWebRtc}).
 */
export async function createBrowserWeshNode(options: BrowserWeshNodeOptions = {}): Promise<WeshNode> {
  const name = options.name ?? 'wesh'
  const node = await startWeshNode({
    directory: name,
    blockstore: new IDBBlockstore(storagePath(name, 'blocks')),
    datastore: new IDBDatastore(storagePath(name, 'datastore')),
    libp2p: { ...weshBrowserLibp2pOptions(options.network), ...options.libp2p },
  })
  upgradeRelayedToWebRtc(node.libp2p)
  return node
}
