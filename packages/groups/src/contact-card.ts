import { assertBytes, edToX25519PublicKey, fromBase64Url, toBase64Url } from '@wesh/crypto'
import { KEY_BYTES, MAX_LINK_CHARS } from './constants.js'
import { GroupsErrorCode, groupsError } from './errors.js'
import { decodeWire, encodeWire } from './wire.js'

/** Scheme and path of a contact card link. */
export const CONTACT_LINK_PREFIX = 'wesh://contact/'

/** What an account shares to receive contact requests: `ShareableContact { pk, public_rendezvous_seed, metadata }`. */
export interface ContactCard {
  /** The account ID. */
  readonly accountId: Uint8Array
  readonly publicRendezvousSeed: Uint8Array
  /** Application bytes, such as a display name. */
  readonly metadata: Uint8Array
}

/** `pb(ShareableContact)`; throws `MESSAGE_TOO_LARGE` when the metadata makes it exceed `MAX_CONTACT_CARD_BYTES`. */
export function encodeContactCard(card: ContactCard): Uint8Array {
  assertBytes(card.accountId, 'accountId', KEY_BYTES)
  assertBytes(card.publicRendezvousSeed, 'publicRendezvousSeed', KEY_BYTES)
  assertBytes(card.metadata, 'metadata')
  return encodeWire('ShareableContact', {
    pk: card.accountId,
    publicRendezvousSeed: card.publicRendezvousSeed,
    metadata: card.metadata,
  })
}

/** Reads a contact card; throws `INVALID_CONTACT_CARD` when malformed or when a key is not a 32-byte Ed25519 key / seed. */
export function parseContactCard(bytes: Uint8Array): ContactCard {
  let decoded
  try {
    decoded = decodeWire('ShareableContact', bytes)
  } catch (cause) {
    throw invalid('not a valid ShareableContact protobuf', cause)
  }
  if (decoded.pk.length !== KEY_BYTES) throw invalid('pk must be 32 bytes')
  try {
    edToX25519PublicKey(decoded.pk)
  } catch (cause) {
    throw invalid('pk is not an Ed25519 public key', cause)
  }
  if (decoded.publicRendezvousSeed.length !== KEY_BYTES)
    throw invalid('public_rendezvous_seed must be 32 bytes')
  return {
    accountId: new Uint8Array(decoded.pk),
    publicRendezvousSeed: new Uint8Array(decoded.publicRendezvousSeed),
    metadata: new Uint8Array(decoded.metadata),
  }
}

/** `wesh://contact/<base64url(pb(ShareableContact))>`. */
export function contactCardLink(card: ContactCard): string {
  return CONTACT_LINK_PREFIX + toBase64Url(encodeContactCard(card))
}

/** Reads a `wesh://contact/…` link; throws `INVALID_CONTACT_CARD`. */
export function parseContactCardLink(link: string): ContactCard {
  if (typeof link !== 'string' || link.length > MAX_LINK_CHARS || !link.startsWith(CONTACT_LINK_PREFIX)) {
    throw invalid(`not a ${CONTACT_LINK_PREFIX} link of at most ${MAX_LINK_CHARS} characters`)
  }
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(link.slice(CONTACT_LINK_PREFIX.length))
  } catch (cause) {
    throw invalid('the link does not carry base64url', cause)
  }
  return parseContactCard(bytes)
}

function invalid(reason: string, cause?: unknown) {
  return groupsError(GroupsErrorCode.INVALID_CONTACT_CARD, `invalid contact card: ${reason}`, {
    data: { reason },
    cause,
  })
}
