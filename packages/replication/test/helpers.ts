import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from '@wesh/crypto'
import { AccountKeys, contactGroup, createMultiMemberGroup, type Group } from '@wesh/groups'
import {
  GroupSession,
  LevelSecretStore,
  WeshAccount,
  createWeshNode,
  membershipOf,
  type GroupMessage,
  type WeshNode,
} from '@wesh/groups/node'
import { ClassicLevel } from 'classic-level'
import { ReplicationTokens, replicationGroupOf, type ReplicationGroup } from '../src/index.js'
import {
  createReplicationNode,
  replicationHttpApi,
  type ReplicationHttpStats,
  type ReplicationNode,
} from '../src/node/index.js'

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
  /** Run first by `stop()`, last added first: services and accounts that use the node. */
  readonly beforeStop: (() => Promise<void>)[]
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
  const beforeStop: (() => Promise<void>)[] = []
  let stopped = false
  const device: Device = {
    account,
    node,
    directory,
    storeKey,
    secrets,
    sessions,
    beforeStop,
    async stop() {
      if (stopped) return
      stopped = true
      for (const step of beforeStop.splice(0).reverse()) await step()
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

/** Opens `keys`' account on `device` (the account closes when the device stops). */
export async function openAccount(device: Device, keys: AccountKeys): Promise<WeshAccount> {
  return adoptAccount(device, await WeshAccount.open({ node: device.node, secrets: device.secrets, keys }))
}

/** Closes `account` (opened on `device`, e.g. by device linking) when the device stops. */
export function adoptAccount(device: Device, account: WeshAccount): WeshAccount {
  device.beforeStop.push(() => account.close())
  return account
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

/** A JSON API call's answer: the status and the parsed body, if any. */
export interface HttpAnswer {
  status: number
  json: Record<string, unknown> | undefined
}

/**
 * Serves `replica`'s HTTP JSON API on 127.0.0.1 (closed by {@link cleanupAll}); `call` sends one request with an
 * optional bearer token and body (a string is sent as is, anything else as JSON).
 */
export async function serveHttp(replica: ReplicationNode): Promise<{
  url: string
  call: (method: string, path: string, token?: string, body?: unknown) => Promise<HttpAnswer>
  stats: ReplicationHttpStats
  server: Server
}> {
  const api = replicationHttpApi(replica)
  const server = createServer((request, response) => {
    if (!api.handle(request, response)) api.notFound(request, response)
  })
  server.on('clientError', (error, socket) => {
    api.clientError(error, socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanup.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const call = async (method: string, path: string, token?: string, body?: unknown): Promise<HttpAnswer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
    const text = await response.text()
    return {
      status: response.status,
      json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
    }
  }
  return { url, call, stats: api.stats, server }
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

/** A new multi-member group, as a replica is given it. */
export const newGroup = (): ReplicationGroup => replicationGroupOf(createMultiMemberGroup().group)

/** The `code` `promise` rejects with; undefined if it resolves. */
export const codeOf = async (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: unknown) => (error as { code?: string }).code,
  )

export const text = (value: string): Uint8Array => new TextEncoder().encode(value)
export const texts = (messages: readonly { plaintext: Uint8Array }[]): string[] =>
  messages.map((message) => new TextDecoder().decode(message.plaintext))

/** Every file under `directory`. */
async function files(directory: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name)
    if (entry.isDirectory()) out.push(...(await files(path)))
    else out.push(path)
  }
  return out
}

/**
 * A scanner of everything stored under `directory` (a stopped node's): raw file bytes and, for each LevelDB (a
 * directory with a CURRENT file), every key and value decoded. `found(needle)` looks for bytes or text.
 */
export async function scanStorage(
  directory: string,
): Promise<{ found: (needle: Uint8Array | string) => boolean }> {
  const all = await files(directory)
  const blobs: Uint8Array[] = await Promise.all(all.map((path) => readFile(path)))
  for (const current of all.filter((path) => path.endsWith('/CURRENT'))) {
    const db = new ClassicLevel<Buffer, Buffer>(join(current, '..'), {
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    })
    await db.open()
    for await (const [key, value] of db.iterator()) blobs.push(key, value)
    await db.close()
  }
  return {
    found: (needle) => {
      const bytes = Buffer.from(needle)
      return blobs.some((blob) => Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).includes(bytes))
    },
  }
}

/** The forms a secret could be stored in: raw, hex, base64. */
export const storedForms = (bytes: Uint8Array): (Uint8Array | string)[] => [
  bytes,
  Buffer.from(bytes).toString('hex'),
  Buffer.from(bytes).toString('base64'),
]
