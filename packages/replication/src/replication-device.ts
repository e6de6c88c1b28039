import { assertBytes, hkdfSha256, toHex, utf8ToBytes, concatBytes, erase } from '@wesh/crypto'
import { GroupType, type Group } from '@wesh/groups'
import type { Uint8ArrayList } from 'uint8arraylist'
import { MAX_REPLICATION_DEVICE_GRANT_BYTES, MAX_TOKEN_LENGTH, MIN_TOKEN_LENGTH } from './constants.js'
import { malformed } from './errors.js'
import { fromPbGroup, toPbGroup, tooLarge } from './protocol-messages.js'
import * as pb from './proto/replication.js'
import { checkReplicationGroup, replicationGroupOf, type ReplicationGroup } from './replication-group.js'

// PROTOCOL.md §8 "replication device": a replication node linked to an account with no access. The account's
// devices fold the account group (the replica cannot: it is sealed with the account secret) and forward the
// public part of each group it lists to the replica over /wesh/replication/1.0.0, authenticated by a token that
// every device of the account derives alone — so no event and no stored token is needed, as the reference's
// service tokens (event 401) would be.

const TOKEN_INFO = utf8ToBytes('wesh/replication-device/v1/token')
/** The account group's secret (the alias key seed, PROTOCOL.md §4). */
const ACCOUNT_SECRET_BYTES = 32

/** What a replication device receives when it is linked: no secret, only what replicating needs. */
export interface ReplicationDeviceGrant {
  /** The public part of the account group, replicated at once: it serves the account's devices the list of groups. */
  readonly accountGroup: ReplicationGroup
  /** The bearer token the account's devices use with this replica ({@link replicationDeviceToken}). */
  readonly token: string
}

/**
 * The token of the replication device with libp2p peer ID `replicaPeerId` (its multihash bytes) for the account
 * whose account group has secret `accountSecret`: hex of `HKDF-SHA256(accountSecret, no salt,
 * "wesh/replication-device/v1/token" ‖ replicaPeerId, 32)`. Every device of the account computes it; the replica
 * keeps only its SHA-256, and learns nothing of the secret from it (HKDF is one-way).
 */
export function replicationDeviceToken(accountSecret: Uint8Array, replicaPeerId: Uint8Array): string {
  assertBytes(accountSecret, 'accountSecret', ACCOUNT_SECRET_BYTES)
  assertBytes(replicaPeerId, 'replicaPeerId', { min: 1, max: 255 })
  const key = hkdfSha256(accountSecret, 32, { info: concatBytes(TOKEN_INFO, replicaPeerId) })
  const token = toHex(key)
  erase(key)
  return token
}

/** The grant an account device gives the replication device `replicaPeerId`. `accountGroup` is the full group. */
export function replicationDeviceGrant(
  accountGroup: Group,
  replicaPeerId: Uint8Array,
): ReplicationDeviceGrant {
  if (accountGroup.groupType !== GroupType.ACCOUNT) throw malformed('the grant names an account group')
  return {
    accountGroup: replicationGroupOf(accountGroup),
    token: replicationDeviceToken(accountGroup.secret, replicaPeerId),
  }
}

function checkGrantToken(token: unknown): string {
  if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
    throw malformed(`token must be ${MIN_TOKEN_LENGTH}–${MAX_TOKEN_LENGTH} characters`)
  }
  return token
}

/**
 * Checks a grant like {@link decodeReplicationDeviceGrant} does and returns a copy sharing no buffer with it:
 * `MALFORMED_REQUEST` (not an account group, a token of the wrong length), `INVALID_LINK_KEY_SIGNATURE`.
 */
export function checkReplicationDeviceGrant(grant: ReplicationDeviceGrant): ReplicationDeviceGrant {
  if (typeof grant !== 'object' || (grant as unknown) === null) throw malformed('grant must be an object')
  const accountGroup = checkReplicationGroup(grant.accountGroup)
  if (accountGroup.groupType !== GroupType.ACCOUNT) throw malformed('the grant names an account group')
  return { accountGroup, token: checkGrantToken(grant.token) }
}

/** Encodes a grant; checks it like {@link decodeReplicationDeviceGrant} will. */
export function encodeReplicationDeviceGrant(grant: ReplicationDeviceGrant): Uint8Array {
  const checked = checkReplicationDeviceGrant(grant)
  const bytes = pb.ReplicationDeviceGrant.encode({
    accountGroup: toPbGroup(checked.accountGroup),
    token: checked.token,
  })
  if (bytes.byteLength > MAX_REPLICATION_DEVICE_GRANT_BYTES) {
    tooLarge(bytes.byteLength, MAX_REPLICATION_DEVICE_GRANT_BYTES)
  }
  return bytes
}

/**
 * Decodes a grant: `REQUEST_TOO_LARGE`, `MALFORMED_REQUEST` (not protobuf, no account group, a group of another
 * type, a token of the wrong length), `SECRET_REFUSED` (a group carrying its secret),
 * `INVALID_LINK_KEY_SIGNATURE`.
 */
export function decodeReplicationDeviceGrant(bytes: Uint8Array | Uint8ArrayList): ReplicationDeviceGrant {
  if (bytes.byteLength > MAX_REPLICATION_DEVICE_GRANT_BYTES) {
    tooLarge(bytes.byteLength, MAX_REPLICATION_DEVICE_GRANT_BYTES)
  }
  let message: pb.ReplicationDeviceGrant
  try {
    message = pb.ReplicationDeviceGrant.decode(bytes)
  } catch (cause) {
    throw malformed('not a ReplicationDeviceGrant', cause)
  }
  if (message.accountGroup === undefined) throw malformed('a grant without an account group')
  return checkReplicationDeviceGrant({
    accountGroup: fromPbGroup(message.accountGroup),
    token: message.token,
  })
}
