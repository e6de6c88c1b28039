/**
 * The Node.js side of `@wesh/groups`: a Wesh node on libp2p, Helia and OrbitDB, persisted in LevelDB.
 * Browser bundles import `@wesh/groups` (the pure protocol layer) and never this entry point.
 * @packageDocumentation
 */
export { createWeshNode, type WeshNode, type WeshNodeOptions, type WeshHelia } from './wesh-node.js'
export { weshLibp2pOptions, type WeshNetworkOptions, type WeshServices } from './libp2p-options.js'
export { openGroupLog, type GroupLogOptions } from './group-log.js'
export {
  HEADS_DIAL_ATTEMPTS,
  HEADS_DIAL_FIRST_DELAY_MS,
  HEADS_EXCHANGE_TIMEOUT_MS,
} from './framed-head-exchange.js'
export { HEADS_RESYNC_INTERVAL_MS } from './heads-resync.js'
export {
  JOIN_RETRY_FIRST_DELAY_MS,
  JOIN_RETRY_MAX_ATTEMPTS,
  JOIN_RETRY_MAX_DELAY_MS,
  JOIN_RETRY_MAX_PENDING,
} from './join-retry.js'
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
