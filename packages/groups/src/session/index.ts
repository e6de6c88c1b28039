/**
 * Accounts and group sessions on a running {@link WeshNode}, the same on every runtime: `@wesh/groups/node`
 * starts the node on Node.js (LevelDB, TCP), `@wesh/groups/browser` in a browser (IndexedDB, WebSockets); both
 * re-export this entry point.
 * @packageDocumentation
 */
export type { WeshNode, WeshHelia } from '../node/wesh-node.js'
export { startWeshNode, type StartWeshNodeOptions } from '../node/start-wesh-node.js'
export { weshServices, type WeshServices, type WeshServiceOptions } from '../node/wesh-services.js'
export { openGroupLog, ENTRY_FETCH_TIMEOUT_MS, type GroupLogOptions } from '../node/group-log.js'
export {
  HEADS_DIAL_ATTEMPTS,
  HEADS_DIAL_FIRST_DELAY_MS,
  HEADS_EXCHANGE_TIMEOUT_MS,
} from '../node/framed-head-exchange.js'
export { HEADS_RESYNC_INTERVAL_MS } from '../node/heads-resync.js'
export { unrefTimer } from '../node/unref-timer.js'
export {
  JOIN_RETRY_FIRST_DELAY_MS,
  JOIN_RETRY_MAX_ATTEMPTS,
  JOIN_RETRY_MAX_DELAY_MS,
  JOIN_RETRY_MAX_PENDING,
} from '../node/join-retry.js'
export {
  createLogAccessController,
  WESH_ACCESS_CONTROLLER_TYPE,
  type LogAccessControllerOptions,
} from '../node/log-access-controller.js'
export { linkKeyEncryption } from '../node/replication-encryption.js'
export { MemorySecretStore, SecretStoreErrorCode, type SecretStore } from '../node/memory-secret-store.js'
export { SealedLevelSecretStore, type SecretLevel } from '../node/sealed-level-secret-store.js'
export {
  GroupSession,
  membershipOf,
  MAX_PENDING_PER_DEVICE,
  type GroupMessage,
  type GroupSessionOptions,
} from '../node/group-session.js'
export { WeshAccount, type WeshAccountOptions } from '../node/wesh-account.js'
