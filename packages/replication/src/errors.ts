import { WeshError } from '@wesh/crypto'

/**
 * Codes thrown by `@wesh/replication` and sent back by a replica (in `/wesh/replication/1.0.0` responses and in
 * JSON error bodies), besides `@wesh/crypto`'s argument codes. A failed request never changes a replica's state.
 */
export const ReplicationErrorCode = {
  /** A request is not valid: bad protobuf or JSON, a missing field, a field of the wrong length or type. `data`: `{ reason }`. */
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  /** A request frame or body is larger than its limit. `data`: `{ max, actual }`. */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** The bearer token is missing or unknown, or the replica accepts no remote requests. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** `link_key_sig` is missing or does not verify under the group ID: a wrong link key or a forged group. */
  INVALID_LINK_KEY_SIGNATURE: 'INVALID_LINK_KEY_SIGNATURE',
  /** The group carries its secret, secret signature or attachment key: a replica refuses to hold them. */
  SECRET_REFUSED: 'SECRET_REFUSED',
  /** The group is not replicated here (or not for this token). `data`: `{ groupId }`. */
  UNKNOWN_GROUP: 'UNKNOWN_GROUP',
  /** The token's quota is used up. `data`: `{ quota: 'groups' | 'bytes', limit, used }`. */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** The replica's storage failed (disk full, I/O error); other groups keep being served. `data`: `{ reason }`. */
  STORAGE_FAILED: 'STORAGE_FAILED',
  /** The replication node was stopped. */
  STOPPED: 'REPLICATION_STOPPED',
  /** The replica failed in an unexpected way; the request changed nothing. */
  INTERNAL_ERROR: 'REPLICATION_INTERNAL_ERROR',
  /** A tokens file is not valid. `data`: `{ reason }`. */
  INVALID_TOKENS_FILE: 'INVALID_TOKENS_FILE',
  /** A replication-device code is already open on this node (one at a time). */
  LINK_IN_PROGRESS: 'LINK_IN_PROGRESS',
  /** A replica answered with something that is not a valid response, or could not be reached. `data`: `{ reason }`. */
  REPLICA_UNREACHABLE: 'REPLICA_UNREACHABLE',
} as const
export type ReplicationErrorCode = (typeof ReplicationErrorCode)[keyof typeof ReplicationErrorCode]

const CODES = new Set<string>(Object.values(ReplicationErrorCode))

/** True for the codes a replica may send back; anything else from a peer is reported as unreachable. */
export function isReplicationErrorCode(code: string): code is ReplicationErrorCode {
  return CODES.has(code)
}

export function replicationError(
  code: ReplicationErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; cause?: unknown } = {},
): WeshError {
  return new WeshError(code, message, options)
}

export function malformed(reason: string, cause?: unknown): WeshError {
  return replicationError(
    ReplicationErrorCode.MALFORMED_REQUEST,
    `malformed replication request: ${reason}`,
    {
      data: { reason },
      cause,
    },
  )
}
