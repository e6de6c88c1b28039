import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from '@wesh/crypto'
import { AccountKeys, contactGroup, type Group } from '../../src/index.js'
import {
  GroupSession,
  LevelSecretStore,
  WeshAccount,
  createWeshNode,
  membershipOf,
  type GroupMessage,
  type WeshNetworkOptions,
  type WeshNode,
} from '../../src/node/index.js'

/** One device of one account: a real node on 127.0.0.1 with its secrets on disk. */
export interface Device {
  readonly account: AccountKeys
  readonly node: WeshNode
  readonly secrets: LevelSecretStore
  readonly directory: string
  readonly sessions: GroupSession[]
  readonly accounts: WeshAccount[]
  /** Peer IDs this device refuses to connect to, in either direction: a network partition. */
  readonly blocked: Set<string>
  stop(): Promise<void>
}

const cleanup: (() => Promise<void>)[] = []

/** Stops every device and removes every directory made by the current test. */
export async function cleanupDevices(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step()
}

export async function startDevice(
  account = AccountKeys.create(),
  directory?: string,
  storeKey = randomBytes(32),
  network: Omit<WeshNetworkOptions, 'listen' | 'mdns' | 'dht'> = {},
): Promise<Device> {
  const dir = directory ?? (await mkdtemp(join(tmpdir(), 'wesh-device-')))
  if (directory === undefined) cleanup.push(() => rm(dir, { recursive: true, force: true }))
  const blocked = new Set<string>()
  const refused = (peer: { toString(): string }) => Promise.resolve(blocked.has(peer.toString()))
  const node = await createWeshNode({
    directory: dir,
    network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan', ...network },
    libp2p: {
      connectionGater: {
        denyDialPeer: refused,
        denyInboundEncryptedConnection: refused,
        denyOutboundEncryptedConnection: refused,
      },
    },
  })
  const secrets = await LevelSecretStore.open(join(dir, 'secrets'), storeKey)
  const sessions: GroupSession[] = []
  const accounts: WeshAccount[] = []
  let stopped = false
  const device: Device = {
    account,
    node,
    secrets,
    directory: dir,
    sessions,
    accounts,
    blocked,
    async stop() {
      if (stopped) return
      stopped = true
      for (const account of accounts) await account.close()
      for (const session of sessions) await session.close()
      await node.stop()
      await secrets.close()
    },
  }
  cleanup.push(() => device.stop())
  return device
}

/** Opens `group` on `device` as its account's member (device key: the account's in account/contact groups). */
export async function openGroup(
  device: Device,
  group: Group,
  options: {
    deviceSeed?: Uint8Array
    groupSeed?: Uint8Array
    knownMembers?: Uint8Array[]
    messageHistoryPage?: number
    onRejected?: (what: string, error: unknown) => void
  } = {},
): Promise<GroupSession> {
  const session = await GroupSession.open({
    node: device.node,
    secrets: device.secrets,
    group,
    ...membershipOf(device.account, group),
    ...(options.deviceSeed ? { deviceSeed: options.deviceSeed } : {}),
    ...(options.groupSeed ? { groupSeed: options.groupSeed } : {}),
    ...(options.knownMembers ? { knownMembers: options.knownMembers } : {}),
    ...(options.messageHistoryPage ? { messageHistoryPage: options.messageHistoryPage } : {}),
    onRejected: (what, error) => {
      if (process.env.WESH_DEBUG) console.log('rejected', what, error)
      options.onRejected?.(what, error)
    },
  })
  device.sessions.push(session)
  return session
}

/** Opens the device's account (its keys kept in the device's secret store) with every group it is in. */
export async function openAccount(device: Device): Promise<WeshAccount> {
  const account = await WeshAccount.open({
    node: device.node,
    secrets: device.secrets,
    keys: device.account,
    onRejected: (what, error) => {
      if (process.env.WESH_DEBUG) console.log('rejected', what, error)
    },
  })
  device.accounts.push(account)
  return account
}

export function contactGroupOf(device: Device, peer: Device): Group {
  return contactGroup(device.account.accountSeed(), peer.account.accountId).group
}

/** Opens the contact group of `device` with `peer`, sending our chain to the peer at once. */
export function openContactGroup(
  device: Device,
  peer: Device,
  options: { messageHistoryPage?: number } = {},
): Promise<GroupSession> {
  return openGroup(device, contactGroupOf(device, peer), {
    ...options,
    knownMembers: [peer.account.accountId],
  })
}

/** Cuts `a` and `b` apart until {@link heal}: each refuses the other, and their connection is closed. */
export async function partition(a: Device, b: Device): Promise<void> {
  a.blocked.add(b.node.libp2p.peerId.toString())
  b.blocked.add(a.node.libp2p.peerId.toString())
  await a.node.libp2p.hangUp(b.node.libp2p.peerId)
  await b.node.libp2p.hangUp(a.node.libp2p.peerId)
}

export async function heal(a: Device, b: Device): Promise<void> {
  a.blocked.delete(b.node.libp2p.peerId.toString())
  b.blocked.delete(a.node.libp2p.peerId.toString())
  await connect(a, b)
}

export async function connect(a: Device, b: Device): Promise<void> {
  await a.node.libp2p.dial(b.node.libp2p.getMultiaddrs()[0]!)
}

/** Resolves once `session` has read messages with all these texts. */
export async function untilRead(session: GroupSession, texts: readonly string[]): Promise<GroupMessage[]> {
  const wanted = new Set(texts)
  const have = async () =>
    (await session.messages()).filter((m) => wanted.has(new TextDecoder().decode(m.plaintext)))
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal }) // subscribed before the first look: no gap
  try {
    let found = await have()
    if (found.length >= wanted.size) return found
    for await (const message of stream) {
      if (!wanted.has(new TextDecoder().decode(message.plaintext))) continue
      found = await have()
      if (found.length >= wanted.size) return found
    }
    return found
  } finally {
    controller.abort()
  }
}
