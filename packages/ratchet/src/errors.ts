/** Codes thrown by `@wesh/ratchet`, besides `@wesh/crypto`'s argument codes. In every case the state is unchanged. */
export const RatchetErrorCode = {
  /** The message number is more than `maxSkip` ahead of the chain. `data`: `{ gap, max }`. */
  RATCHET_TOO_FAR_AHEAD: 'RATCHET_TOO_FAR_AHEAD',
  /** The key of this message number is gone: already used (a replay), evicted, or from before we got the chain. */
  RATCHET_KEY_UNAVAILABLE: 'RATCHET_KEY_UNAVAILABLE',
  /** The ciphertext did not authenticate: forged or corrupted. */
  RATCHET_AUTH_FAILED: 'RATCHET_AUTH_FAILED',
  /** A serialised state is malformed or of an unknown version. */
  RATCHET_INVALID_STATE: 'RATCHET_INVALID_STATE',
  /** The sending chain reached `MAX_COUNTER`. */
  RATCHET_COUNTER_EXHAUSTED: 'RATCHET_COUNTER_EXHAUSTED',
  /** The sender or receiver was destroyed and its keys erased. */
  RATCHET_DESTROYED: 'RATCHET_DESTROYED',
} as const
export type RatchetErrorCode = (typeof RatchetErrorCode)[keyof typeof RatchetErrorCode]
