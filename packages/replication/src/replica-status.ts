import type { GroupType } from '@wesh/groups'

/** What a replica holds of one log. */
export interface LogReplicaStatus {
  /** Entries in the log, verified and stored. */
  readonly entries: number
  /** Bytes of those entries as stored (sealed under the link key). */
  readonly bytes: number
  /** Hashes of the log's current heads (at most `MAX_REPORTED_HEADS`). */
  readonly heads: readonly string[]
}

/** What a replica holds of one group: both logs, and the entries it refused. */
export interface GroupReplicaStatus {
  readonly groupId: Uint8Array
  readonly groupType: GroupType
  readonly metadata: LogReplicaStatus
  readonly messages: LogReplicaStatus
  /** Entries refused by the access controller (not signed by the group): forgeries, counted. */
  readonly rejectedEntries: number
  /** True while the group's logs are closed because every owner is over its byte quota. */
  readonly paused: boolean
}
