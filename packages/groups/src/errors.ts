import { WeshError } from '@wesh/crypto'

/**
 * Codes thrown by `@wesh/groups`, besides `@wesh/crypto`'s argument codes (`INVALID_ARGUMENT`, `INVALID_LENGTH`,
 * `WEAK_KEY`) and `@wesh/ratchet`'s codes, which pass through unchanged. Every failure leaves state unchanged.
 */
export const GroupsErrorCode = {
  /** Bytes to decode are longer than the message's limit. `data`: `{ message, max, actual }`. */
  MESSAGE_TOO_LARGE: 'MESSAGE_TOO_LARGE',
  /** Bytes are not a valid protobuf of the expected message, or a field has the wrong length or value. */
  MALFORMED_MESSAGE: 'MALFORMED_MESSAGE',
  /** An invitation (`pb(Group)` or `wesh://group/…`) is malformed or its signatures do not verify. */
  INVALID_INVITATION: 'INVALID_INVITATION',
  /** A contact card (`pb(ShareableContact)` or `wesh://contact/…`) is malformed. */
  INVALID_CONTACT_CARD: 'INVALID_CONTACT_CARD',
  /** A signature (entry, message header, metadata event, member–device binding, handshake) does not verify. */
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  /** A sealed envelope, chain-key box or handshake box does not open: wrong group, wrong key, or altered bytes. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /** A metadata event type that PROTOCOL.md §5 does not list. `data`: `{ eventType }`. */
  UNKNOWN_EVENT_TYPE: 'UNKNOWN_EVENT_TYPE',
  /** An account-only event (101–112) outside the account group. `data`: `{ eventType, groupType }`. */
  EVENT_NOT_ALLOWED: 'EVENT_NOT_ALLOWED',
  /** A `GroupSession` was used or waited on after `close()`. */
  SESSION_CLOSED: 'SESSION_CLOSED',
  /** No chain key is known yet for the device that sent a message: queue it until one arrives. `data`: `{ devicePk }`. */
  CHAIN_KEY_UNKNOWN: 'CHAIN_KEY_UNKNOWN',
  /** A serialised account is malformed or of an unknown version. */
  INVALID_ACCOUNT_STATE: 'INVALID_ACCOUNT_STATE',
  /** A handshake frame is of the wrong kind, out of order, or names a key that is not an Ed25519 account key. */
  HANDSHAKE_FAILED: 'HANDSHAKE_FAILED',
  /** The secret store already holds another account than the keys given to open it. `data`: `{ stored, given }`. */
  ACCOUNT_MISMATCH: 'ACCOUNT_MISMATCH',
  /** A group that the account has not joined, or a contact group with someone who is not an active contact. */
  GROUP_UNKNOWN: 'GROUP_UNKNOWN',
  /** A contact-request step that the contact's current status does not allow. `data`: `{ contact, status }`. */
  INVALID_CONTACT_STATE: 'INVALID_CONTACT_STATE',
  /** A contact request from, or to, an account this account blocks. `data`: `{ contact }`. */
  CONTACT_BLOCKED: 'CONTACT_BLOCKED',
  /** A head exchange with a peer did not finish in time; its stream was aborted. `data`: `{ ms }`. */
  HEADS_EXCHANGE_TIMEOUT: 'HEADS_EXCHANGE_TIMEOUT',
  /**
   * A log-sync peer sent a block whose bytes do not hash to the CID it was sent under. The peer is cut off and the
   * batch dropped. `data`: `{ peer, hash }`.
   */
  LOG_SYNC_BLOCK_MISMATCH: 'LOG_SYNC_BLOCK_MISMATCH',
  /** A log-sync peer sent a block that does not open as an entry of this log (wrong key, malformed, or its `id` names another log). `data`: `{ peer, hash }`. */
  LOG_SYNC_WRONG_LOG: 'LOG_SYNC_WRONG_LOG',
  /** A log-sync peer sent an entry that the access controller refuses or whose writer signature does not verify. `data`: `{ peer, hash }`. */
  LOG_SYNC_FORGED_ENTRY: 'LOG_SYNC_FORGED_ENTRY',
  /** A log-sync peer broke the exchange: a block nobody asked for, more blocks than asked, an answer without a request. `data`: `{ peer, reason }`. */
  LOG_SYNC_PROTOCOL_VIOLATION: 'LOG_SYNC_PROTOCOL_VIOLATION',
  /** A log-sync peer closed the stream (or the connection went) before answering; it is not cut off. `data`: `{ peer }`. */
  LOG_SYNC_STREAM_CLOSED: 'LOG_SYNC_STREAM_CLOSED',
  /** A log-sync peer did not answer a request in time. `data`: `{ peer, ms }`. */
  LOG_SYNC_TIMEOUT: 'LOG_SYNC_TIMEOUT',
  /**
   * No peer was connected, or every one failed, before a head's history was all here: the head is not joined now and
   * is tried again (with backoff, and when a peer joins the log), from what was stored. `data`: `{ address, missing }`.
   */
  LOG_SYNC_INCOMPLETE: 'LOG_SYNC_INCOMPLETE',
  /** `messages({ before })` names a message found in no page of the group's log. `data`: `{ before }`. */
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
} as const
export type GroupsErrorCode = (typeof GroupsErrorCode)[keyof typeof GroupsErrorCode]

export function groupsError(
  code: GroupsErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; cause?: unknown } = {},
): WeshError {
  return new WeshError(code, message, options)
}
