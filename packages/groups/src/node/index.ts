/**
 * The Node.js side of `@wesh/groups`: a Wesh node on libp2p (TCP, WebSockets), Helia and OrbitDB, persisted in
 * LevelDB, and everything of `@wesh/groups/session` (accounts, group sessions, secret stores).
 * Browser bundles import `@wesh/groups/browser` instead, never this entry point.
 * @packageDocumentation
 */
export * from '../session/index.js'
export { createWeshNode, type WeshNodeOptions } from './wesh-node.js'
export { weshLibp2pOptions, type WeshNetworkOptions } from './libp2p-options.js'
export { LevelSecretStore } from './secret-store.js'
