import type { Libp2p } from '@libp2p/interface'
import { type Clock, type Discovery, PointAnnouncer, lookupTopic, systemClock } from '@wesh/rendezvous'

/** How often a rendezvous looks its points up again, in ms, once the first look-up is done. */
export const DEFAULT_LOOKUP_INTERVAL_MS = 30_000

export interface PeerRendezvousInit {
  readonly libp2p: Pick<Libp2p, 'peerId' | 'dial' | 'getConnections'>
  readonly discovery: Discovery
  readonly topic: Uint8Array
  readonly seed: Uint8Array
  readonly lookupIntervalMs?: number
  readonly clock?: Clock
  /** Called with failures to register, look up or dial: the rendezvous retries on its own. */
  readonly onError?: (error: unknown) => void
  /** Called once stopped (the node forgets it then). */
  readonly onStop?: () => void
}

/**
 * Meeting the other holders of a secret (PROTOCOL.md §2): stays announced on the topic's current points on
 * every discovery system of the node, looks the points up at start and every `lookupIntervalMs`, and dials each
 * peer found that is not connected yet. Used for group logs (topic = log address, seed = link key).
 */
export class PeerRendezvous {
  readonly #init: PeerRendezvousInit
  readonly #announcer: PointAnnouncer
  readonly #clock: Clock
  #lookups = new AbortController()
  #timer: { readonly handle: unknown } | undefined
  #stopped = false

  constructor(init: PeerRendezvousInit) {
    this.#init = init
    this.#clock = init.clock ?? systemClock
    this.#announcer = new PointAnnouncer({
      discovery: init.discovery,
      topic: init.topic,
      seed: init.seed,
      clock: this.#clock,
    })
    this.#announcer.addEventListener('error', (event) => init.onError?.(event.detail))
  }

  start(): void {
    this.#announcer.start()
    void this.#lookUp()
  }

  /** Looks the points up now, dialling the peers found; resolves when the look-up ends. */
  async lookUpNow(): Promise<void> {
    await this.#lookUp()
  }

  async stop(): Promise<void> {
    if (this.#stopped) return
    this.#stopped = true
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle)
    this.#lookups.abort()
    await this.#announcer.stop()
    this.#init.onStop?.()
  }

  async #lookUp(): Promise<void> {
    if (this.#stopped) return
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer.handle)
    const { libp2p, discovery, topic, seed } = this.#init
    const self = libp2p.peerId.toString()
    const dials: Promise<void>[] = []
    try {
      for await (const peer of lookupTopic(discovery, topic, seed, {
        signal: this.#lookups.signal,
        clock: this.#clock,
      })) {
        if (peer.id.toString() === self || libp2p.getConnections(peer.id).length > 0) continue
        if (peer.multiaddrs.length === 0) continue
        dials.push(
          libp2p.dial(peer.multiaddrs, { signal: this.#lookups.signal }).then(
            () => undefined,
            (error: unknown) => this.#init.onError?.(error),
          ),
        )
      }
    } catch (error) {
      if (!this.#lookups.signal.aborted) this.#init.onError?.(error)
    }
    await Promise.all(dials)
    if (this.#lookups.signal.aborted) return // stopped
    const handle = this.#clock.setTimeout(() => {
      void this.#lookUp()
    }, this.#init.lookupIntervalMs ?? DEFAULT_LOOKUP_INTERVAL_MS)
    this.#timer = { handle }
  }
}
