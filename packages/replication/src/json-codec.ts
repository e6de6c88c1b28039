import { fromHex, isWeshError, toHex } from '@wesh/crypto'
import type { GroupType } from '@wesh/groups'
import { malformed, replicationError, ReplicationErrorCode } from './errors.js'
import type { GroupReplicaStatus, LogReplicaStatus } from './replica-status.js'
import { checkReplicationGroup, type ReplicationGroup } from './replication-group.js'

// The JSON forms of the HTTP API (PROTOCOL.md §8). Bytes are lowercase hex, as group IDs are in log names.

/** The JSON body of `POST /v1/groups`. */
export interface ReplicationGroupJson {
  readonly groupType: number
  readonly groupId: string
  readonly signPub: string
  readonly linkKey: string
  readonly linkKeySig: string
}

export interface LogReplicaStatusJson {
  readonly entries: number
  readonly bytes: number
  readonly heads: readonly string[]
}

/** The JSON body of `GET /v1/groups/:id` and of a successful `POST /v1/groups`. */
export interface GroupReplicaStatusJson {
  readonly groupId: string
  readonly groupType: number
  readonly metadata: LogReplicaStatusJson
  readonly messages: LogReplicaStatusJson
  readonly rejectedEntries: number
  readonly paused: boolean
}

const SECRET_FIELDS = new Set(['secret', 'secretSig', 'attachmentKey'])
const GROUP_FIELDS = new Set(['groupType', 'groupId', 'signPub', 'linkKey', 'linkKeySig'])

function hexField(value: unknown, name: string): Uint8Array {
  if (typeof value !== 'string') throw malformed(`${name} must be a hex string`)
  try {
    return fromHex(value)
  } catch (error) {
    if (isWeshError(error)) throw malformed(`${name} must be a hex string`, error)
    throw error
  }
}

/**
 * Parses and checks the JSON form of a group: `MALFORMED_REQUEST` for a missing, unknown or ill-typed field,
 * `SECRET_REFUSED` for a secret field, `INVALID_LINK_KEY_SIGNATURE` for a link key the group key did not sign.
 */
export function replicationGroupFromJson(value: unknown): ReplicationGroup {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('the body must be a JSON object')
  }
  const fields = value as Record<string, unknown>
  for (const key of Object.keys(fields)) {
    if (SECRET_FIELDS.has(key)) {
      throw replicationError(
        ReplicationErrorCode.SECRET_REFUSED,
        `the group carries ${key}: a replica never holds one`,
      )
    }
    if (!GROUP_FIELDS.has(key)) throw malformed(`unknown field ${key}`)
  }
  if (typeof fields.groupType !== 'number') throw malformed('groupType must be 1, 2 or 3')
  return checkReplicationGroup({
    groupType: fields.groupType as GroupType,
    publicKey: hexField(fields.groupId, 'groupId'),
    signPublicKey: hexField(fields.signPub, 'signPub'),
    linkKey: hexField(fields.linkKey, 'linkKey'),
    linkKeySig: hexField(fields.linkKeySig, 'linkKeySig'),
  })
}

/** The JSON form of a group, for a `POST /v1/groups` body. */
export function replicationGroupToJson(group: ReplicationGroup): ReplicationGroupJson {
  return {
    groupType: group.groupType,
    groupId: toHex(group.publicKey),
    signPub: toHex(group.signPublicKey),
    linkKey: toHex(group.linkKey),
    linkKeySig: toHex(group.linkKeySig),
  }
}

function logToJson(log: LogReplicaStatus): LogReplicaStatusJson {
  return { entries: log.entries, bytes: log.bytes, heads: [...log.heads] }
}

export function replicaStatusToJson(status: GroupReplicaStatus): GroupReplicaStatusJson {
  return {
    groupId: toHex(status.groupId),
    groupType: status.groupType,
    metadata: logToJson(status.metadata),
    messages: logToJson(status.messages),
    rejectedEntries: status.rejectedEntries,
    paused: status.paused,
  }
}

/** Parses a group ID from a URL path segment: 64 hex digits. */
export function groupIdFromHex(text: string): Uint8Array {
  if (!/^[0-9a-f]{64}$/i.test(text)) throw malformed('a group ID is 64 hex digits')
  return fromHex(text.toLowerCase())
}
