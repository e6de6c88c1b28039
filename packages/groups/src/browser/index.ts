/**
 * The browser side of `@wesh/groups`: a Wesh node on libp2p (WebSockets), Helia and OrbitDB persisted in
 * IndexedDB, and everything of `@wesh/groups/session` (accounts, group sessions, secret stores).
 * @packageDocumentation
 */
export * from '../session/index.js'
export { createBrowserWeshNode, type BrowserWeshNodeOptions } from './browser-wesh-node.js'
export { weshBrowserLibp2pOptions, type BrowserNetworkOptions } from './browser-libp2p-options.js'
export { IndexedDbSecretStore } from './indexeddb-secret-store.js'
