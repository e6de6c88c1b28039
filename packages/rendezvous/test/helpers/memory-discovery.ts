import { assertBytes, toHex } from '@wesh/crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import {
  RendezvousErrorCode,
  type DiscoveredPeer,
  type Discovery,
  type RegisterOptions,
  type Registration,
} from '../../src/index.js'
import type { ComplianceNode } from '../../src/compliance.js'
import { WeshError } from '@wesh/crypto'

/** Calls made to a {@link RecordingDiscovery}. */
export interface Call {
  op: 'register' | 'unregister'
  point: string
  ttl?: number
}

/** A Discovery double for scheduler tests: records calls, grants the requested TTL, can be made to fail. */
export class RecordingDiscovery implements Discovery {
  readonly name = 'recording'
  readonly calls: Call[] = []
  failNext = 0
  grantTtl: number | undefined

  register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
    this.calls.push({ op: 'register', point: toHex(point), ttl: options.ttl ?? 0 })
    if (this.failNext > 0) {
      this.failNext--
      return Promise.reject(new Error('unreachable'))
    }
    return Promise.resolve({ ttl: this.grantTtl ?? options.ttl ?? 7200 })
  }

  unregister(point: Uint8Array): Promise<void> {
    this.calls.push({ op: 'unregister', point: toHex(point) })
    return Promise.resolve()
  }

  async *lookup(): AsyncIterable<DiscoveredPeer> {
    // nothing registered here
  }
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new WeshError(RendezvousErrorCode.ABORTED, 'aborted')
}

/** A shared in-memory registry; each node gets its own Discovery view of it. */
export class MemoryNetwork {
  readonly #points = new Map<string, Map<string, DiscoveredPeer>>()
  /** Look-ups answered, for tests that check which system answered. */
  lookups = 0

  constructor(readonly name = 'memory') {}

  view(self: DiscoveredPeer): Discovery {
    const points = this.#points
    const count = (): void => {
      this.lookups++
    }
    return {
      name: this.name,
      register(point: Uint8Array, options: RegisterOptions = {}): Promise<Registration> {
        assertBytes(point, 'point', 32)
        aborted(options.signal)
        const key = toHex(point)
        const peers = points.get(key) ?? new Map<string, DiscoveredPeer>()
        peers.set(self.id.toString(), self)
        points.set(key, peers)
        return Promise.resolve({ ttl: options.ttl ?? 7200 })
      },
      unregister(point: Uint8Array): Promise<void> {
        assertBytes(point, 'point', 32)
        points.get(toHex(point))?.delete(self.id.toString())
        return Promise.resolve()
      },
      async *lookup(
        point: Uint8Array,
        options: { signal?: AbortSignal } = {},
      ): AsyncIterable<DiscoveredPeer> {
        assertBytes(point, 'point', 32)
        aborted(options.signal)
        count()
        await Promise.resolve()
        for (const peer of [...(points.get(toHex(point))?.values() ?? [])]) {
          yield peer
          aborted(options.signal)
        }
      },
    }
  }
}

/** A fresh peer identity with one loopback address. */
export async function memoryPeer(port: number): Promise<DiscoveredPeer> {
  const id = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
  return { id, multiaddrs: [multiaddr(`/ip4/127.0.0.1/tcp/${port}/p2p/${id.toString()}`)] }
}

export function node(discovery: Discovery, peer: DiscoveredPeer): ComplianceNode {
  return { discovery, peerId: peer.id }
}
