/**
 * The Node.js side of `@wesh/replication` (PROTOCOL.md §8): the replication node (`createReplicationNode`),
 * the `/wesh/replication/1.0.0` protocol (served by the node; `requestReplica` for clients), the HTTP JSON API
 * (`replicationHttpApi`, a `node:http` request listener), and the member side (`replicateGroup`).
 * @packageDocumentation
 */
import './orbitdb-types.js'
export {
  createReplicationNode,
  ReplicationNode,
  LOCAL_OWNER,
  type ReplicationNodeOptions,
  type ReplicationNodeStats,
  type ReplicaEventDetail,
  type OwnerOptions,
} from './replication-node.js'
export { requestReplica, type ReplicationProtocolServer } from './replication-protocol.js'
export {
  replicationHttpApi,
  HTTP_STATUS_OF,
  type ReplicationHttpApi,
  type ReplicationHttpStats,
} from './http-api.js'
export {
  replicateGroup,
  connectToReplicas,
  type ReplicatedSession,
  type SessionWithReplicas,
} from './member-helpers.js'
