/**
 * Codes thrown by `@wesh/rendezvous`, besides `@wesh/crypto`'s argument codes (`INVALID_ARGUMENT`,
 * `INVALID_LENGTH`, `INVALID_ENCODING`).
 */
export const RendezvousErrorCode = {
  /** An operation was aborted through its `AbortSignal`. */
  ABORTED: 'ABORTED',
  /** The object was stopped; it cannot be used any more. */
  STOPPED: 'RENDEZVOUS_STOPPED',
  /** Every discovery system of a combined operation failed. `data`: `{ systems }`; `cause`: the first error. */
  DISCOVERY_FAILED: 'DISCOVERY_FAILED',
  /**
   * Bytes received on `/rendezvous/1.0.0` are not a valid message: not protobuf, over the size limit, an unknown
   * type or enum value, a missing body, or more registrations than allowed. `data`: `{ reason }`.
   */
  RENDEZVOUS_MALFORMED_MESSAGE: 'RENDEZVOUS_MALFORMED_MESSAGE',
  /** A rendezvous server answered with a status other than OK. `data`: `{ status, statusText, server }`. */
  RENDEZVOUS_REJECTED: 'RENDEZVOUS_REJECTED',
  /** A stored registration could not be read back (corrupt or of an unknown version). `data`: `{ key }`. */
  RENDEZVOUS_STORE_CORRUPT: 'RENDEZVOUS_STORE_CORRUPT',
} as const
export type RendezvousErrorCode = (typeof RendezvousErrorCode)[keyof typeof RendezvousErrorCode]
