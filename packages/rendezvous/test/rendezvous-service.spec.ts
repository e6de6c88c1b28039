import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  MAX_DISCOVER_LIMIT,
  MAX_NAMESPACE_BYTES,
  MAX_REGISTRATIONS_PER_PEER,
  MAX_SIGNED_PEER_RECORD_BYTES,
  MemoryRegistrationStore,
  openPeerRecord,
  RendezvousService,
  ResponseStatus,
  sealPeerRecord,
  type RendezvousMessage,
  type RendezvousRequest,
} from '../src/index.js'
import { ManualClock } from './helpers/manual-clock.js'

interface Peer {
  key: PrivateKey
  id: PeerId
  record: Uint8Array
}

async function peer(port = 4001): Promise<Peer> {
  const key = await generateKeyPair('Ed25519')
  const id = peerIdFromPrivateKey(key)
  return { key, id, record: await sealPeerRecord(key, id, [multiaddr(`/ip4/127.0.0.1/tcp/${port}`)]) }
}

const register = (p: Peer, ns: string, ttl?: bigint): RendezvousRequest => ({
  type: 'REGISTER',
  ns,
  signedPeerRecord: p.record,
  ttl,
})
const discover = (ns: string, limit?: bigint, cookie?: Uint8Array): RendezvousRequest => ({
  type: 'DISCOVER',
  ns,
  limit,
  cookie,
})
const status = (m: RendezvousMessage | undefined) =>
  m?.registerResponse?.status ?? m?.discoverResponse?.status ?? 'none'

const NOW = Date.parse('2026-11-25T12:00:00Z')

describe('RendezvousService', () => {
  let alice: Peer
  let bob: Peer
  beforeAll(async () => {
    ;[alice, bob] = await Promise.all([peer(1), peer(2)])
  })

  it('registers with the default TTL of 2 h when none is given and returns it in DISCOVER', async () => {
    const service = new RendezvousService({ clock: new ManualClock(NOW) })
    const response = await service.handle(alice.id, register(alice, 'ns'))
    expect(response?.registerResponse).toEqual({ status: ResponseStatus.OK, statusText: 'OK', ttl: 7200n })
    const found = await service.handle(bob.id, discover('ns'))
    expect(found?.discoverResponse?.registrations).toHaveLength(1)
    const registration = found?.discoverResponse?.registrations[0]
    expect(registration?.ttl).toBe(7200n)
    expect((await openPeerRecord(registration!.signedPeerRecord!))?.peerId.equals(alice.id)).toBe(true)
  })

  it('accepts namespaces of 1..255 bytes and rejects empty or 256-byte ones', async () => {
    const service = new RendezvousService()
    expect(status(await service.handle(alice.id, register(alice, 'a'.repeat(MAX_NAMESPACE_BYTES))))).toBe(
      'OK',
    )
    expect(status(await service.handle(alice.id, register(alice, 'é'.repeat(128))))).toBe(
      'E_INVALID_NAMESPACE',
    )
    expect(status(await service.handle(alice.id, register(alice, 'a'.repeat(MAX_NAMESPACE_BYTES + 1))))).toBe(
      'E_INVALID_NAMESPACE',
    )
    expect(status(await service.handle(alice.id, register(alice, '')))).toBe('E_INVALID_NAMESPACE')
    expect(status(await service.handle(bob.id, discover('a'.repeat(MAX_NAMESPACE_BYTES + 1))))).toBe(
      'E_INVALID_NAMESPACE',
    )
  })

  it('accepts TTLs from 2 h to 72 h and rejects one second outside', async () => {
    const service = new RendezvousService()
    expect(status(await service.handle(alice.id, register(alice, 'x', 7200n)))).toBe('OK')
    expect(status(await service.handle(alice.id, register(alice, 'x', 72n * 3600n)))).toBe('OK')
    expect(status(await service.handle(alice.id, register(alice, 'x', 7199n)))).toBe('E_INVALID_TTL')
    expect(status(await service.handle(alice.id, register(alice, 'x', 72n * 3600n + 1n)))).toBe(
      'E_INVALID_TTL',
    )
    expect(status(await service.handle(alice.id, register(alice, 'x', 2n ** 64n - 1n)))).toBe('E_INVALID_TTL')
    const lenient = new RendezvousService({ minTtl: 1 })
    expect(status(await lenient.handle(alice.id, register(alice, 'x', 1n)))).toBe('OK')
  })

  it('rejects unsigned, garbage, oversized and foreign signed peer records', async () => {
    const service = new RendezvousService()
    const with_ = (record: Uint8Array): RendezvousRequest => ({
      type: 'REGISTER',
      ns: 'ns',
      signedPeerRecord: record,
      ttl: undefined,
    })
    expect(status(await service.handle(alice.id, with_(new Uint8Array(0))))).toBe(
      'E_INVALID_SIGNED_PEER_RECORD',
    )
    expect(status(await service.handle(alice.id, with_(new Uint8Array(100).fill(7))))).toBe(
      'E_INVALID_SIGNED_PEER_RECORD',
    )
    expect(
      status(await service.handle(alice.id, with_(new Uint8Array(MAX_SIGNED_PEER_RECORD_BYTES + 1)))),
    ).toBe('E_INVALID_SIGNED_PEER_RECORD')
    const tampered = alice.record.slice()
    tampered[tampered.length - 1]! ^= 1
    expect(status(await service.handle(alice.id, with_(tampered)))).toBe('E_INVALID_SIGNED_PEER_RECORD')
    // Bob's valid record, sent over Alice's connection: not hers to register.
    expect(status(await service.handle(alice.id, with_(bob.record)))).toBe('E_NOT_AUTHORIZED')
    expect(status(await service.handle(bob.id, discover('ns')))).toBe('OK')
    expect((await service.handle(bob.id, discover('ns')))?.discoverResponse?.registrations).toEqual([])
  })

  it('allows 1 000 registrations per peer, rejects the 1 001st, and still renews existing ones', async () => {
    const service = new RendezvousService()
    for (let i = 0; i < MAX_REGISTRATIONS_PER_PEER; i++) {
      expect(status(await service.handle(alice.id, register(alice, `ns${i}`)))).toBe('OK')
    }
    expect(status(await service.handle(alice.id, register(alice, 'one-more')))).toBe('E_NOT_AUTHORIZED')
    expect(status(await service.handle(alice.id, register(alice, 'ns0')))).toBe('OK')
    expect(status(await service.handle(bob.id, register(bob, 'one-more')))).toBe('OK')
    await service.handle(alice.id, { type: 'UNREGISTER', ns: 'ns1' })
    expect(status(await service.handle(alice.id, register(alice, 'one-more')))).toBe('OK')
  })

  it('pages through 2 500 registrations with cookies, then returns only new ones', async () => {
    const clock = new ManualClock(NOW)
    const service = new RendezvousService({ clock })
    const peers = await Promise.all(Array.from({ length: 2500 }, (_, i) => peer(i + 1)))
    for (const p of peers) expect(status(await service.handle(p.id, register(p, 'crowd')))).toBe('OK')
    await service.handle(alice.id, register(alice, 'elsewhere'))
    const seen = new Set<string>()
    let cookie: Uint8Array | undefined
    const sizes: number[] = []
    for (;;) {
      const page = (await service.handle(bob.id, discover('crowd', 0n, cookie)))?.discoverResponse
      expect(page?.status).toBe('OK')
      sizes.push(page!.registrations.length)
      for (const registration of page!.registrations) {
        expect(registration.ns).toBe('crowd')
        seen.add((await openPeerRecord(registration.signedPeerRecord!))!.peerId.toString())
      }
      cookie = page?.cookie
      if (page!.registrations.length === 0) break
    }
    expect(sizes).toEqual([MAX_DISCOVER_LIMIT, MAX_DISCOVER_LIMIT, 500, 0])
    expect(seen.size).toBe(2500)
    // A newcomer shows up alone on the next poll with the last cookie.
    await service.handle(bob.id, register(bob, 'crowd'))
    const next = (await service.handle(alice.id, discover('crowd', 10n, cookie)))?.discoverResponse
    expect(next?.registrations).toHaveLength(1)
    // A limit above 1 000 is capped; an empty namespace lists every namespace.
    expect((await service.handle(bob.id, discover('', 5000n)))?.discoverResponse?.registrations).toHaveLength(
      1000,
    )
  }, 60_000)

  it('rejects a malformed cookie or one from another namespace, and restarts on another epoch', async () => {
    const store = new MemoryRegistrationStore()
    const service = new RendezvousService({ store })
    await service.handle(alice.id, register(alice, 'ns'))
    const first = (await service.handle(bob.id, discover('ns')))?.discoverResponse
    expect(status(await service.handle(bob.id, discover('ns', 0n, new Uint8Array([1, 2, 3]))))).toBe(
      'E_INVALID_COOKIE',
    )
    expect(status(await service.handle(bob.id, discover('other', 0n, first?.cookie)))).toBe(
      'E_INVALID_COOKIE',
    )
    const restarted = new RendezvousService({ store: new MemoryRegistrationStore() })
    await restarted.handle(alice.id, register(alice, 'ns'))
    const again = (await restarted.handle(bob.id, discover('ns', 0n, first?.cookie)))?.discoverResponse
    expect(again?.registrations).toHaveLength(1)
  })

  it('forgets registrations at their TTL and on UNREGISTER, only for the unregistering peer', async () => {
    const clock = new ManualClock(NOW)
    const service = new RendezvousService({ clock })
    await service.handle(alice.id, register(alice, 'ns', 7200n))
    await service.handle(bob.id, register(bob, 'ns', 10_000n))
    await service.handle(bob.id, { type: 'UNREGISTER', ns: 'never-registered' }) // a no-op
    await service.handle(alice.id, { type: 'UNREGISTER', ns: 'ns' }) // removes Alice's only
    let left = (await service.handle(bob.id, discover('ns')))?.discoverResponse?.registrations ?? []
    expect(left).toHaveLength(1)
    await service.handle(alice.id, register(alice, 'ns', 7200n))
    clock.set(NOW + 7_200_000)
    left = (await service.handle(bob.id, discover('ns')))?.discoverResponse?.registrations ?? []
    expect(left).toHaveLength(1)
    expect(left[0]?.ttl).toBe(2800n)
    clock.set(NOW + 10_000_000)
    expect((await service.handle(bob.id, discover('ns')))?.discoverResponse?.registrations).toHaveLength(0)
    expect(await service.store.prune(clock.now())).toBe(2)
  })

  it('answers E_INTERNAL_ERROR when the store fails, and keeps other registrations', async () => {
    const store = new MemoryRegistrationStore()
    const service = new RendezvousService({ store })
    await service.handle(bob.id, register(bob, 'ns'))
    const failing = Object.assign(Object.create(store) as MemoryRegistrationStore, {
      put: () => Promise.reject(new Error('disk full')),
      list: () => Promise.reject(new Error('disk gone')),
    })
    const broken = new RendezvousService({ store: failing })
    expect(status(await broken.handle(alice.id, register(alice, 'ns')))).toBe('E_INTERNAL_ERROR')
    expect(status(await broken.handle(alice.id, discover('ns')))).toBe('E_INTERNAL_ERROR')
    expect((await service.handle(alice.id, discover('ns')))?.discoverResponse?.registrations).toHaveLength(1)
  })

  it('validates its configuration', () => {
    expect(() => new RendezvousService({ maxTtl: 72 * 3600 + 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new RendezvousService({ minTtl: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => new RendezvousService({ maxDiscoverLimit: 1001 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
