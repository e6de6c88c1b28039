/**
 * The one error type of every Wesh package. Callers branch on `code`, never on the message text.
 * Each package documents its own codes; the ones thrown here are in {@link CryptoErrorCode}.
 */
export class WeshError extends Error {
  override readonly name = 'WeshError'
  /** Stable, documented identifier of the failure. */
  readonly code: string
  /** Machine-readable details, such as `{ argument, expected, actual }`. Never holds secrets. */
  readonly data: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: string,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.data = options.data
  }
}

/** True when `error` is a {@link WeshError}, with the given `code` if one is passed. */
export function isWeshError(error: unknown, code?: string): error is WeshError {
  return error instanceof WeshError && (code === undefined || error.code === code)
}

/** Codes thrown by `@wesh/crypto`. */
export const CryptoErrorCode = {
  /** An argument has the wrong type (not a `Uint8Array`, not an integer, …). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A byte argument has the wrong length. `data`: `{ argument, expected, actual }`. */
  INVALID_LENGTH: 'INVALID_LENGTH',
  /** A hex, base64 or UTF-8 string could not be decoded. */
  INVALID_ENCODING: 'INVALID_ENCODING',
  /** A sealed box did not authenticate: wrong key, wrong nonce, or altered bytes. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /** A Diffie-Hellman exchange gave the all-zero secret (a low-order public key). */
  WEAK_KEY: 'WEAK_KEY',
  /** A key object was used after `destroy()` erased it. */
  KEY_DESTROYED: 'KEY_DESTROYED',
} as const
export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode]
