import {
  assertBytes,
  concatBytes,
  ed25519PublicKey,
  edToX25519PublicKey,
  edToX25519SecretKey,
  erase,
  hkdfSha256,
  hkdfSha3_256,
  utf8ToBytes,
  x25519,
} from '@wesh/crypto'
import { KEY_BYTES } from './constants.js'

// The key schedule of PROTOCOL.md §4, each construction a pure function over bytes.

const ATTACHMENT_INFO = utf8ToBytes('wesh/attachment/v1')

/** `HKDF3(secret, no salt, info = groupId, 32)`: the rendezvous seed of the group's logs and their replication key. */
export function deriveLinkKey(secret: Uint8Array, groupId: Uint8Array): Uint8Array {
  assertBytes(secret, 'secret', KEY_BYTES)
  assertBytes(groupId, 'groupId', KEY_BYTES)
  return hkdfSha3_256(secret, KEY_BYTES, { info: groupId })
}

/**
 * Member key seed of a multi-member group: `DH(edToXSecret(aliasSeed), edToX(groupId))`. The same on every
 * device of the account, and unlinkable to the account without the alias key.
 */
export function deriveMemberKeySeed(aliasSeed: Uint8Array, groupId: Uint8Array): Uint8Array {
  assertBytes(aliasSeed, 'aliasSeed', KEY_BYTES)
  assertBytes(groupId, 'groupId', KEY_BYTES)
  const secretKey = edToX25519SecretKey(aliasSeed)
  try {
    return x25519(secretKey, edToX25519PublicKey(groupId))
  } finally {
    erase(secretKey)
  }
}

/** Public key of the group's sign key, whose seed is `secret` (§4 "sign key"); replicators verify entries with it. */
export function deriveSignPublicKey(secret: Uint8Array): Uint8Array {
  assertBytes(secret, 'secret', KEY_BYTES)
  return ed25519PublicKey(secret)
}

/** Attachment key of account and contact groups: `HKDF(secret, no salt, "wesh/attachment/v1", 32)`. */
export function deriveAttachmentKey(secret: Uint8Array): Uint8Array {
  assertBytes(secret, 'secret', KEY_BYTES)
  return hkdfSha256(secret, KEY_BYTES, { info: ATTACHMENT_INFO })
}

/** The keys of a contact group, as both accounts derive them (PROTOCOL.md "Required pure exports"). */
export interface ContactGroupKeys {
  /** Seed of the group key. Secret: both members hold it. */
  readonly groupSeed: Uint8Array
  /** The group ID. */
  readonly publicKey: Uint8Array
  readonly secret: Uint8Array
  readonly linkKey: Uint8Array
  readonly signPublicKey: Uint8Array
  readonly attachmentKey: Uint8Array
}

/**
 * Contact group of two accounts, derived by each side without a message (§4 "Contact"):
 * `s = DH(edToXSecret(ownAccountSeed), edToX(peerAccountId))`, `okm = HKDF(s ‖ Ed25519Pub(s), no salt, no info, 64)`,
 * group key seed = `okm[0:32]`, `secret = okm[32:64]`.
 */
export function deriveContactGroup(ownAccountSeed: Uint8Array, peerAccountId: Uint8Array): ContactGroupKeys {
  assertBytes(ownAccountSeed, 'ownAccountSeed', KEY_BYTES)
  assertBytes(peerAccountId, 'peerAccountId', KEY_BYTES)
  const ownSecret = edToX25519SecretKey(ownAccountSeed)
  let shared: Uint8Array | undefined
  let ikm: Uint8Array | undefined
  let okm: Uint8Array | undefined
  try {
    shared = x25519(ownSecret, edToX25519PublicKey(peerAccountId))
    // The reference feeds the libp2p "raw" Ed25519 private key of seed s, which is s ‖ public key.
    ikm = concatBytes(shared, ed25519PublicKey(shared))
    okm = hkdfSha256(ikm, 2 * KEY_BYTES)
    const groupSeed = okm.slice(0, KEY_BYTES)
    const secret = okm.slice(KEY_BYTES)
    const publicKey = ed25519PublicKey(groupSeed)
    return {
      groupSeed,
      publicKey,
      secret,
      linkKey: deriveLinkKey(secret, publicKey),
      signPublicKey: deriveSignPublicKey(secret),
      attachmentKey: deriveAttachmentKey(secret),
    }
  } finally {
    erase(ownSecret, shared, ikm, okm)
  }
}
