/** Time and timers, injectable so that tests of time-driven code advance time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the unix epoch. */
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** The real clock: `Date.now` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  },
}

/** Longest delay a JavaScript timer accepts (about 24.8 days); longer waits are taken in several steps. */
export const MAX_TIMER_MS = 2 ** 31 - 1
