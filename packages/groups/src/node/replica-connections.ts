import type { Libp2p, PeerId } from '@libp2p/interface'
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr'
import { unrefTimer } from './unref-timer.js'

/**
 * Wait before dialling a replica again after its connection dropped; it doubles on each drop or failed dial up to the
 * maximum, and starts again from the first once a connection has lasted that long.
 */
export const REPLICA_REDIAL_FIRST_DELAY_MS = 1_000
export const REPLICA_REDIAL_MAX_DELAY_MS = 60_000

interface Replica {
  readonly peer: string
  readonly address: Multiaddr
  /** The wait before the next dial once the connection drops or a dial fails. */
  delay: number
  connectedAt?: number
  timer?: ReturnType<typeof setTimeout> | undefined
}

/**
 * Keeps the replication servers recorded in a group (event 403) connected while its session is open: each is dialled
 * once recorded, and again whenever its connection drops — a server restarting, a link changing, or libp2p's
 * connection monitor cutting a connection whose pings were slow — with backoff while it stays unreachable, for as
 * long as the session is open. A replica is what serves the group while members are offline; a member that lost it
 * and never dialled again sent it nothing more until the group was reopened (RESILIENCE.md bug 19). libp2p's own
 * keep-alive tag redials too, but gives up (and drops the tag) after five tries, about 30 s.
 */
export class ReplicaConnections {
  readonly #libp2p: Pick<Libp2p, 'dial' | 'addEventListener' | 'removeEventListener'>
  readonly #onError: (error: unknown) => void
  /** By peer ID: the address dialled, and the backoff of the next dial. */
  readonly #replicas = new Map<string, Replica>()
  /** Every server given to `add`: each is looked at once, however often the group's state is read again. */
  readonly #added = new Set<string>()
  #closed = false

  constructor(
    libp2p: Pick<Libp2p, 'dial' | 'addEventListener' | 'removeEventListener'>,
    onError: (error: unknown) => void,
  ) {
    this.#libp2p = libp2p
    this.#onError = onError
    libp2p.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  /** Dials `server` (a multiaddr ending in `/p2p/<peer ID>`) and keeps it connected; once per server. */
  add(server: string): void {
    if (this.#closed || this.#added.has(server)) return
    this.#added.add(server)
    let address: Multiaddr
    try {
      address = multiaddr(server)
    } catch (error) {
      this.#onError(error)
      return
    }
    // Without a peer ID a dropped connection cannot be told apart from others: it is dialled once, as recorded.
    const peer = address.getComponents().find((component) => component.name === 'p2p')?.value
    if (peer === undefined) {
      this.#libp2p.dial(address).catch(this.#onError)
      return
    }
    if (this.#replicas.has(peer)) return
    const replica: Replica = { peer, address, delay: REPLICA_REDIAL_FIRST_DELAY_MS }
    this.#replicas.set(peer, replica)
    this.#dial(replica)
  }

  /** Stops dialling: the session is closing. Connections stay up for the node's other sessions. */
  close(): void {
    this.#closed = true
    this.#libp2p.removeEventListener('peer:disconnect', this.#onDisconnect)
    for (const replica of this.#replicas.values()) clearTimeout(replica.timer)
    this.#replicas.clear()
  }

  readonly #onDisconnect = (event: CustomEvent<PeerId>): void => {
    const replica = this.#replicas.get(event.detail.toString())
    if (replica === undefined || replica.timer !== undefined) return
    // A connection that lasted is no sign of a replica in trouble; one that drops at once waits longer each time.
    if (Date.now() - (replica.connectedAt ?? 0) >= REPLICA_REDIAL_MAX_DELAY_MS) {
      replica.delay = REPLICA_REDIAL_FIRST_DELAY_MS
    }
    this.#schedule(replica)
  }

  #schedule(replica: Replica): void {
    replica.timer = setTimeout(() => {
      replica.timer = undefined
      this.#dial(replica)
    }, replica.delay)
    unrefTimer(replica.timer) // a replica waiting for its next dial does not keep the process alive
    replica.delay = Math.min(replica.delay * 2, REPLICA_REDIAL_MAX_DELAY_MS)
  }

  #dial(replica: Replica): void {
    this.#libp2p.dial(replica.address).then(
      () => {
        replica.connectedAt = Date.now()
      },
      (error: unknown) => {
        if (this.#replicas.get(replica.peer) !== replica) return // closed, or forgotten meanwhile
        this.#onError(error) // down or moved: the members still serve, and the next dial may find it
        if (replica.timer === undefined) this.#schedule(replica)
      },
    )
  }
}
