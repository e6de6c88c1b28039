/**
 * The shared compliance suite of {@link Discovery} implementations (vitest). Every discovery system of
 * `@wesh/rendezvous`, and any other one, runs it:
 *
 * ```ts
 * import { runDiscoveryCompliance } from '@wesh/rendezvous/compliance'
 * runDiscoveryCompliance({ name: 'my system', setup: async () => network, teardown: async (n) => n.stop() })
 * ```
 * @packageDocumentation
 */
import { isWeshError, randomBytes } from '@wesh/crypto'
import type { PeerId } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DiscoveredPeer, Discovery } from './discovery.js'

/** A node under test: its discovery view and its peer ID. */
export interface ComplianceNode {
  discovery: Discovery
  peerId: PeerId
}

/** Three distinct nodes sharing one discovery network. */
export interface ComplianceNetwork {
  /** Registers on points. */
  registrar: ComplianceNode
  /** A second node that registers on the same points. */
  second: ComplianceNode
  /** Looks points up; never registers. */
  searcher: ComplianceNode
}

export interface DiscoveryComplianceOptions<N extends ComplianceNetwork> {
  name: string
  /** Builds the network once for the whole suite (every test uses fresh random points). */
  setup: () => Promise<N>
  teardown: (network: N) => Promise<void>
  /**
   * Whether `unregister` withdraws the peer from other nodes' look-ups at once. False for the DHT, where
   * provider records held by other nodes lapse at their own TTL.
   */
  unregisterIsGlobal?: boolean
  /** TTL (seconds) requested by the suite's registrations. Default 7200. */
  ttl?: number
  /** Per-test timeout in ms. Default 20 000. */
  timeout?: number
}

/** Collects a look-up into an array. */
export async function collectPeers(peers: AsyncIterable<DiscoveredPeer>): Promise<DiscoveredPeer[]> {
  const out: DiscoveredPeer[] = []
  for await (const peer of peers) out.push(peer)
  return out
}

async function rejectionCode(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
  } catch (error) {
    if (isWeshError(error)) return error.code
    throw error
  }
  throw new Error('expected a WeshError')
}

/** Registers the vitest suite every {@link Discovery} must pass. */
export function runDiscoveryCompliance<N extends ComplianceNetwork>(
  options: DiscoveryComplianceOptions<N>,
): void {
  const ttl = options.ttl ?? 7200
  const timeout = options.timeout ?? 20_000

  describe(`Discovery compliance: ${options.name}`, () => {
    let network: N | undefined
    const net = (): N => {
      if (network === undefined) throw new Error('setup did not run')
      return network
    }
    const ids = (peers: DiscoveredPeer[]): string[] => peers.map((peer) => peer.id.toString()).sort()

    beforeAll(async () => {
      network = await options.setup()
    }, 120_000)

    afterAll(async () => {
      if (network !== undefined) await options.teardown(network)
    }, 120_000)

    it(
      'finds a peer registered on a point, with its addresses',
      async () => {
        const { registrar, searcher } = net()
        const point = randomBytes(32)
        const granted = await registrar.discovery.register(point, { ttl })
        expect(Number.isInteger(granted.ttl) && granted.ttl > 0).toBe(true)
        const found = await collectPeers(searcher.discovery.lookup(point))
        expect(ids(found)).toEqual([registrar.peerId.toString()])
        expect(found[0]?.multiaddrs.length).toBeGreaterThan(0)
      },
      timeout,
    )

    it(
      'finds every peer registered on a point, each once',
      async () => {
        const { registrar, second, searcher } = net()
        const point = randomBytes(32)
        await registrar.discovery.register(point, { ttl })
        await registrar.discovery.register(point, { ttl }) // renewing does not duplicate
        await second.discovery.register(point, { ttl })
        const found = await collectPeers(searcher.discovery.lookup(point))
        expect(ids(found)).toEqual([registrar.peerId.toString(), second.peerId.toString()].sort())
      },
      timeout,
    )

    it(
      'finds nobody on a point nobody registered, and keeps points apart',
      async () => {
        const { registrar, searcher } = net()
        const registered = randomBytes(32)
        await registrar.discovery.register(registered, { ttl })
        expect(await collectPeers(searcher.discovery.lookup(randomBytes(32)))).toEqual([])
      },
      timeout,
    )

    if (options.unregisterIsGlobal ?? true) {
      it(
        'stops finding a peer after it unregisters',
        async () => {
          const { registrar, second, searcher } = net()
          const point = randomBytes(32)
          await registrar.discovery.register(point, { ttl })
          await second.discovery.register(point, { ttl })
          await registrar.discovery.unregister(point)
          expect(ids(await collectPeers(searcher.discovery.lookup(point)))).toEqual([
            second.peerId.toString(),
          ])
        },
        timeout,
      )
    }

    it(
      'treats unregistering a point it never registered as a no-op',
      async () => {
        await net().registrar.discovery.unregister(randomBytes(32))
      },
      timeout,
    )

    it('rejects points that are not 32 bytes with INVALID_LENGTH', async () => {
      const { registrar, searcher } = net()
      for (const bad of [new Uint8Array(31), new Uint8Array(33)]) {
        expect(await rejectionCode(() => registrar.discovery.register(bad, { ttl }))).toBe('INVALID_LENGTH')
        expect(await rejectionCode(() => registrar.discovery.unregister(bad))).toBe('INVALID_LENGTH')
        expect(await rejectionCode(() => collectPeers(searcher.discovery.lookup(bad)))).toBe('INVALID_LENGTH')
      }
    })

    it('rejects with ABORTED when the signal has already fired', async () => {
      const { registrar, searcher } = net()
      const signal = AbortSignal.abort()
      const point = randomBytes(32)
      expect(await rejectionCode(() => registrar.discovery.register(point, { ttl, signal }))).toBe('ABORTED')
      expect(await rejectionCode(() => collectPeers(searcher.discovery.lookup(point, { signal })))).toBe(
        'ABORTED',
      )
    })

    it(
      'stops a look-up when its signal fires midway',
      async () => {
        const { registrar, searcher } = net()
        const point = randomBytes(32)
        await registrar.discovery.register(point, { ttl })
        const controller = new AbortController()
        const code = await rejectionCode(async () => {
          for await (const peer of searcher.discovery.lookup(point, { signal: controller.signal })) {
            expect(peer.id.toString()).toBe(registrar.peerId.toString())
            controller.abort()
          }
        })
        expect(code).toBe('ABORTED')
      },
      timeout,
    )
  })
}
