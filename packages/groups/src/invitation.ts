import {
  assertBytes,
  constantTimeEqual,
  edToX25519PublicKey,
  fromBase64Url,
  toBase64Url,
  verify,
} from '@wesh/crypto'
import { KEY_BYTES, MAX_LINK_CHARS, SIGNATURE_BYTES } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { type Group, GroupType, isGroupType } from './group.js'
import { deriveAttachmentKey, deriveLinkKey, deriveSignPublicKey } from './group-keys.js'
import { decodeWire, encodeWire } from './wire.js'

/** Scheme and path of a group invitation link. */
export const GROUP_LINK_PREFIX = 'wesh://group/'

/**
 * The invitation to `group` (§4): `pb(Group)` with the group ID, secret, signatures, type, link key and
 * attachment key. `sign_pub` is left out: the invitee derives it from the secret.
 */
export function encodeInvitation(group: Group): Uint8Array {
  return encodeWire('Group', invitationFields(group))
}

/** The fields of {@link encodeInvitation}, for messages that embed a `Group` (event 101). */
export function invitationFields(group: Group) {
  assertGroupShape(group)
  return {
    publicKey: group.publicKey,
    secret: group.secret,
    secretSig: group.secretSig ?? new Uint8Array(0),
    groupType: group.groupType,
    linkKey: group.linkKey,
    linkKeySig: group.linkKeySig ?? new Uint8Array(0),
    attachmentKey: group.attachmentKey,
  }
}

/**
 * Reads and checks an invitation. Throws `INVALID_INVITATION` when it is malformed, of an unknown group type, has a
 * key of the wrong length, a `secret_sig` that does not verify (required on multi-member groups), a `link_key` or
 * `sign_pub` other than the ones derived from the secret, or a `link_key_sig` that does not verify.
 * An absent attachment key (invitations from the reference) is derived as for account and contact groups.
 */
export function parseInvitation(bytes: Uint8Array): Group {
  let decoded
  try {
    decoded = decodeWire('Group', bytes)
  } catch (cause) {
    throw invalid('not a valid Group protobuf', cause)
  }
  const { publicKey, secret, secretSig, groupType, signPub, linkKey, linkKeySig, attachmentKey } = decoded
  if (!isGroupType(groupType)) throw invalid(`unknown group type ${groupType}`)
  if (publicKey.length !== KEY_BYTES) throw invalid('public_key must be 32 bytes')
  try {
    edToX25519PublicKey(publicKey)
  } catch (cause) {
    throw invalid('public_key is not an Ed25519 public key', cause)
  }
  if (secret.length !== KEY_BYTES) throw invalid('secret must be 32 bytes')
  if (secretSig.length === 0) {
    if (groupType === GroupType.MULTI_MEMBER) throw invalid('secret_sig is missing')
  } else if (secretSig.length !== SIGNATURE_BYTES || !verify(publicKey, secret, secretSig)) {
    throw invalid('secret_sig does not verify under public_key')
  }
  const derivedLinkKey = deriveLinkKey(secret, publicKey)
  if (linkKey.length !== 0 && (linkKey.length !== KEY_BYTES || !constantTimeEqual(linkKey, derivedLinkKey))) {
    throw invalid('link_key is not the one derived from the secret')
  }
  if (linkKeySig.length !== 0) {
    if (linkKeySig.length !== SIGNATURE_BYTES || !verify(publicKey, derivedLinkKey, linkKeySig)) {
      throw invalid('link_key_sig does not verify under public_key')
    }
  }
  const signPublicKey = deriveSignPublicKey(secret)
  if (signPub.length !== 0 && (signPub.length !== KEY_BYTES || !constantTimeEqual(signPub, signPublicKey))) {
    throw invalid('sign_pub is not the one derived from the secret')
  }
  if (attachmentKey.length !== 0 && attachmentKey.length !== KEY_BYTES) {
    throw invalid('attachment_key must be 32 bytes')
  }
  return {
    groupType,
    publicKey: new Uint8Array(publicKey),
    secret: new Uint8Array(secret),
    secretSig: secretSig.length === 0 ? undefined : new Uint8Array(secretSig),
    signPublicKey,
    linkKey: derivedLinkKey,
    linkKeySig: linkKeySig.length === 0 ? undefined : new Uint8Array(linkKeySig),
    attachmentKey: attachmentKey.length === 0 ? deriveAttachmentKey(secret) : new Uint8Array(attachmentKey),
  }
}

/** `wesh://group/<base64url(pb(Group))>`, to show as text or QR code. */
export function invitationLink(group: Group): string {
  return GROUP_LINK_PREFIX + toBase64Url(encodeInvitation(group))
}

/** Reads a `wesh://group/…` link; throws `INVALID_INVITATION` for a malformed link or a bad invitation. */
export function parseInvitationLink(link: string): Group {
  if (typeof link !== 'string' || link.length > MAX_LINK_CHARS || !link.startsWith(GROUP_LINK_PREFIX)) {
    throw invalid(`not a ${GROUP_LINK_PREFIX} link of at most ${MAX_LINK_CHARS} characters`)
  }
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(link.slice(GROUP_LINK_PREFIX.length))
  } catch (cause) {
    throw invalid('the link does not carry base64url', cause)
  }
  return parseInvitation(bytes)
}

function assertGroupShape(group: Group): void {
  if (!isGroupType(group.groupType)) {
    throw groupsError(GroupsErrorCode.INVALID_INVITATION, `unknown group type ${String(group.groupType)}`)
  }
  assertBytes(group.publicKey, 'publicKey', KEY_BYTES)
  assertBytes(group.secret, 'secret', KEY_BYTES)
  if (group.secretSig !== undefined) assertBytes(group.secretSig, 'secretSig', SIGNATURE_BYTES)
  assertBytes(group.linkKey, 'linkKey', KEY_BYTES)
  if (group.linkKeySig !== undefined) assertBytes(group.linkKeySig, 'linkKeySig', SIGNATURE_BYTES)
  assertBytes(group.attachmentKey, 'attachmentKey', KEY_BYTES)
}

function invalid(reason: string, cause?: unknown) {
  return groupsError(GroupsErrorCode.INVALID_INVITATION, `invalid invitation: ${reason}`, {
    data: { reason },
    cause,
  })
}
