import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Connection, Libp2pEvents, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import { multiaddr, registry, V, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { LocalRecords, type Clock, type LocalRecordsInit } from '../../src/index.js'

/**
 * The `/ble/<device id>` multiaddr protocol as `@wesh/transport-ble` registers it (private-use code 0x300b1e),
 * so that tests can build the addresses its connections carry without depending on that package.
 */
export function registerBleProtocol(): void {
  try {
    registry.getProtocol('ble')
  } catch {
    const encoder = new TextEncoder()
    const decoder = new TextDecoder()
    registry.addProtocol({
      code: 0x30_0b1e,
      name: 'ble',
      size: V,
      valueToBytes: (value) => encoder.encode(value),
      bytesToValue: (bytes) => decoder.decode(bytes),
    })
  }
}

type Handler = (stream: Stream, connection: Connection) => void | Promise<void>

/** A LocalRecords on fake libp2p components, linked to others by in-memory streams (no sockets). */
export class LinkedNode {
  readonly handlers = new Map<string, Handler>()
  readonly connections: Connection[] = []
  readonly events = new TypedEventEmitter<Libp2pEvents>()
  readonly records: LocalRecords

  constructor(
    readonly peerId: PeerId,
    readonly index: number,
    init: LocalRecordsInit,
  ) {
    this.records = new LocalRecords(
      {
        registrar: {
          handle: (protocol, handler) => {
            this.handlers.set(protocol, handler)
            return Promise.resolve()
          },
          unhandle: (protocol) => {
            this.handlers.delete(protocol)
            return Promise.resolve()
          },
        },
        connectionManager: { getConnections: () => [...this.connections] },
        events: this.events,
      },
      init,
    )
  }

  /** This node's address on the given kind of link. */
  address(direct: boolean): Multiaddr {
    return multiaddr(direct ? `/ble/device-${this.index}` : `/ip4/127.0.0.1/tcp/${4000 + this.index}`)
  }

  /** Opens a stream to this node's handler of `protocol` as if `from` had dialled it over `connection`. */
  async accept(protocol: string, connection: Connection): Promise<Stream> {
    const handler = this.handlers.get(protocol)
    if (handler === undefined) throw new Error(`protocol ${protocol} not supported`)
    const [outbound, inbound] = await streamPair()
    void handler(inbound, connection)
    return outbound
  }
}

let nextIndex = 1

export async function linkedNode(init: LocalRecordsInit & { clock?: Clock } = {}): Promise<LinkedNode> {
  registerBleProtocol()
  const node = new LinkedNode(peerIdFromPrivateKey(await generateKeyPair('Ed25519')), nextIndex++, init)
  await node.records.start()
  return node
}

function fakeConnection(
  self: LinkedNode,
  remote: LinkedNode,
  direction: 'inbound' | 'outbound',
  direct: boolean,
): Connection {
  const connection = {
    remotePeer: remote.peerId,
    remoteAddr: remote.address(direct),
    direction,
    status: 'open',
    direct: true,
    newStream: (protocol: string) => remote.accept(protocol, view()),
  }
  // The remote's view of the same link, created lazily (it needs this object to exist).
  let reverse: Connection | undefined
  const view = (): Connection =>
    (reverse ??= remote.connections.find((c) => c.remotePeer.equals(self.peerId))!)
  return connection as unknown as Connection
}

/**
 * Connects `dialler` to `listener` over a link whose addresses are `/ble/…` (`direct`) or TCP, and fires
 * `connection:open` on both, as libp2p does after an upgrade.
 */
export function link(dialler: LinkedNode, listener: LinkedNode, direct: boolean): void {
  const outbound = fakeConnection(dialler, listener, 'outbound', direct)
  const inbound = fakeConnection(listener, dialler, 'inbound', direct)
  dialler.connections.push(outbound)
  listener.connections.push(inbound)
  listener.events.safeDispatchEvent('connection:open', { detail: inbound })
  dialler.events.safeDispatchEvent('connection:open', { detail: outbound })
}

/** Resolves on the next `peer:records` event of `node` from `from`. */
export function nextRecords(node: LocalRecords, from: PeerId): Promise<number> {
  return new Promise((resolve) => {
    const listener = (event: CustomEvent<{ peerId: PeerId; records: number }>): void => {
      if (!event.detail.peerId.equals(from)) return
      node.removeEventListener('peer:records', listener)
      resolve(event.detail.records)
    }
    node.addEventListener('peer:records', listener)
  })
}
