/**
 * The pure layer of Wesh replication (PROTOCOL.md §8): what a replica is told about a group and how it checks
 * it, the `/wesh/replication/1.0.0` messages, the HTTP API's JSON forms, and operator tokens. No I/O; the
 * replication node itself is in `@wesh/replication/node`.
 *
 * @example
 * ```ts
 * import { createMultiMemberGroup } from '@wesh/groups'
 * import { replicationGroupOf, encodeReplicationRequest, decodeReplicationRequest } from '@wesh/replication'
 *
 * const { group } = createMultiMemberGroup()
 * const publicPart = replicationGroupOf(group) // no secret: what a replica may hold
 * const frame = encodeReplicationRequest({ kind: 'add', group: publicPart, token: 'issued-by-the-operator' })
 * decodeReplicationRequest(frame) // checks sizes, refuses secrets, verifies link_key_sig
 * ```
 * @packageDocumentation
 */
export * from './constants.js'
export { ReplicationErrorCode, isReplicationErrorCode } from './errors.js'
export { checkReplicationGroup, replicationGroupOf, type ReplicationGroup } from './replication-group.js'
export type { GroupReplicaStatus, LogReplicaStatus } from './replica-status.js'
export {
  encodeReplicationRequest,
  decodeReplicationRequest,
  encodeReplicationResponse,
  decodeReplicationResponse,
  type ReplicationRequest,
  type ReplicationResponse,
} from './protocol-messages.js'
export {
  replicationGroupFromJson,
  replicationGroupToJson,
  replicaStatusToJson,
  groupIdFromHex,
  type ReplicationGroupJson,
  type GroupReplicaStatusJson,
  type LogReplicaStatusJson,
} from './json-codec.js'
export {
  replicationDeviceToken,
  replicationDeviceGrant,
  checkReplicationDeviceGrant,
  encodeReplicationDeviceGrant,
  decodeReplicationDeviceGrant,
  type ReplicationDeviceGrant,
} from './replication-device.js'
export {
  ReplicationTokens,
  tokenHash,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_GROUPS,
  type TokenGrant,
} from './tokens.js'
