import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Transport } from '@libp2p/interface'
import { randomBytes } from '@wesh/crypto'
import type { AccountKeys } from '@wesh/groups'
import {
  LevelSecretStore,
  WeshAccount,
  createWeshNode,
  type GroupSession,
  type WeshNetworkOptions,
  type WeshNode,
} from '@wesh/groups/node'
import type { Discovery } from '@wesh/rendezvous'
import { ble, type SimulatedRadio } from '@wesh/transport-ble'
import { ContactRequests, type ContactRequestsInit } from '../../src/index.js'

/** Kademlia protocol of the test DHTs: a closed network, not the public one. */
export const TEST_DHT_PROTOCOL = '/wesh-contacts-test/kad/1.0.0'

const cleanup: (() => Promise<void>)[] = []

/** Stops everything the current test started, last first, and removes its directories. */
export async function cleanupAll(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step()
}

export function onCleanup(step: () => Promise<void>): void {
  cleanup.push(step)
}

export interface DeviceOptions {
  /** Rendezvous servers (multiaddrs with /p2p/) the device uses. */
  readonly servers?: readonly string[]
  /** A simulated BLE device: the node also listens on `/ble/<id>`, and uses local records. */
  readonly ble?: { readonly radio: SimulatedRadio; readonly id: string }
  /** Use the DHT as a discovery system. */
  readonly dht?: boolean
  readonly keys?: AccountKeys
  readonly directory?: string
  readonly storeKey?: Uint8Array
}

export interface Device {
  readonly node: WeshNode
  readonly secrets: LevelSecretStore
  readonly directory: string
  readonly storeKey: Uint8Array
  readonly discovery: Discovery[]
  account: WeshAccount | undefined
  contacts: ContactRequests | undefined
  open(keys?: AccountKeys): Promise<WeshAccount>
  startContacts(init?: Partial<ContactRequestsInit>): Promise<ContactRequests>
  stop(): Promise<void>
}

/** A device: a real Wesh node on 127.0.0.1 (and on the simulated radio if asked) with its secrets on disk. */
export async function startDevice(options: DeviceOptions = {}): Promise<Device> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'wesh-contacts-')))
  if (options.directory === undefined) onCleanup(() => rm(directory, { recursive: true, force: true }))
  const storeKey = options.storeKey ?? randomBytes(32)
  const network: WeshNetworkOptions = {
    listen: ['/ip4/127.0.0.1/tcp/0', ...(options.ble ? [`/ble/${options.ble.id}`] : [])],
    mdns: false,
    dht: 'lan',
    dhtProtocol: TEST_DHT_PROTOCOL,
    ...(options.servers ? { rendezvousServers: [...options.servers] } : {}),
    ...(options.ble
      ? {
          transports: [
            ble({
              driver:
                options.ble.radio.device(options.ble.id) ?? options.ble.radio.createDevice(options.ble.id),
            }),
          ] as ((components: never) => Transport)[],
        }
      : {}),
  }
  const node = await createWeshNode({
    directory,
    network,
    // Every test peer dials from 127.0.0.1: exempt it from libp2p's per-host inbound rate limit.
    libp2p: { connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] } },
  })
  const secrets = await LevelSecretStore.open(join(directory, 'secrets'), new Uint8Array(storeKey))
  // Each test names the systems it exercises, so that a look-up's answer comes from those alone.
  const { services } = node.libp2p
  const discovery: Discovery[] = [
    ...(options.ble ? [services.localRecords] : []),
    ...(options.dht ? [services.dhtDiscovery] : []),
    ...(services.rendezvousServers ? [services.rendezvousServers] : []),
  ]
  let stopped = false
  const device: Device = {
    node,
    secrets,
    directory,
    storeKey,
    discovery,
    account: undefined,
    contacts: undefined,
    async open(keys = options.keys) {
      device.account = await WeshAccount.open({
        node,
        secrets,
        ...(keys ? { keys } : {}),
        onRejected: (what, error) => {
          if (process.env.WESH_DEBUG) console.log('rejected', what, error)
        },
      })
      return device.account
    },
    async startContacts(init = {}) {
      if (device.account === undefined) await device.open()
      device.contacts = await ContactRequests.start({
        account: device.account!,
        discovery,
        retryInitialMs: 200,
        retryMaxMs: 2_000,
        announceRetryMs: 500,
        ...init,
      })
      return device.contacts
    },
    async stop() {
      if (stopped) return
      stopped = true
      await device.contacts?.stop()
      await device.account?.close()
      await node.stop()
      await secrets.close()
    },
  }
  onCleanup(() => device.stop())
  return device
}

export async function connect(a: Device, b: Device): Promise<void> {
  await a.node.libp2p.dial(b.node.libp2p.getMultiaddrs().find((ma) => ma.toString().includes('/tcp/'))!)
}

/** Resolves on the next `type` event of `target` whose detail passes `check`. */
export function nextEvent<T>(
  target: EventTarget,
  type: string,
  check: (detail: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (event: Event): void => {
      const detail = (event as CustomEvent<T>).detail
      if (!check(detail)) return
      target.removeEventListener(type, listener)
      resolve(detail)
    }
    target.addEventListener(type, listener)
  })
}

/** Resolves once `session` has read a message with this text. */
export async function untilRead(session: GroupSession, wanted: string): Promise<void> {
  const has = async () =>
    (await session.messages()).some((m) => new TextDecoder().decode(m.plaintext) === wanted)
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal })
  try {
    if (await has()) return
    for await (const message of stream) {
      if (new TextDecoder().decode(message.plaintext) === wanted) return
    }
  } finally {
    controller.abort()
  }
}

export interface ServerProcess {
  readonly address: string
  stop(): Promise<void>
}

/** Starts the `wesh-rendezvous` app as a process on 127.0.0.1 and resolves with its /p2p address. */
export async function startRendezvousServer(): Promise<ServerProcess> {
  const data = await mkdtemp(join(tmpdir(), 'wesh-contacts-rdv-'))
  const main = join(
    dirname(createRequire(import.meta.url).resolve('@wesh/rendezvous-server/package.json')),
    'dist',
    'main.js',
  )
  const child: ChildProcess = spawn(
    process.execPath,
    [main, '--listen', '/ip4/127.0.0.1/tcp/0', '--data', data],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await rm(data, { recursive: true, force: true })
  }
  onCleanup(stop)
  const listening = await new Promise<{ peerId: string; multiaddrs: string[] }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve(JSON.parse(line) as { peerId: string; multiaddrs: string[] }))
    child.once('exit', (code) => reject(new Error(`rendezvous server exited with ${code}: ${stderr}`)))
  })
  const address = listening.multiaddrs.find((ma) => ma.includes('/tcp/'))!
  return { address: address.includes('/p2p/') ? address : `${address}/p2p/${listening.peerId}`, stop }
}
