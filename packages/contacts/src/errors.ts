import { WeshError } from '@wesh/crypto'

/**
 * Codes thrown by `@wesh/contacts`, besides those that pass through unchanged from `@wesh/crypto` (argument
 * checks), `@wesh/groups` (`HANDSHAKE_FAILED`, `DECRYPTION_FAILED`, `INVALID_SIGNATURE`, `MALFORMED_MESSAGE`,
 * `INVALID_CONTACT_CARD`, `CONTACT_BLOCKED`, `INVALID_CONTACT_STATE`, `INVALID_ACCOUNT_STATE`) and
 * `@wesh/rendezvous`. A failed exchange ends its stream and leaves no state behind.
 */
export const ContactsErrorCode = {
  /** A frame over the protocol's limit, read or about to be written. `data`: `{ max, actual? }`. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** The peer closed or reset the stream before the exchange finished (a refusal looks like this). */
  STREAM_ENDED: 'STREAM_ENDED',
  /** The exchange took longer than its time limit. `data`: `{ timeoutMs }`. */
  TIMEOUT: 'TIMEOUT',
  /** The caller's `AbortSignal` fired, or the service stopped. */
  ABORTED: 'ABORTED',
  /** No peer found on the contact point took the request. `data`: `{ found, reasons }`. */
  CONTACT_UNREACHABLE: 'CONTACT_UNREACHABLE',
  /** A link code (`wesh://link/…`) is malformed. `data`: `{ reason }`. */
  INVALID_LINK_CODE: 'INVALID_LINK_CODE',
  /** A link code past its expiry (seen by the new device, before it dials). */
  LINK_CODE_EXPIRED: 'LINK_CODE_EXPIRED',
  /** The existing device refused the link: unknown, used, expired or revoked code, or a wrong proof. */
  LINK_REFUSED: 'LINK_REFUSED',
  /** The existing device's proof does not verify: it does not hold the code's secret. Nothing was used. */
  LINK_PROOF_FAILED: 'LINK_PROOF_FAILED',
  /** A key file is not a key file of a known version, or its parameters are out of range. `data`: `{ reason }`. */
  INVALID_KEY_FILE: 'INVALID_KEY_FILE',
  /** The key file does not open with this passphrase (or was altered). */
  WRONG_PASSPHRASE: 'WRONG_PASSPHRASE',
  /** The service was used after `stop()`. */
  STOPPED: 'STOPPED',
} as const
export type ContactsErrorCode = (typeof ContactsErrorCode)[keyof typeof ContactsErrorCode]

export function contactsError(
  code: ContactsErrorCode,
  message: string,
  options: { data?: Record<string, unknown>; cause?: unknown } = {},
): WeshError {
  return new WeshError(code, message, options)
}
