/**
 * The client side of `@wesh/replication`, for any runtime (Node.js or a browser bundle): what a member device does
 * with replication servers — ask one to replicate a group, dial the replicas a group records, link a replication
 * device to the account and keep it fed. The replication server itself is `@wesh/replication/node`.
 * @packageDocumentation
 */
export { requestReplica } from '../node/replication-protocol.js'
export {
  replicateGroup,
  connectToReplicas,
  type ReplicatedSession,
  type SessionWithReplicas,
} from '../node/member-helpers.js'
export {
  offerReplicationDeviceLink,
  type ReplicationDeviceOffer,
  type ReplicationDeviceOfferOptions,
  type LinkedReplicationDevice,
} from '../node/replication-device-offer.js'
export {
  ReplicationDeviceSync,
  DEFAULT_SYNC_RETRY_INITIAL_MS,
  DEFAULT_SYNC_RETRY_MAX_MS,
  type ReplicationDeviceSyncOptions,
  type ReplicationDeviceEntry,
  type ReplicationDeviceSyncDetail,
} from '../node/replication-device-sync.js'
