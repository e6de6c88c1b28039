import type { Clock } from '../../src/index.js'

/** A clock that only moves when told to, firing due timers in order. */
export class ManualClock implements Clock {
  #now: number
  #nextId = 1
  readonly #timers = new Map<number, { at: number; callback: () => void }>()

  constructor(startMs: number) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++
    this.#timers.set(id, { at: this.#now + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.#timers.delete(handle)
  }

  get pendingTimers(): number {
    return this.#timers.size
  }

  /** Time of the earliest pending timer. */
  get nextTimerAt(): number | undefined {
    let next: number | undefined
    for (const { at } of this.#timers.values()) if (next === undefined || at < next) next = at
    return next
  }

  /** Moves time to `ms` and fires every timer due by then. */
  set(ms: number): void {
    this.#now = ms
    for (const [id, timer] of [...this.#timers.entries()].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > ms) continue
      this.#timers.delete(id)
      timer.callback()
    }
  }

  advance(ms: number): void {
    this.set(this.#now + ms)
  }
}
