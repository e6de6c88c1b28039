import { assertBytes, assertInteger, isWeshError, toHex, WeshError } from '@wesh/crypto'
import { TypedEventEmitter } from 'main-event'
import { abortError } from './abort.js'
import { MAX_TIMER_MS, systemClock, type Clock } from './clock.js'
import {
  DEFAULT_PERIOD_SECONDS,
  DEFAULT_TTL_SECONDS,
  MAX_SEED_BYTES,
  MAX_TOPIC_BYTES,
  MAX_TTL_SECONDS,
  MIN_TTL_SECONDS,
} from './constants.js'

import type { Discovery } from './discovery.js'
import { RendezvousErrorCode } from './errors.js'
import { assertPeriod, periodStart, pointsToAnnounce, type Period } from './rendezvous-point.js'

/** Default wait before retrying a failed registration. */
export const DEFAULT_RETRY_MS = 30_000
/** Registrations are renewed once this fraction of their granted lifetime has passed. */
export const REFRESH_FRACTION = 0.8

export interface PointAnnouncerInit {
  discovery: Discovery
  topic: Uint8Array
  seed: Uint8Array
  /** Rotation period in seconds, or `'static'`. Default one day. */
  period?: Period
  /** Requested registration lifetime in seconds. Default {@link DEFAULT_TTL_SECONDS} (2 h). */
  ttl?: number
  /** Wait before retrying a failed registration, in ms. Default {@link DEFAULT_RETRY_MS}. */
  retryMs?: number
  /** Withdraw the current registrations on `stop()`. Default `true`. */
  unregisterOnStop?: boolean
  clock?: Clock
}

export interface PointEventDetail {
  point: Uint8Array
}
export interface PointAnnouncerEvents {
  /** A point was registered (or renewed); `ttl` is the granted lifetime in seconds. */
  register: CustomEvent<PointEventDetail & { ttl: number }>
  /** A point was withdrawn on `stop()`. */
  unregister: CustomEvent<PointEventDetail>
  /** The set of announced points changed: `points` is the new set (current first). */
  rotate: CustomEvent<{ points: Uint8Array[] }>
  /** A registration failed; it is retried after `retryMs`. */
  error: CustomEvent<PointEventDetail & { error: unknown }>
  /** A round of registrations finished; `nextAt` is when the next round is due (ms), if any. */
  settled: CustomEvent<{ nextAt: number | undefined }>
}

interface Held {
  point: Uint8Array
  /** When to register again (renewal, or retry after a failure). */
  dueAt: number
}

/**
 * Keeps a node announced on a topic's rotating points (PROTOCOL.md §2): registers on the current point and,
 * in the last P/10 of a period, also on the next; renews before the granted TTL lapses; lets the previous
 * point lapse after rotation; withdraws on `stop()`. Time comes from an injectable {@link Clock}.
 */
export class PointAnnouncer extends TypedEventEmitter<PointAnnouncerEvents> {
  readonly #discovery: Discovery
  readonly #topic: Uint8Array
  readonly #seed: Uint8Array
  readonly #period: Period
  readonly #ttl: number
  readonly #retryMs: number
  readonly #unregisterOnStop: boolean
  readonly #clock: Clock
  readonly #held = new Map<string, Held>()
  #announced = ''
  #timer: unknown = undefined
  #controller: AbortController | undefined
  #ticking: Promise<void> | undefined
  #state: 'idle' | 'running' | 'stopped' = 'idle'

  constructor(init: PointAnnouncerInit) {
    super()
    assertBytes(init.topic, 'topic', { min: 1, max: MAX_TOPIC_BYTES })
    assertBytes(init.seed, 'seed', { min: 1, max: MAX_SEED_BYTES })
    const period = init.period ?? DEFAULT_PERIOD_SECONDS
    assertPeriod(period)
    const ttl = init.ttl ?? DEFAULT_TTL_SECONDS
    assertInteger(ttl, 'ttl', MIN_TTL_SECONDS, MAX_TTL_SECONDS)
    const retryMs = init.retryMs ?? DEFAULT_RETRY_MS
    assertInteger(retryMs, 'retryMs', 1, MAX_TIMER_MS)
    this.#discovery = init.discovery
    this.#topic = init.topic.slice()
    this.#seed = init.seed.slice()
    this.#period = period
    this.#ttl = ttl
    this.#retryMs = retryMs
    this.#unregisterOnStop = init.unregisterOnStop ?? true
    this.#clock = init.clock ?? systemClock
  }

  /** Points currently held (registered or being retried), current first. */
  get points(): Uint8Array[] {
    return [...this.#held.values()].map((held) => held.point.slice())
  }

  /** Starts announcing; the first registrations begin at once. */
  start(): void {
    if (this.#state === 'stopped') {
      throw new WeshError(RendezvousErrorCode.STOPPED, 'a stopped PointAnnouncer cannot be restarted')
    }
    if (this.#state === 'running') return
    this.#state = 'running'
    this.#controller = new AbortController()
    this.#run()
  }

  /** Stops: cancels timers and in-flight registrations, then withdraws the held points (unless disabled). */
  async stop(): Promise<void> {
    if (this.#state !== 'running') {
      this.#state = 'stopped'
      return
    }
    this.#state = 'stopped'
    this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#controller?.abort(abortError())
    await this.#ticking
    const held = [...this.#held.values()]
    this.#held.clear()
    if (!this.#unregisterOnStop) return
    await Promise.all(
      held.map(async ({ point }) => {
        try {
          await this.#discovery.unregister(point)
          this.safeDispatchEvent('unregister', { detail: { point } })
        } catch (error) {
          this.safeDispatchEvent('error', { detail: { point, error } })
        }
      }),
    )
  }

  #run(): void {
    this.#timer = undefined
    this.#ticking = this.#tick().finally(() => {
      this.#ticking = undefined
    })
  }

  async #tick(): Promise<void> {
    const signal = this.#controller?.signal
    if (this.#state !== 'running' || signal === undefined) return
    const now = this.#clock.now()
    const wanted = pointsToAnnounce(this.#topic, this.#seed, now, this.#period)
    const keys = wanted.map((point) => toHex(point))
    const announced = keys.join(',')
    // Points that left the set (the previous period's) simply lapse at their TTL: searchers still look them
    // up in the first P/10 of the new period.
    for (const key of this.#held.keys()) if (!keys.includes(key)) this.#held.delete(key)
    for (const [i, point] of wanted.entries()) {
      const key = keys[i] ?? ''
      if (!this.#held.has(key)) this.#held.set(key, { point, dueAt: now })
    }
    if (announced !== this.#announced) {
      this.#announced = announced
      this.safeDispatchEvent('rotate', { detail: { points: wanted.map((point) => point.slice()) } })
    }
    const due = [...this.#held.values()].filter((held) => held.dueAt <= now)
    await Promise.all(due.map((held) => this.#register(held, signal)))
    if (signal.aborted) return
    this.#schedule()
  }

  async #register(held: Held, signal: AbortSignal): Promise<void> {
    try {
      const { ttl } = await this.#discovery.register(held.point, { ttl: this.#ttl, signal })
      held.dueAt = this.#clock.now() + Math.max(1, Math.floor(ttl * 1000 * REFRESH_FRACTION))
      this.safeDispatchEvent('register', { detail: { point: held.point.slice(), ttl } })
    } catch (error) {
      if (signal.aborted || isWeshError(error, RendezvousErrorCode.ABORTED)) return
      held.dueAt = this.#clock.now() + this.#retryMs
      this.safeDispatchEvent('error', { detail: { point: held.point.slice(), error } })
    }
  }

  #schedule(): void {
    const now = this.#clock.now()
    let next = Infinity
    for (const held of this.#held.values()) next = Math.min(next, held.dueAt)
    if (this.#period !== 'static') {
      const periodMs = this.#period * 1000
      const startMs = periodStart(now, this.#period) * 1000
      const lastTenth = startMs + periodMs - periodMs / 10
      next = Math.min(next, now < lastTenth ? lastTenth : startMs + periodMs)
    }
    if (next === Infinity) {
      this.safeDispatchEvent('settled', { detail: { nextAt: undefined } })
      return
    }
    const delay = Math.min(Math.max(0, next - now), MAX_TIMER_MS)
    this.#timer = this.#clock.setTimeout(() => {
      this.#run()
    }, delay)
    this.safeDispatchEvent('settled', { detail: { nextAt: now + delay } })
  }
}
