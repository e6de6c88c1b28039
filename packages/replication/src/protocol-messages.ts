import { isWeshError } from '@wesh/crypto'
import { isGroupType } from '@wesh/groups'
import type { Uint8ArrayList } from 'uint8arraylist'
import {
  GROUP_ID_BYTES,
  MAX_REPORTED_HEADS,
  MAX_REQUEST_BYTES,
  MAX_RESPONSE_BYTES,
  MAX_TOKEN_LENGTH,
} from './constants.js'
import { isReplicationErrorCode, malformed, replicationError, ReplicationErrorCode } from './errors.js'
import * as pb from './proto/replication.js'
import type { GroupReplicaStatus, LogReplicaStatus } from './replica-status.js'
import { checkReplicationGroup, type ReplicationGroup } from './replication-group.js'

// PROTOCOL.md §8, `/wesh/replication/1.0.0`: the typed messages and their codecs. Every decoder checks the size
// limit first, then protobuf, then each field; every failure is a WeshError with a ReplicationErrorCode.

/** A request to a replica; `token` is the bearer token its operator issued. */
export type ReplicationRequest =
  | { readonly kind: 'add'; readonly group: ReplicationGroup; readonly token?: string }
  | { readonly kind: 'remove'; readonly groupId: Uint8Array; readonly token?: string }
  | { readonly kind: 'status'; readonly groupId: Uint8Array; readonly token?: string }

/** A replica's answer: the group's status (for add and status), or a typed error. */
export type ReplicationResponse =
  | { readonly ok: true; readonly status?: GroupReplicaStatus }
  | { readonly ok: false; readonly code: ReplicationErrorCode; readonly message: string }

const KIND_TO_PB = {
  add: pb.ReplicationRequest.Kind.ADD,
  remove: pb.ReplicationRequest.Kind.REMOVE,
  status: pb.ReplicationRequest.Kind.STATUS,
} as const

export function tooLarge(actual: number, max: number): never {
  throw replicationError(
    ReplicationErrorCode.REQUEST_TOO_LARGE,
    `${actual} bytes exceed the limit of ${max}`,
    {
      data: { max, actual },
    },
  )
}

export function checkToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw malformed(`token must be a string of at most ${MAX_TOKEN_LENGTH} characters`)
  }
  return token
}

/** The wire form of a group's public part, checked (link-key signature included) like the replica will. */
export function toPbGroup(group: ReplicationGroup): pb.ReplicatedGroup {
  const checked = checkReplicationGroup(group)
  return {
    publicKey: new Uint8Array(checked.publicKey),
    groupType: checked.groupType,
    signPub: new Uint8Array(checked.signPublicKey),
    linkKey: new Uint8Array(checked.linkKey),
    linkKeySig: new Uint8Array(checked.linkKeySig),
    // proto3 leaves empty bytes out: the secret fields never reach the wire.
    secret: new Uint8Array(0),
    secretSig: new Uint8Array(0),
    attachmentKey: new Uint8Array(0),
  }
}

/** A group from the wire: `SECRET_REFUSED` if it carries a secret, else checked like {@link checkReplicationGroup}. */
export function fromPbGroup(group: pb.ReplicatedGroup): ReplicationGroup {
  if (group.secret.byteLength > 0 || group.secretSig.byteLength > 0 || group.attachmentKey.byteLength > 0) {
    throw replicationError(
      ReplicationErrorCode.SECRET_REFUSED,
      'the group carries its secret: a replica never holds one',
    )
  }
  return checkReplicationGroup({
    groupType: group.groupType as ReplicationGroup['groupType'],
    publicKey: group.publicKey,
    signPublicKey: group.signPub,
    linkKey: group.linkKey,
    linkKeySig: group.linkKeySig,
  })
}

/** Encodes a request frame. Checks the group (including its link-key signature) like the replica will. */
export function encodeReplicationRequest(request: ReplicationRequest): Uint8Array {
  const token = checkToken(request.token) ?? ''
  let bytes: Uint8Array
  if (request.kind === 'add') {
    bytes = pb.ReplicationRequest.encode({
      kind: KIND_TO_PB.add,
      group: toPbGroup(request.group),
      token,
    })
  } else {
    bytes = pb.ReplicationRequest.encode({
      kind: KIND_TO_PB[request.kind],
      groupId: checkGroupId(request.groupId),
      token,
    })
  }
  if (bytes.byteLength > MAX_REQUEST_BYTES) tooLarge(bytes.byteLength, MAX_REQUEST_BYTES)
  return bytes
}

function checkGroupId(groupId: unknown): Uint8Array<ArrayBuffer> {
  if (!(groupId instanceof Uint8Array) || groupId.byteLength !== GROUP_ID_BYTES) {
    throw malformed(`group_id must be ${GROUP_ID_BYTES} bytes`)
  }
  return new Uint8Array(groupId)
}

/**
 * Decodes a request frame: `REQUEST_TOO_LARGE`, `MALFORMED_REQUEST`, `SECRET_REFUSED` for a group carrying a
 * secret, `INVALID_LINK_KEY_SIGNATURE` for a link key its group key did not sign.
 */
export function decodeReplicationRequest(bytes: Uint8Array | Uint8ArrayList): ReplicationRequest {
  if (bytes.byteLength > MAX_REQUEST_BYTES) tooLarge(bytes.byteLength, MAX_REQUEST_BYTES)
  let message: pb.ReplicationRequest
  try {
    message = pb.ReplicationRequest.decode(bytes)
  } catch (cause) {
    throw malformed('not a ReplicationRequest', cause)
  }
  const token = checkToken(message.token)
  const withToken = token === undefined ? {} : { token }
  switch (message.kind) {
    case pb.ReplicationRequest.Kind.ADD: {
      if (message.group === undefined) throw malformed('add without a group')
      return { kind: 'add', group: fromPbGroup(message.group), ...withToken }
    }
    case pb.ReplicationRequest.Kind.REMOVE:
    case pb.ReplicationRequest.Kind.STATUS:
      return {
        kind: message.kind === pb.ReplicationRequest.Kind.REMOVE ? 'remove' : 'status',
        groupId: checkGroupId(message.groupId),
        ...withToken,
      }
    default:
      throw malformed('kind must be ADD, REMOVE or STATUS')
  }
}

function toPbLog(log: LogReplicaStatus): pb.LogStatus {
  return {
    entries: BigInt(log.entries),
    bytes: BigInt(log.bytes),
    heads: log.heads.slice(0, MAX_REPORTED_HEADS).map(String),
  }
}

/** Encodes a response frame. */
export function encodeReplicationResponse(response: ReplicationResponse): Uint8Array {
  if (!response.ok) {
    return pb.ReplicationResponse.encode({
      errorCode: response.code,
      errorMessage: response.message.slice(0, 512),
    })
  }
  const { status } = response
  return pb.ReplicationResponse.encode(
    status === undefined
      ? {}
      : {
          status: {
            groupId: new Uint8Array(status.groupId),
            groupType: status.groupType,
            metadata: toPbLog(status.metadata),
            messages: toPbLog(status.messages),
            rejectedEntries: BigInt(status.rejectedEntries),
            paused: status.paused,
          },
        },
  )
}

/** A count from the wire as a number; counts past 2^53 are capped (no replica holds that many entries). */
function toCount(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
}

function unreachable(reason: string, cause?: unknown): never {
  throw replicationError(
    ReplicationErrorCode.REPLICA_UNREACHABLE,
    `invalid response from the replica: ${reason}`,
    {
      data: { reason },
      cause,
    },
  )
}

function fromPbLog(log: pb.LogStatus | undefined): LogReplicaStatus {
  if (log === undefined) return { entries: 0, bytes: 0, heads: [] }
  return { entries: toCount(log.entries), bytes: toCount(log.bytes), heads: log.heads }
}

/**
 * Decodes a response frame. A malformed frame, an oversized one or an unknown error code is
 * `REPLICA_UNREACHABLE`; a valid error response is returned as `{ ok: false }`, not thrown.
 */
export function decodeReplicationResponse(bytes: Uint8Array | Uint8ArrayList): ReplicationResponse {
  if (bytes.byteLength > MAX_RESPONSE_BYTES) unreachable(`a frame of ${bytes.byteLength} bytes`)
  let message: pb.ReplicationResponse
  try {
    message = pb.ReplicationResponse.decode(bytes, {
      limits: {
        status: { metadata: { heads: MAX_REPORTED_HEADS }, messages: { heads: MAX_REPORTED_HEADS } },
      },
    })
  } catch (cause) {
    if (isWeshError(cause)) throw cause
    unreachable('not a ReplicationResponse', cause)
  }
  if (message.errorCode !== '') {
    if (!isReplicationErrorCode(message.errorCode)) unreachable(`unknown error code ${message.errorCode}`)
    return { ok: false, code: message.errorCode, message: message.errorMessage }
  }
  const { status } = message
  if (status === undefined) return { ok: true }
  if (status.groupId.byteLength !== GROUP_ID_BYTES) unreachable('a status without a 32-byte group ID')
  if (!isGroupType(status.groupType)) unreachable('a status with an unknown group type')
  return {
    ok: true,
    status: {
      groupId: new Uint8Array(status.groupId),
      groupType: status.groupType,
      metadata: fromPbLog(status.metadata),
      messages: fromPbLog(status.messages),
      rejectedEntries: toCount(status.rejectedEntries),
      paused: status.paused,
    },
  }
}
