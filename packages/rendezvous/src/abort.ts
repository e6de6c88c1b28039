import { WeshError } from '@wesh/crypto'
import { RendezvousErrorCode } from './errors.js'

/** Throws `ABORTED` when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortError(signal)
}

/** The `ABORTED` error of `signal`, keeping its reason as the cause. */
export function abortError(signal?: AbortSignal): WeshError {
  return new WeshError(RendezvousErrorCode.ABORTED, 'the operation was aborted', {
    cause: signal?.reason,
  })
}
