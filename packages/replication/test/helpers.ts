import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from '@wesh/crypto'
import { AccountKeys, contactGroup, type Group } from '@wesh/groups'
import {
  GroupSession,
  LevelSecretStore,
  createWeshNode,
  membershipOf,
  type GroupMessage,
  type WeshNode,
} from '@wesh/groups/node'
import { ReplicationTokens } from '../src/index.js'
import { createReplicationNode, type ReplicationNode } from '../src/node/index.js'

const cleanup: (() => Promise<void>)[] = []

/** Stops every node and removes every directory made by the current test, newest first. */
export async function cleanupAll(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step()
}

export async function tempDirectory(prefix: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix))
  cleanup.push(() => rm(directory, { recursive: true, force: true }))
  return directory
}

const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan' } as const

/** One device of one account: a real node on 127.0.0.1 with its secrets on disk. */
export interface Device {
  readonly account: AccountKeys
  readonly node: WeshNode
  readonly directory: string
  /** The secret store's key: restart on `directory` with it. */
  readonly storeKey: Uint8Array
  readonly secrets: LevelSecretStore
  readonly sessions: GroupSession[]
  stop(): Promise<void>
}

/** Starts a device in a new temporary directory, or again on `restart`'s directory and store key. */
export async function startDevice(
  account = AccountKeys.create(),
  restart?: Pick<Device, 'directory' | 'storeKey'>,
): Promise<Device> {
  const directory = restart?.directory ?? (await tempDirectory('wesh-repl-device-'))
  const storeKey = restart?.storeKey ?? randomBytes(32)
  const node = await createWeshNode({ directory, network: LOOPBACK })
  const secrets = await LevelSecretStore.open(join(directory, 'secrets'), new Uint8Array(storeKey))
  const sessions: GroupSession[] = []
  let stopped = false
  const device: Device = {
    account,
    node,
    directory,
    storeKey,
    secrets,
    sessions,
    async stop() {
      if (stopped) return
      stopped = true
      for (const session of sessions) await session.close()
      await node.stop()
      await secrets.close()
    },
  }
  cleanup.push(() => device.stop())
  return device
}

/** Opens `group` on `device` as its account's member. */
export async function openGroup(
  device: Device,
  group: Group,
  options: { knownMembers?: Uint8Array[]; groupSeed?: Uint8Array } = {},
): Promise<GroupSession> {
  const session = await GroupSession.open({
    node: device.node,
    secrets: device.secrets,
    group,
    ...membershipOf(device.account, group),
    ...(options.knownMembers === undefined ? {} : { knownMembers: options.knownMembers }),
    ...(options.groupSeed === undefined ? {} : { groupSeed: options.groupSeed }),
  })
  device.sessions.push(session)
  return session
}

/** The contact group of `device` and `peer`, opened on `device` with the chain sent to the peer at once. */
export function openContactGroup(device: Device, peer: AccountKeys): Promise<GroupSession> {
  return openGroup(device, contactGroup(device.account.accountSeed(), peer.accountId).group, {
    knownMembers: [peer.accountId],
  })
}

/** A tokens file with one token per name: each token is `token-of-<name>-padding`. */
export function tokensFor(
  grants: { name: string; maxGroups?: number; maxBytes?: number }[],
): ReplicationTokens {
  return ReplicationTokens.fromJSON({
    v: 1,
    tokens: grants.map((grant) => ({ ...grant, token: tokenOf(grant.name) })),
  })
}

export function tokenOf(name: string): string {
  return `token-of-${name}-0123456789`
}

/** A replication node on 127.0.0.1 in a temporary directory (or `directory`, kept). */
export async function startReplica(
  options: { tokens?: ReplicationTokens; directory?: string } = {},
): Promise<ReplicationNode> {
  const directory = options.directory ?? (await tempDirectory('wesh-replica-'))
  const replica = await createReplicationNode({
    directory,
    network: LOOPBACK,
    ...(options.tokens === undefined ? {} : { tokens: options.tokens }),
  })
  cleanup.push(() => replica.stop())
  return replica
}

export async function connect(
  a: { libp2p: WeshNode['libp2p'] },
  b: { libp2p: WeshNode['libp2p'] },
): Promise<void> {
  await a.libp2p.dial(b.libp2p.getMultiaddrs()[0]!)
}

/** Resolves once `session` has read `count` messages. */
export async function untilCount(session: GroupSession, count: number): Promise<GroupMessage[]> {
  const controller = new AbortController()
  const stream = session.subscribe({ signal: controller.signal }) // subscribed before the first look: no gap
  try {
    let found = await session.messages()
    if (found.length >= count) return found
    const updates = stream[Symbol.asyncIterator]()
    while ((await updates.next()).done !== true) {
      found = await session.messages()
      if (found.length >= count) return found
    }
    return found
  } finally {
    controller.abort()
  }
}

export const text = (value: string): Uint8Array => new TextEncoder().encode(value)
export const texts = (messages: readonly { plaintext: Uint8Array }[]): string[] =>
  messages.map((message) => new TextDecoder().decode(message.plaintext))
