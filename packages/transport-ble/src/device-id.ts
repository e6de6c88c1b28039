import { MAX_DEVICE_ID_LENGTH } from './constants.js'
import { BleError, BleErrorCode } from './errors.js'

const DEVICE_ID = /^[A-Za-z0-9._~-]+$/

/** True when `value` is a valid device id: 1–{@link MAX_DEVICE_ID_LENGTH} characters of `[A-Za-z0-9._~-]`. */
export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DEVICE_ID_LENGTH && DEVICE_ID.test(value)
}

/** Throws `BLE_INVALID_ARGUMENT` unless `value` is a valid device id. */
export function assertDeviceId(value: unknown, argument = 'deviceId'): string {
  if (!isDeviceId(value))
    throw new BleError(
      BleErrorCode.BLE_INVALID_ARGUMENT,
      `${argument} must be 1-${MAX_DEVICE_ID_LENGTH} characters of [A-Za-z0-9._~-]`,
      { data: { argument } },
    )
  return value
}
