import { CryptoErrorCode, WeshError } from './errors.js'

/**
 * Checks that `value` is a `Uint8Array` (of exactly `length` bytes, or within `{ min, max }`), naming the
 * argument in the error. Every public function of the Wesh packages validates its byte inputs with this.
 */
export function assertBytes(
  value: unknown,
  argument: string,
  length?: number | { min?: number; max?: number },
): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new WeshError(CryptoErrorCode.INVALID_ARGUMENT, `${argument} must be a Uint8Array`, {
      data: { argument, actual: describe(value) },
    })
  }
  if (length === undefined) return
  if (typeof length === 'number') {
    if (value.length !== length) throw lengthError(argument, String(length), value.length)
    return
  }
  const { min = 0, max = Infinity } = length
  if (value.length < min || value.length > max) {
    throw lengthError(argument, max === Infinity ? `>= ${min}` : `${min}..${max}`, value.length)
  }
}

/** Checks that `value` is an integer in `[min, max]` (inclusive), naming the argument in the error. */
export function assertInteger(
  value: unknown,
  argument: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new WeshError(
      CryptoErrorCode.INVALID_ARGUMENT,
      `${argument} must be an integer in ${min}..${max}`,
      {
        data: { argument, actual: describe(value) },
      },
    )
  }
}

function lengthError(argument: string, expected: string, actual: number): WeshError {
  return new WeshError(
    CryptoErrorCode.INVALID_LENGTH,
    `${argument} must be ${expected} bytes, got ${actual}`,
    {
      data: { argument, expected, actual },
    },
  )
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value)
  if (typeof value === 'object') return value.constructor.name
  return typeof value
}
