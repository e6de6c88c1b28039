import { randomBytes } from '@wesh/crypto'

/** One registration held by a rendezvous server. */
export interface StoredRegistration {
  namespace: string
  /** The registering peer, as its string form. */
  peerId: string
  /** The signed peer record (envelope bytes) exactly as received; returned as-is to DISCOVER. */
  signedPeerRecord: Uint8Array
  /** Unix ms after which the registration is gone. */
  expiresAt: number
  /** Server-wide sequence number, higher for newer registrations; DISCOVER cookies page by it. */
  seq: number
}

export type NewRegistration = Omit<StoredRegistration, 'seq'>

/**
 * Where a rendezvous server keeps registrations: a narrow interface with a memory and a LevelDB implementation
 * (`@wesh/rendezvous/level`). Implementations never return registrations expired at `now`.
 */
export interface RegistrationStore {
  /** 4 bytes naming this store's sequence space; changes when sequence numbers restart. */
  readonly epoch: Uint8Array
  /** Adds or replaces the registration of (`namespace`, `peerId`), giving it a new, higher sequence number. */
  put(registration: NewRegistration): Promise<StoredRegistration>
  /** Removes the registration of (`namespace`, `peerId`); a no-op when there is none. */
  delete(namespace: string, peerId: string): Promise<void>
  /** Whether (`namespace`, `peerId`) is registered and live at `now`. */
  has(namespace: string, peerId: string, now: number): Promise<boolean>
  /** Live registrations of `peerId` at `now`. */
  countByPeer(peerId: string, now: number): Promise<number>
  /**
   * Live registrations with a sequence number above `after`, in `namespace` (or in all namespaces when it is
   * `''`), by ascending sequence number, at most `limit`.
   */
  list(namespace: string, after: number, limit: number, now: number): Promise<StoredRegistration[]>
  /** Number of live registrations (for metrics). */
  size(now: number): Promise<number>
  /** Drops registrations expired at `now`; returns how many. */
  prune(now: number): Promise<number>
  close(): Promise<void>
}

const key = (namespace: string, peerId: string): string => `${namespace}\u0000${peerId}`

/**
 * Registrations in memory, indexed by namespace, peer and sequence number. Also the index behind the LevelDB
 * store, which loads it at open and writes through.
 */
export class MemoryRegistrationStore implements RegistrationStore {
  readonly epoch: Uint8Array
  #seq: number
  readonly #byKey = new Map<string, StoredRegistration>()
  // Maps keep insertion order, and sequence numbers only grow, so these iterate by ascending seq.
  readonly #bySeq = new Map<number, StoredRegistration>()
  readonly #byNamespace = new Map<string, Map<number, StoredRegistration>>()
  readonly #byPeer = new Map<string, Set<string>>()

  constructor(init: { epoch?: Uint8Array; seq?: number } = {}) {
    this.epoch = init.epoch ?? randomBytes(4)
    this.#seq = init.seq ?? 0
  }

  /** Highest sequence number handed out. */
  get seq(): number {
    return this.#seq
  }

  put(registration: NewRegistration): Promise<StoredRegistration> {
    return Promise.resolve(this.insert({ ...registration, seq: ++this.#seq }))
  }

  /** Inserts a registration with its sequence number as given (used when loading a persisted store). */
  insert(registration: StoredRegistration): StoredRegistration {
    this.remove(registration.namespace, registration.peerId)
    this.#seq = Math.max(this.#seq, registration.seq)
    this.#byKey.set(key(registration.namespace, registration.peerId), registration)
    this.#bySeq.set(registration.seq, registration)
    let namespace = this.#byNamespace.get(registration.namespace)
    if (namespace === undefined)
      this.#byNamespace.set(registration.namespace, (namespace = new Map<number, StoredRegistration>()))
    namespace.set(registration.seq, registration)
    let peer = this.#byPeer.get(registration.peerId)
    if (peer === undefined) this.#byPeer.set(registration.peerId, (peer = new Set()))
    peer.add(registration.namespace)
    return registration
  }

  /** Removes synchronously; returns the removed registration. */
  remove(namespace: string, peerId: string): StoredRegistration | undefined {
    const existing = this.#byKey.get(key(namespace, peerId))
    if (existing === undefined) return undefined
    this.#byKey.delete(key(namespace, peerId))
    this.#bySeq.delete(existing.seq)
    const ns = this.#byNamespace.get(namespace)
    ns?.delete(existing.seq)
    if (ns?.size === 0) this.#byNamespace.delete(namespace)
    const peer = this.#byPeer.get(peerId)
    peer?.delete(namespace)
    if (peer?.size === 0) this.#byPeer.delete(peerId)
    return existing
  }

  delete(namespace: string, peerId: string): Promise<void> {
    this.remove(namespace, peerId)
    return Promise.resolve()
  }

  has(namespace: string, peerId: string, now: number): Promise<boolean> {
    const existing = this.#byKey.get(key(namespace, peerId))
    return Promise.resolve(existing !== undefined && existing.expiresAt > now)
  }

  countByPeer(peerId: string, now: number): Promise<number> {
    let count = 0
    for (const namespace of this.#byPeer.get(peerId) ?? []) {
      const registration = this.#byKey.get(key(namespace, peerId))
      if (registration !== undefined && registration.expiresAt > now) count++
    }
    return Promise.resolve(count)
  }

  list(namespace: string, after: number, limit: number, now: number): Promise<StoredRegistration[]> {
    const source =
      namespace === ''
        ? this.#bySeq
        : (this.#byNamespace.get(namespace) ?? new Map<number, StoredRegistration>())
    const out: StoredRegistration[] = []
    for (const registration of source.values()) {
      if (out.length >= limit) break
      if (registration.seq > after && registration.expiresAt > now) out.push(registration)
    }
    return Promise.resolve(out)
  }

  size(now: number): Promise<number> {
    let count = 0
    for (const registration of this.#byKey.values()) if (registration.expiresAt > now) count++
    return Promise.resolve(count)
  }

  /** Expired registrations, without removing them. */
  expired(now: number): StoredRegistration[] {
    return [...this.#byKey.values()].filter((registration) => registration.expiresAt <= now)
  }

  prune(now: number): Promise<number> {
    const expired = this.expired(now)
    for (const registration of expired) this.remove(registration.namespace, registration.peerId)
    return Promise.resolve(expired.length)
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
