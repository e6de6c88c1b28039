import { verify } from '@wesh/crypto'
import { isGroupType, type Group, type GroupType } from '@wesh/groups'
import {
  GROUP_ID_BYTES,
  LINK_KEY_BYTES,
  LINK_KEY_SIGNATURE_BYTES,
  SIGN_PUBLIC_KEY_BYTES,
} from './constants.js'
import { malformed, replicationError, ReplicationErrorCode } from './errors.js'

/**
 * What a replica knows of a group (PROTOCOL.md §8): enough to find both logs, check every entry's signature and
 * exchange blocks under the link key — never the secret, so it can neither read nor write.
 */
export interface ReplicationGroup {
  readonly groupType: GroupType
  /** The group ID. */
  readonly publicKey: Uint8Array
  /** Verifies every log entry (PROTOCOL.md §5 `SignedEntry`). */
  readonly signPublicKey: Uint8Array
  /** Encrypts replication traffic and the blocks at rest. */
  readonly linkKey: Uint8Array
  /** `Sign(groupKey, linkKey)`: proves the link key is the group's. */
  readonly linkKeySig: Uint8Array
}

/** The public part of `group`, for a replica. Throws `INVALID_LINK_KEY_SIGNATURE` if the group has no `link_key_sig`. */
export function replicationGroupOf(group: Group): ReplicationGroup {
  if (group.linkKeySig === undefined) {
    throw replicationError(
      ReplicationErrorCode.INVALID_LINK_KEY_SIGNATURE,
      'the group has no link_key_sig: it cannot be replicated',
    )
  }
  return checkReplicationGroup({
    groupType: group.groupType,
    publicKey: group.publicKey,
    signPublicKey: group.signPublicKey,
    linkKey: group.linkKey,
    linkKeySig: group.linkKeySig,
  })
}

/**
 * Checks field types and lengths (`MALFORMED_REQUEST`) and `Verify(public_key, link_key, link_key_sig)`
 * (`INVALID_LINK_KEY_SIGNATURE`), and returns a copy that shares no buffer with the input.
 * `sign_pub` is not signed by the group key: a wrong one only names logs no member writes to.
 */
export function checkReplicationGroup(group: ReplicationGroup): ReplicationGroup {
  // Callers may be JavaScript: the type is not a guarantee.
  if (typeof group !== 'object' || (group as unknown) === null) throw malformed('group must be an object')
  if (!isGroupType(group.groupType)) throw malformed('group_type must be 1, 2 or 3')
  const field = (value: unknown, name: string, length: number): Uint8Array => {
    if (!(value instanceof Uint8Array) || value.byteLength !== length) {
      throw malformed(`${name} must be ${length} bytes`)
    }
    return new Uint8Array(value)
  }
  const publicKey = field(group.publicKey, 'public_key', GROUP_ID_BYTES)
  const signPublicKey = field(group.signPublicKey, 'sign_pub', SIGN_PUBLIC_KEY_BYTES)
  const linkKey = field(group.linkKey, 'link_key', LINK_KEY_BYTES)
  const linkKeySig = field(group.linkKeySig, 'link_key_sig', LINK_KEY_SIGNATURE_BYTES)
  let valid: boolean
  try {
    valid = verify(publicKey, linkKey, linkKeySig)
  } catch {
    valid = false // not a point on the curve: no group key can have signed it
  }
  if (!valid) {
    throw replicationError(
      ReplicationErrorCode.INVALID_LINK_KEY_SIGNATURE,
      'link_key_sig does not verify under the group ID',
    )
  }
  return { groupType: group.groupType, publicKey, signPublicKey, linkKey, linkKeySig }
}
