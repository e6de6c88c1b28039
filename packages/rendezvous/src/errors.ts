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
  /**
   * A DHT operation failed: no DHT node accepted a provider record (empty routing table, every send failed,
   * timeout), or a query failed. `data`: `{ operation: 'provide' | 'findProviders', reason }`; `cause`: the error.
   */
  DHT_FAILED: 'DHT_FAILED',
  /**
   * A local-records frame (`/wesh/rdv-local/1.0.0`) is not a valid list: over its size limit, bad protobuf, too
   * many records, a record without a 32-byte point or an expiry. `data`: `{ reason }`. The stream is closed.
   */
  LOCAL_RECORDS_MALFORMED: 'LOCAL_RECORDS_MALFORMED',
  /** `register` on local records would hold more than `MAX_LOCAL_RECORDS` points. `data`: `{ max }`. */
  LOCAL_RECORDS_FULL: 'LOCAL_RECORDS_FULL',
  /** A stored registration could not be read back (corrupt or of an unknown version). `data`: `{ key }`. */
  RENDEZVOUS_STORE_CORRUPT: 'RENDEZVOUS_STORE_CORRUPT',
} as const
export type RendezvousErrorCode = (typeof RendezvousErrorCode)[keyof typeof RendezvousErrorCode]
