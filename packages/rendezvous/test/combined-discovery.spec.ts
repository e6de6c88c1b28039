import { randomBytes, utf8ToBytes } from '@wesh/crypto'
import { describe, expect, it } from 'vitest'
import { collectPeers, runDiscoveryCompliance } from '../src/compliance.js'
import {
  CombinedDiscovery,
  lookupTopic,
  mergePeerSources,
  pointsToAnnounce,
  type DiscoveredPeer,
  type Discovery,
} from '../src/index.js'
import { MemoryNetwork, memoryPeer, node } from './helpers/memory-discovery.js'

async function trio(build: (peer: DiscoveredPeer) => Discovery) {
  const [a, b, c] = await Promise.all([memoryPeer(1), memoryPeer(2), memoryPeer(3)])
  return { registrar: node(build(a), a), second: node(build(b), b), searcher: node(build(c), c) }
}

// The suite itself, checked against the in-memory double, and the combined discovery over two systems.
runDiscoveryCompliance({
  name: 'in-memory double',
  setup: () => {
    const network = new MemoryNetwork()
    return trio((peer) => network.view(peer))
  },
  teardown: () => Promise.resolve(),
})

runDiscoveryCompliance({
  name: 'CombinedDiscovery over two systems',
  setup: () => {
    const one = new MemoryNetwork('one')
    const two = new MemoryNetwork('two')
    return trio((peer) => new CombinedDiscovery([one.view(peer), two.view(peer)]))
  },
  teardown: () => Promise.resolve(),
})

describe('CombinedDiscovery', () => {
  it('finds a peer registered on only one of its systems, once even when both know it', async () => {
    const [a, b] = await Promise.all([memoryPeer(1), memoryPeer(2)])
    const one = new MemoryNetwork('one')
    const two = new MemoryNetwork('two')
    const point = randomBytes(32)
    await one.view(a).register(point)
    await two.view(a).register(point)
    await two.view(b).register(point)
    const searcher = new CombinedDiscovery([one.view(a), two.view(a)])
    const found = await collectPeers(searcher.lookup(point))
    expect(found.map((p) => p.id.toString()).sort()).toEqual([a.id.toString(), b.id.toString()].sort())
    expect(searcher.name).toBe('combined(one,two)')
  })

  it('succeeds when one system fails and fails with DISCOVERY_FAILED when all do', async () => {
    const a = await memoryPeer(1)
    const broken: Discovery = {
      name: 'broken',
      register: () => Promise.reject(new Error('down')),
      unregister: () => Promise.reject(new Error('down')),
      lookup: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('down')) }),
      }),
    }
    const point = randomBytes(32)
    const working = new CombinedDiscovery([broken, new MemoryNetwork().view(a)])
    expect(await working.register(point, { ttl: 60 })).toEqual({ ttl: 60 })
    expect((await collectPeers(working.lookup(point))).length).toBe(1)
    const dead = new CombinedDiscovery([broken, broken])
    await expect(dead.register(point)).rejects.toMatchObject({ code: 'DISCOVERY_FAILED' })
    await expect(dead.unregister(point)).rejects.toMatchObject({ code: 'DISCOVERY_FAILED' })
    await expect(collectPeers(dead.lookup(point))).rejects.toMatchObject({ code: 'DISCOVERY_FAILED' })
  })

  it('grants the shortest TTL of its systems', async () => {
    const a = await memoryPeer(1)
    const short: Discovery = { ...new MemoryNetwork().view(a), register: () => Promise.resolve({ ttl: 10 }) }
    const combined = new CombinedDiscovery([new MemoryNetwork().view(a), short])
    expect(await combined.register(randomBytes(32), { ttl: 100 })).toEqual({ ttl: 10 })
  })

  it('rejects an empty list of systems', () => {
    expect(() => new CombinedDiscovery([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('yields the first answer without waiting for a slow system, and stops it on break', async () => {
    const a = await memoryPeer(1)
    let stopped = false
    const slow = (signal: AbortSignal): AsyncIterable<DiscoveredPeer> => ({
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<DiscoveredPeer>> => {
          await new Promise<void>((resolve) =>
            signal.addEventListener('abort', () => resolve(), { once: true }),
          )
          stopped = true
          return { done: true, value: undefined }
        },
      }),
    })
    const fast = async function* (): AsyncIterable<DiscoveredPeer> {
      await Promise.resolve()
      yield a
    }
    for await (const peer of mergePeerSources([slow, fast])) {
      expect(peer.id.equals(a.id)).toBe(true)
      break
    }
    await Promise.resolve()
    expect(stopped).toBe(true)
  })
})

describe('lookupTopic', () => {
  it('finds a peer announced on the previous point in the first tenth of a period', async () => {
    const [a, searcher] = await Promise.all([memoryPeer(1), memoryPeer(2)])
    const network = new MemoryNetwork()
    const topic = utf8ToBytes('topic')
    const seed = utf8ToBytes('seed')
    const start = Date.parse('2026-11-25T00:00:00Z')
    // Registered yesterday, on yesterday's point only (before the last tenth).
    const [yesterday] = pointsToAnnounce(topic, seed, start - 86_400_000 + 1000)
    await network.view(a).register(yesterday!)
    const within = await collectPeers(
      lookupTopic(network.view(searcher), topic, seed, { atMs: start + 8_639_999 }),
    )
    expect(within.map((p) => p.id.toString())).toEqual([a.id.toString()])
    const after = await collectPeers(
      lookupTopic(network.view(searcher), topic, seed, { atMs: start + 8_640_000 }),
    )
    expect(after).toEqual([])
  })
})
