import { assertBytes } from './validate.js'

/**
 * Compares two byte arrays in time that depends only on their length, never on where they differ.
 * Lengths are not secret: arrays of different lengths compare unequal at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a')
  assertBytes(b, 'b')
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number)
  return difference === 0
}
