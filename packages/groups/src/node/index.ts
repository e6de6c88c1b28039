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
export {
  LogSync,
  LOG_SYNC_MAX_BANNED_PEERS,
  LOG_SYNC_MAX_INBOUND_STREAMS,
  type LogSyncCutOff,
  type LogSyncOptions,
  type LogSyncProgress,
  type LogSyncStats,
} from './log-sync.js'
export {
  LOG_SYNC_BATCH_TARGET_MS,
  LOG_SYNC_BATCH_TIMEOUT_MS,
  LOG_SYNC_DEFAULT_BATCH_BLOCKS,
  LOG_SYNC_FIRST_BATCH_BLOCKS,
} from './log-catch-up.js'
export {
  LOG_SYNC_PROTOCOL,
  MAX_LOG_SYNC_BATCH_BLOCKS,
  MAX_LOG_SYNC_BATCH_BYTES,
  MAX_LOG_SYNC_BLOCK_BYTES,
  MAX_LOG_SYNC_HASHES,
  MAX_LOG_SYNC_HASH_LENGTH,
  MAX_LOG_SYNC_REQUEST_BYTES,
} from './log-sync-codec.js'
