import { join } from 'node:path'
import type { PeerDiscovery, Transport } from '@libp2p/interface'
import { ContactRequests, type DeviceLinking } from '@wesh/contacts'
import { bytesToUtf8, randomBytes, toHex } from '@wesh/crypto'
import {
  type GroupMessage,
  type GroupSession,
  LevelSecretStore,
  WeshAccount,
  type WeshNode,
  createWeshNode,
} from '@wesh/groups/node'
import { SimulatedRadio, ble, bleDiscovery } from '@wesh/transport-ble'
import type { Timeline } from './timeline.js'

/** One device: a Wesh node on 127.0.0.1 with its own data directory, its account, and its contact service. */
export interface Device {
  readonly name: string
  readonly node: WeshNode
  readonly secrets: LevelSecretStore
  readonly account: WeshAccount
  readonly contacts: ContactRequests
  linking?: DeviceLinking
}

/** Where the cast's nodes find each other: the two server processes and the Bluetooth air. */
export interface Stage {
  /** The rendezvous server's address: devices that use one register and discover there. */
  readonly rendezvous: string
  /** A DHT peer every node starts from, as IPFS nodes start from bootstrap peers (the replication server). */
  readonly bootstrap: string
}

export interface DeviceOptions {
  /** A Bluetooth radio besides TCP (the simulated one; the BlueZ driver implements the same interface). */
  readonly bluetooth?: boolean
  /** Without the rendezvous server: others find this device through the DHT (and nearby devices by local record). */
  readonly dhtOnly?: boolean
  /** Also WebSockets, and a circuit relay for peers that cannot listen: web pages (the `--browser` step). */
  readonly relay?: boolean
}

export const short = (bytes: Uint8Array): string => `${toHex(bytes).slice(0, 12)}…`
export const text = (message: { plaintext: Uint8Array }): string => bytesToUtf8(message.plaintext)

/**
 * The demo's devices. Each runs a real Wesh node (libp2p over TCP, Helia and OrbitDB on LevelDB) in a directory
 * of its own under `root`, so a device stopped and started again comes back from disk.
 */
export class Cast {
  readonly devices: Device[] = []
  /** The Bluetooth air. Each device starts in an island of its own: out of everyone's range. */
  readonly radio = new SimulatedRadio({ seed: 1 })
  readonly #offline = new Set<string>()
  readonly #storeKeys = new Map<string, Uint8Array>() // kept by each person, as a passphrase would be
  readonly #root: string
  readonly #stage: Stage
  readonly #timeline: Timeline

  constructor(root: string, stage: Stage, timeline: Timeline) {
    this.#root = root
    this.#stage = stage
    this.#timeline = timeline
  }

  /** A node on `name`'s directory, whose TCP can be cut (see `cutTcp`). */
  async node(name: string, options: DeviceOptions = {}): Promise<WeshNode> {
    const driver = options.bluetooth === true ? this.radio.createDevice(name, { island: name }) : undefined
    const isTcp = (address: { toString(): string }) => address.toString().includes('/tcp/')
    const cut = () => this.#offline.has(name)
    return createWeshNode({
      directory: join(this.#root, name),
      network: {
        listen: [
          '/ip4/127.0.0.1/tcp/0',
          ...(options.relay === true ? ['/ip4/127.0.0.1/tcp/0/ws'] : []),
          ...(driver ? [`/ble/${name}`] : []),
        ],
        relayServer: options.relay === true,
        bootstrap: [this.#stage.bootstrap],
        mdns: false,
        dht: 'lan',
        rendezvousServers: options.dhtOnly === true ? [] : [this.#stage.rendezvous],
        ...(driver
          ? {
              transports: [ble({ driver })] as ((components: never) => Transport)[],
              peerDiscovery: [bleDiscovery({ driver })] as ((components: never) => PeerDiscovery)[],
            }
          : {}),
      },
      libp2p: {
        // A phone with no internet: while cut, the node refuses TCP both ways (Bluetooth still works).
        connectionGater: {
          denyDialMultiaddr: (address) => Promise.resolve(cut() && isTcp(address)),
          denyInboundConnection: (connection) => Promise.resolve(cut() && isTcp(connection.remoteAddr)),
        },
      },
    })
  }

  /** Starts `name`'s device: a new account the first time, the stored one after a restart. */
  async start(name: string, options: DeviceOptions = {}): Promise<Device> {
    const storeKey = this.#storeKeys.get(name) ?? randomBytes(32)
    this.#storeKeys.set(name, storeKey)
    const node = await this.node(name, options)
    const secrets = await LevelSecretStore.open(join(this.#root, name, 'secrets'), new Uint8Array(storeKey))
    return this.enter(name, node, secrets, await WeshAccount.open({ node, secrets }))
  }

  /** Adds a device whose account is already open (a linked one), with its contact service. */
  async enter(
    name: string,
    node: WeshNode,
    secrets: LevelSecretStore,
    account: WeshAccount,
  ): Promise<Device> {
    const device: Device = {
      name,
      node,
      secrets,
      account,
      contacts: await ContactRequests.start({ account }),
    }
    this.devices.push(device)
    this.#timeline.say(
      name,
      `node …${node.libp2p.peerId.toString().slice(-8)}, account ${short(account.accountId)}`,
    )
    return device
  }

  async stop(device: Device): Promise<void> {
    this.devices.splice(this.devices.indexOf(device), 1)
    await device.linking?.stop()
    await device.contacts.stop()
    await device.account.close()
    await device.node.stop()
    await device.secrets.close()
    this.#timeline.say(device.name, 'node stopped')
  }

  /** The device loses the internet: its TCP connections close and it refuses new ones until `restoreTcp`. */
  async cutTcp(device: Device): Promise<void> {
    this.#offline.add(device.name)
    for (const connection of device.node.libp2p.getConnections()) {
      if (connection.remoteAddr.toString().includes('/tcp/')) await connection.close()
    }
  }

  restoreTcp(device: Device): void {
    this.#offline.delete(device.name)
  }

  async stopAll(): Promise<void> {
    for (const device of [...this.devices]) await this.stop(device)
  }
}

/** The session's messages once it reads at least `count`, waiting on its updates, never on a clock. */
export async function read(session: GroupSession, count: number): Promise<GroupMessage[]> {
  for (;;) {
    const next = session.nextUpdate()
    const messages = await session.messages()
    if (messages.length >= count) return messages
    await next
  }
}

/** Resolves once the session reads a message with this text. */
export async function waitForText(session: GroupSession, wanted: string): Promise<void> {
  for (;;) {
    const next = session.nextUpdate()
    if ((await session.messages()).some((message) => text(message) === wanted)) return
    await next
  }
}
