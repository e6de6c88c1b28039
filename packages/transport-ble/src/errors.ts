/**
 * Codes of {@link BleError}. Callers branch on `code`, never on the message text; each is documented in the README.
 *
 * This package has its own error class instead of `WeshError` from `@wesh/crypto` on purpose: it is a libp2p
 * transport that anyone can use without the rest of Wesh, so it depends on no other `@wesh` package.
 */
export const BleErrorCode = {
  /** No Bluetooth adapter, adapter powered off, or the optional BLE packages are missing. Thrown by `start()`. */
  BLE_UNAVAILABLE: 'BLE_UNAVAILABLE',
  /** An argument has the wrong type or is out of range. `data.argument` names it. */
  BLE_INVALID_ARGUMENT: 'BLE_INVALID_ARGUMENT',
  /** The driver was used before `start()` or after `stop()`. */
  BLE_NOT_STARTED: 'BLE_NOT_STARTED',
  /** The device to connect to is not in range, not advertising, or refused the connection. */
  BLE_UNREACHABLE: 'BLE_UNREACHABLE',
  /** A received packet or frame is malformed: wrong length, bad type or flags, or out of order beyond the window. */
  BLE_FRAME_INVALID: 'BLE_FRAME_INVALID',
  /** A frame announces more than `MAX_FRAME_BYTES`, or a packet is larger than the link allows. */
  BLE_FRAME_TOO_LARGE: 'BLE_FRAME_TOO_LARGE',
  /** The radio link vanished (out of range, peer gone) before the connection was closed cleanly. */
  BLE_LINK_LOST: 'BLE_LINK_LOST',
  /** The peer stopped acknowledging: `MAX_RETRANSMISSIONS` retransmission timeouts in a row without progress. */
  BLE_LINK_TIMEOUT: 'BLE_LINK_TIMEOUT',
  /** The remote end reset the connection (it saw an error, or aborted). `data.reason` is its reset reason. */
  BLE_CONNECTION_RESET: 'BLE_CONNECTION_RESET',
  /** Writing to, or closing, a link that is already closed. */
  BLE_LINK_CLOSED: 'BLE_LINK_CLOSED',
  /** A multiaddr is not of the form `/ble/<device id>` (optionally followed by `/p2p/<peer id>`). */
  BLE_MULTIADDR_INVALID: 'BLE_MULTIADDR_INVALID',
  /** A second listener was started on a radio driver that already has one. */
  BLE_ALREADY_LISTENING: 'BLE_ALREADY_LISTENING',
} as const
export type BleErrorCode = (typeof BleErrorCode)[keyof typeof BleErrorCode]

/** The one error type of `@wesh/transport-ble` (aborted operations throw libp2p's `AbortError` instead). */
export class BleError extends Error {
  override readonly name = 'BleError'
  /** Stable, documented identifier of the failure. */
  readonly code: BleErrorCode
  /** Machine-readable details, such as `{ argument, max, actual }`. */
  readonly data: Readonly<Record<string, unknown>> | undefined

  constructor(
    code: BleErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.data = options.data
  }
}

/** True when `error` is a {@link BleError}, with the given `code` if one is passed. */
export function isBleError(error: unknown, code?: BleErrorCode): error is BleError {
  return error instanceof BleError && (code === undefined || error.code === code)
}

/** Throws `BLE_INVALID_ARGUMENT` unless `value` is an integer in `[min, max]`. */
export function assertIntegerInRange(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new BleError(
      BleErrorCode.BLE_INVALID_ARGUMENT,
      `${argument} must be an integer in [${min}, ${max}]`,
      {
        data: { argument, min, max, actual: typeof value === 'number' ? value : typeof value },
      },
    )
  return value
}

/** Throws `BLE_INVALID_ARGUMENT` unless `value` is a finite number in `[min, max]`. */
export function assertNumberInRange(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    throw new BleError(
      BleErrorCode.BLE_INVALID_ARGUMENT,
      `${argument} must be a number in [${min}, ${max}]`,
      {
        data: { argument, min, max, actual: typeof value === 'number' ? value : typeof value },
      },
    )
  return value
}
