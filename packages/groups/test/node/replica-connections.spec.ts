import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  REPLICA_REDIAL_FIRST_DELAY_MS,
  REPLICA_REDIAL_MAX_DELAY_MS,
  ReplicaConnections,
} from '../../src/node/replica-connections.js'

/** libp2p as the class sees it: dials that succeed or fail as told, and `peer:disconnect` sent by hand. */
function fakeLibp2p() {
  const events = new EventTarget()
  const dials: string[] = []
  let failing = false
  const libp2p = {
    dial: (address: Multiaddr) => {
      dials.push(address.toString())
      return failing ? Promise.reject(new Error('unreachable')) : Promise.resolve({})
    },
    addEventListener: events.addEventListener.bind(events),
    removeEventListener: events.removeEventListener.bind(events),
  } as unknown as Pick<Libp2p, 'dial' | 'addEventListener' | 'removeEventListener'>
  return {
    libp2p,
    dials,
    fail: (value: boolean) => (failing = value),
    // libp2p sends the peer's PeerId; the class reads its string form alone.
    disconnect: (peer: string) =>
      events.dispatchEvent(new CustomEvent('peer:disconnect', { detail: { toString: () => peer } })),
  }
}

const peer = '12D3KooWSKBWTm7Ndt6rhtivKfxdJrjSiS96MFmpC69Gs8sqpBiW'
const other = '12D3KooWEmtS58CQuNEX9PDbWZ6jGVB7UBpzVM4Hdej4hRReHrt9'

describe('ReplicaConnections', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('dials a recorded replica at once, and again after each drop, waiting longer while it keeps dropping', async () => {
    const server = `/ip4/127.0.0.1/tcp/4001/p2p/${peer}`
    const net = fakeLibp2p()
    const replicas = new ReplicaConnections(net.libp2p, () => undefined)
    replicas.add(server)
    replicas.add(server) // recorded twice (two events 403): one replica
    await vi.advanceTimersByTimeAsync(0)
    expect(net.dials).toEqual([server])
    let wait = REPLICA_REDIAL_FIRST_DELAY_MS
    for (let drop = 1; drop <= 3; drop++) {
      net.disconnect(peer)
      await vi.advanceTimersByTimeAsync(wait - 1)
      expect(net.dials).toHaveLength(drop)
      await vi.advanceTimersByTimeAsync(1)
      expect(net.dials).toHaveLength(drop + 1)
      wait *= 2
    }
    // A connection that lasted: the next drop is dialled again after the first wait.
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS)
    net.disconnect(peer)
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_FIRST_DELAY_MS)
    expect(net.dials).toHaveLength(5)
    replicas.close()
  })

  it('keeps dialling an unreachable replica with backoff up to the maximum, reporting each failure', async () => {
    const net = fakeLibp2p()
    net.fail(true)
    const errors: unknown[] = []
    const replicas = new ReplicaConnections(net.libp2p, (error) => errors.push(error))
    replicas.add(`/ip4/127.0.0.1/tcp/4001/p2p/${peer}`)
    await vi.advanceTimersByTimeAsync(0)
    expect(errors).toHaveLength(1)
    // 1 + 2 + 4 + 8 + 16 + 32 s, then every 60 s.
    await vi.advanceTimersByTimeAsync(63_000)
    expect(net.dials).toHaveLength(7)
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS - 1)
    expect(net.dials).toHaveLength(7)
    await vi.advanceTimersByTimeAsync(1)
    expect(net.dials).toHaveLength(8)
    expect(errors).toHaveLength(8)
    net.fail(false)
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS)
    expect(net.dials).toHaveLength(9)
    await vi.advanceTimersByTimeAsync(10 * REPLICA_REDIAL_MAX_DELAY_MS)
    expect(net.dials).toHaveLength(9) // connected: nothing more until it drops
    replicas.close()
  })

  it('stops dialling once closed, and ignores peers that are not replicas', async () => {
    const net = fakeLibp2p()
    const replicas = new ReplicaConnections(net.libp2p, () => undefined)
    replicas.add(`/ip4/127.0.0.1/tcp/4001/p2p/${peer}`)
    await vi.advanceTimersByTimeAsync(0)
    net.disconnect(other)
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS)
    expect(net.dials).toHaveLength(1)
    net.disconnect(peer)
    replicas.close()
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS)
    expect(net.dials).toHaveLength(1)
    replicas.add(`/ip4/127.0.0.1/tcp/4001/p2p/${other}`) // after close: not dialled
    expect(net.dials).toHaveLength(1)
  })

  it('reports an address that is not a multiaddr, and dials one without a peer ID once', async () => {
    const net = fakeLibp2p()
    const errors: unknown[] = []
    const replicas = new ReplicaConnections(net.libp2p, (error) => errors.push(error))
    replicas.add('not a multiaddr')
    expect(errors).toHaveLength(1)
    replicas.add('/ip4/127.0.0.1/tcp/4001')
    replicas.add('/ip4/127.0.0.1/tcp/4001') // the group's state read again: not dialled again
    await vi.advanceTimersByTimeAsync(REPLICA_REDIAL_MAX_DELAY_MS)
    expect(net.dials).toEqual(['/ip4/127.0.0.1/tcp/4001'])
    replicas.close()
  })
})
