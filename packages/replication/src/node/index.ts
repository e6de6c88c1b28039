/**
 * The Node.js side of `@wesh/replication` (PROTOCOL.md §8): the replication node (`createReplicationNode`),
 * the `/wesh/replication/1.0.0` protocol (served by the node; `requestReplica` for clients), the HTTP JSON API
 * (`replicationHttpApi`, a `node:http` request listener), the member side (`replicateGroup`), and the replication
 * device: linking it to an account (`offerReplicationDeviceLink` on an account device, `linkReplicationDevice` on
 * the replica) and keeping the account's groups on it (`ReplicationDeviceSync`, on every device of the account).
 * @packageDocumentation
 */
import './orbitdb-types.js'
// The member side (requestReplica, replicateGroup, connectToReplicas, offerReplicationDeviceLink,
// ReplicationDeviceSync) is also `@wesh/replication/client`, for browser bundles.
export * from '../client/index.js'
export {
  createReplicationNode,
  ReplicationNode,
  LOCAL_OWNER,
  type ReplicationNodeOptions,
  type ReplicationNodeStats,
  type ReplicaEventDetail,
  type OwnerOptions,
  type LinkAccountOptions,
  type LinkedAccount,
  type UnopenedGroup,
} from './replication-node.js'
export type { ReplicationProtocolServer } from './replication-protocol.js'
export {
  replicationHttpApi,
  HTTP_STATUS_OF,
  type ReplicationHttpApi,
  type ReplicationHttpStats,
} from './http-api.js'
export { linkedAccountOwner } from './linked-accounts.js'
export { linkReplicationDevice, type LinkReplicationDeviceOptions } from './replication-device-link.js'
