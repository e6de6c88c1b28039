import { assertBytes, ed25519PublicKey, randomBytes, sign } from '@wesh/crypto'
import { KEY_BYTES } from './constants.js'
import {
  deriveAttachmentKey,
  deriveContactGroup,
  deriveLinkKey,
  deriveMemberKeySeed,
  deriveSignPublicKey,
} from './group-keys.js'

/** `Group.group_type` (reference numbers). */
export const GroupType = {
  ACCOUNT: 1,
  CONTACT: 2,
  MULTI_MEMBER: 3,
} as const
export type GroupType = (typeof GroupType)[keyof typeof GroupType]

/** True for the group types PROTOCOL.md §4 defines (0, "undefined", is not one). */
export function isGroupType(value: unknown): value is GroupType {
  return value === GroupType.ACCOUNT || value === GroupType.CONTACT || value === GroupType.MULTI_MEMBER
}

/**
 * A group as its members know it (PROTOCOL.md §4, `Group` protobuf). `secret` is the envelope key and the sign
 * key's seed; everything else can be shown to a replication server except `secret` and `attachmentKey`.
 */
export interface Group {
  readonly groupType: GroupType
  /** The group ID: the group key's Ed25519 public key. */
  readonly publicKey: Uint8Array
  readonly secret: Uint8Array
  /** `Sign(groupKey, secret)`; always set on multi-member groups, absent on account and contact groups as in the reference. */
  readonly secretSig: Uint8Array | undefined
  readonly signPublicKey: Uint8Array
  readonly linkKey: Uint8Array
  /** `Sign(groupKey, linkKey)`; absent only in invitations from implementations that do not set it. */
  readonly linkKeySig: Uint8Array | undefined
  readonly attachmentKey: Uint8Array
}

/** A group together with the seed of its group key (held by the creator, by both contacts, by the account). */
export interface GroupWithKey {
  readonly group: Group
  /** Seed of the group key. Secret. */
  readonly groupSeed: Uint8Array
}

/**
 * A new multi-member group (§4): random group key, random 32-byte secret, `secret_sig` and `link_key_sig` by the
 * group key, random attachment key. Fixed inputs may be given for tests and vectors.
 */
export function createMultiMemberGroup(
  fixed: { groupSeed?: Uint8Array; secret?: Uint8Array; attachmentKey?: Uint8Array } = {},
): GroupWithKey {
  const {
    groupSeed = randomBytes(KEY_BYTES),
    secret = randomBytes(KEY_BYTES),
    attachmentKey = randomBytes(KEY_BYTES),
  } = fixed
  assertBytes(groupSeed, 'groupSeed', KEY_BYTES)
  assertBytes(secret, 'secret', KEY_BYTES)
  assertBytes(attachmentKey, 'attachmentKey', KEY_BYTES)
  return signedGroup(GroupType.MULTI_MEMBER, groupSeed, secret, attachmentKey, true)
}

/**
 * The account group (§4 "Account"): group ID = account ID, `secret` = alias key seed, group key = account key,
 * attachment key derived from the secret. [differs] `link_key_sig` is set so that it can be replicated.
 */
export function accountGroup(keys: { accountSeed: Uint8Array; aliasSeed: Uint8Array }): GroupWithKey {
  assertBytes(keys.accountSeed, 'accountSeed', KEY_BYTES)
  assertBytes(keys.aliasSeed, 'aliasSeed', KEY_BYTES)
  const secret = new Uint8Array(keys.aliasSeed)
  return signedGroup(
    GroupType.ACCOUNT,
    new Uint8Array(keys.accountSeed),
    secret,
    deriveAttachmentKey(secret),
    false,
  )
}

/**
 * The contact group with `peerAccountId` (§4 "Contact"), the same on both sides. [differs] `link_key_sig` is set
 * (both contacts hold the group key) so that it can be replicated.
 */
export function contactGroup(ownAccountSeed: Uint8Array, peerAccountId: Uint8Array): GroupWithKey {
  const keys = deriveContactGroup(ownAccountSeed, peerAccountId)
  return signedGroup(GroupType.CONTACT, keys.groupSeed, keys.secret, keys.attachmentKey, false)
}

/**
 * Seed of this account's member key in `group` (§4): the account key in account and contact groups, the
 * alias-derived key in multi-member groups.
 */
export function memberKeySeed(
  group: Pick<Group, 'groupType' | 'publicKey'>,
  keys: { accountSeed: Uint8Array; aliasSeed: Uint8Array },
): Uint8Array {
  if (group.groupType === GroupType.MULTI_MEMBER) return deriveMemberKeySeed(keys.aliasSeed, group.publicKey)
  assertBytes(keys.accountSeed, 'accountSeed', KEY_BYTES)
  return new Uint8Array(keys.accountSeed)
}

function signedGroup(
  groupType: GroupType,
  groupSeed: Uint8Array,
  secret: Uint8Array,
  attachmentKey: Uint8Array,
  withSecretSig: boolean,
): GroupWithKey {
  const publicKey = ed25519PublicKey(groupSeed)
  const linkKey = deriveLinkKey(secret, publicKey)
  return {
    groupSeed,
    group: {
      groupType,
      publicKey,
      secret,
      secretSig: withSecretSig ? sign(groupSeed, secret) : undefined,
      signPublicKey: deriveSignPublicKey(secret),
      linkKey,
      linkKeySig: sign(groupSeed, linkKey),
      attachmentKey,
    },
  }
}
