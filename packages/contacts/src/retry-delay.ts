import { assertInteger } from '@wesh/crypto'

/**
 * Exponential back-off with full jitter (AWS architecture blog's "full jitter"): attempt n waits a uniform
 * random time in `[initial·2ⁿ⁻¹ / 2, initial·2ⁿ⁻¹]`, capped at `max`. Many requesters retrying the same
 * unreachable responder thus spread out instead of arriving together when it comes back.
 */
export function retryDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  assertInteger(attempt, 'attempt', 1, Number.MAX_SAFE_INTEGER)
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 52))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
