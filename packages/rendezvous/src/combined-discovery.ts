import { assertBytes, WeshError } from '@wesh/crypto'
import { abortError, throwIfAborted } from './abort.js'
import { systemClock, type Clock } from './clock.js'
import { DEFAULT_PERIOD_SECONDS, POINT_BYTES } from './constants.js'
import type { DiscoveredPeer, Discovery, LookupOptions, RegisterOptions, Registration } from './discovery.js'
import { RendezvousErrorCode } from './errors.js'
import { pointsToLookUp, type Period } from './rendezvous-point.js'

/** Starts one source of peers; it must stop when `signal` fires. */
export type PeerSource = (signal: AbortSignal) => AsyncIterable<DiscoveredPeer>

/**
 * Runs every source concurrently and yields each peer the first time any source finds it. Ends when every
 * source has ended; throws `DISCOVERY_FAILED` only if every source failed, `ABORTED` when `signal` fires.
 * Breaking out of the loop stops the sources.
 */
export async function* mergePeerSources(
  sources: readonly PeerSource[],
  signal?: AbortSignal,
): AsyncGenerator<DiscoveredPeer, void, undefined> {
  throwIfAborted(signal)
  const controller = new AbortController()
  const queue: DiscoveredPeer[] = []
  const errors: unknown[] = []
  const seen = new Set<string>()
  let pending = sources.length
  let wake: (() => void) | undefined
  const notify = (): void => {
    const resume = wake
    wake = undefined
    resume?.()
  }
  const onAbort = (): void => {
    controller.abort(signal?.reason)
    notify()
  }
  signal?.addEventListener('abort', onAbort, { once: true })
  for (const source of sources) {
    void (async () => {
      try {
        for await (const peer of source(controller.signal)) {
          queue.push(peer)
          notify()
        }
      } catch (error) {
        errors.push(error)
      } finally {
        pending--
        notify()
      }
    })()
  }
  try {
    while (true) {
      if (signal?.aborted === true) throw abortError(signal)
      const peer = queue.shift()
      if (peer !== undefined) {
        const key = peer.id.toString()
        if (seen.has(key)) continue
        seen.add(key)
        yield peer
        continue
      }
      if (pending === 0) break
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
    if (sources.length > 0 && errors.length === sources.length) {
      throw new WeshError(RendezvousErrorCode.DISCOVERY_FAILED, 'every discovery system failed', {
        data: { systems: sources.length },
        cause: errors[0],
      })
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    controller.abort(abortError())
  }
}

/**
 * Several discovery systems behind one {@link Discovery} (PROTOCOL.md §2: "a node runs any subset and queries
 * them concurrently"). `register`/`unregister` go to every system and succeed if one does; `lookup` queries all
 * at once and yields the first peers found, each once. List the local-record system first: it answers first.
 */
export class CombinedDiscovery implements Discovery {
  readonly name: string
  readonly systems: readonly Discovery[]

  constructor(systems: readonly Discovery[]) {
    const list: Discovery[] = Array.from(systems)
    if (list.length === 0) {
      throw new WeshError('INVALID_ARGUMENT', 'systems must be a non-empty array of Discovery', {
        data: { argument: 'systems' },
      })
    }
    this.systems = list
    this.name = `combined(${this.systems.map((system) => system.name).join(',')})`
  }

  async register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
    assertBytes(point, 'point', POINT_BYTES)
    throwIfAborted(options.signal)
    const results = await Promise.allSettled(this.systems.map((system) => system.register(point, options)))
    const granted = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.ttl] : []))
    if (granted.length === 0) throw this.#failed(results, options.signal)
    // Renew before the shortest-lived registration lapses.
    return { ttl: Math.min(...granted) }
  }

  async unregister(point: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<void> {
    assertBytes(point, 'point', POINT_BYTES)
    throwIfAborted(options.signal)
    const results = await Promise.allSettled(this.systems.map((system) => system.unregister(point, options)))
    if (results.every((result) => result.status === 'rejected')) throw this.#failed(results, options.signal)
  }

  lookup(point: Uint8Array, options: LookupOptions = {}): AsyncIterable<DiscoveredPeer> {
    assertBytes(point, 'point', POINT_BYTES)
    return mergePeerSources(
      this.systems.map((system) => (signal) => system.lookup(point, { signal })),
      options.signal,
    )
  }

  #failed(results: PromiseSettledResult<unknown>[], signal: AbortSignal | undefined): WeshError {
    if (signal?.aborted === true) return abortError(signal)
    const first = results.find((result) => result.status === 'rejected')
    return new WeshError(RendezvousErrorCode.DISCOVERY_FAILED, 'every discovery system failed', {
      data: { systems: results.length },
      cause: first?.status === 'rejected' ? first.reason : undefined,
    })
  }
}

export interface LookupTopicOptions extends LookupOptions {
  period?: Period
  /** Time of the look-up; default `clock.now()`. */
  atMs?: number
  clock?: Clock
}

/**
 * Peers announced on `topic`/`seed` now: looks up the current point and, in the first P/10 of a period, the
 * previous one (PROTOCOL.md §2), concurrently, each peer once.
 */
export function lookupTopic(
  discovery: Discovery,
  topic: Uint8Array,
  seed: Uint8Array,
  options: LookupTopicOptions = {},
): AsyncIterable<DiscoveredPeer> {
  const atMs = options.atMs ?? (options.clock ?? systemClock).now()
  const points = pointsToLookUp(topic, seed, atMs, options.period ?? DEFAULT_PERIOD_SECONDS)
  return mergePeerSources(
    points.map((point) => (signal) => discovery.lookup(point, { signal })),
    options.signal,
  )
}
