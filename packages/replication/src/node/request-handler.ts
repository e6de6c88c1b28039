import { isWeshError } from '@wesh/crypto'
import { isReplicationErrorCode, replicationError, ReplicationErrorCode } from '../errors.js'
import type { ReplicationRequest } from '../protocol-messages.js'
import type { GroupReplicaStatus } from '../replica-status.js'
import type { ReplicationNode } from './replication-node.js'

/**
 * Answers a request from the network (libp2p protocol or HTTP API), on behalf of the token's holder: the same
 * checks and quotas whichever way it came. Throws `UNAUTHORIZED` for a missing or unknown token.
 */
export async function answerReplicationRequest(
  replicas: ReplicationNode,
  request: ReplicationRequest,
  options: { signal?: AbortSignal } = {},
): Promise<GroupReplicaStatus | undefined> {
  const grant = replicas.authenticate(request.token)
  if (grant === undefined) {
    throw replicationError(ReplicationErrorCode.UNAUTHORIZED, 'a valid bearer token is required')
  }
  const owner = { owner: grant.name, ...(options.signal === undefined ? {} : { signal: options.signal }) }
  switch (request.kind) {
    case 'add':
      return replicas.add(request.group, owner)
    case 'remove':
      await replicas.remove(request.groupId, owner)
      return undefined
    case 'status':
      return replicas.status(request.groupId, owner)
  }
}

/** The code and message sent back for `error`: its own code if it is one of ours, else a generic one. */
export function describeFailure(error: unknown): { code: ReplicationErrorCode; message: string } {
  if (isWeshError(error)) {
    if (isReplicationErrorCode(error.code)) return { code: error.code, message: error.message }
    // Argument errors from lower packages (wrong lengths, encodings) are the request's fault.
    return { code: ReplicationErrorCode.MALFORMED_REQUEST, message: error.message }
  }
  return { code: ReplicationErrorCode.INTERNAL_ERROR, message: 'internal error' }
}
