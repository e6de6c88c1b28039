/**
 * The Node.js side of `@wesh/groups`: a Wesh node on libp2p, Helia and OrbitDB, persisted in LevelDB.
 * Browser bundles import `@wesh/groups` (the pure protocol layer) and never this entry point.
 * @packageDocumentation
 */
export { createWeshNode, type WeshNode, type WeshNodeOptions, type WeshHelia } from './wesh-node.js'
export { weshLibp2pOptions, type WeshNetworkOptions, type WeshServices } from './libp2p-options.js'
export { openGroupLog, type GroupLogOptions } from './group-log.js'
export {
  createLogAccessController,
  WESH_ACCESS_CONTROLLER_TYPE,
  type LogAccessControllerOptions,
} from './log-access-controller.js'
export { linkKeyEncryption } from './replication-encryption.js'
export {
  MemorySecretStore,
  LevelSecretStore,
  SecretStoreErrorCode,
  type SecretStore,
} from './secret-store.js'
export {
  GroupSession,
  membershipOf,
  MAX_PENDING_PER_DEVICE,
  type GroupMessage,
  type GroupSessionOptions,
} from './group-session.js'
export { WeshAccount, type WeshAccountOptions } from './wesh-account.js'
export { LogSync, logSyncOf, type LogHistory, type LogSyncEvent } from './log-sync/log-sync.js'
export { LogSyncService, type LogSyncTuning } from './log-sync/log-sync-service.js'
export { LogSyncErrorCode, isPeerMisbehaviour } from './log-sync/errors.js'
export {
  LOG_SYNC_PROTOCOL,
  MAX_ENTRY_BLOCK_BYTES,
  MAX_ENTRY_LINKS,
  MAX_CID_BYTES,
  MAX_LOG_ADDRESS_CHARS,
  MAX_WANTS,
  MAX_HAVES,
  MAX_REQUEST_BYTES,
  MAX_CREDIT_FRAME_BYTES,
  MAX_CREDIT,
  DEFAULT_CREDIT,
  MIN_BATCH_BYTES,
  MAX_BATCH_BYTES,
  DEFAULT_BATCH_BYTES,
  MAX_BATCH_BLOCKS,
  MAX_RESPONSE_BYTES,
  FRAME_TIMEOUT_MS,
  MAX_CONCURRENT_WALKS,
  MAX_ELIDED,
  MIN_HISTORY_ENTRIES,
  MAX_PAGE_ENTRIES,
} from './log-sync/constants.js'
