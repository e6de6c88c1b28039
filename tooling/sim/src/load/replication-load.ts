import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, contactGroup } from '@wesh/groups'
import {
  GroupSession,
  MemorySecretStore,
  createWeshNode,
  membershipOf,
  type WeshNode,
} from '@wesh/groups/node'
import { replicateGroup } from '@wesh/replication/node'
import { ServerProcess } from './server-process.js'
import type { ServerMemory } from './server-protocol.js'

export interface ReplicationLoadOptions {
  /** Member devices, each in `groupsPerMember` groups of its own (contact groups with as many contacts). */
  readonly members: number
  readonly groupsPerMember: number
  /** Messages (~1 KiB) each member writes in each of its groups. */
  readonly messages: number
  /** The built server entry (`dist/load/server-child.js`). */
  readonly serverScript: string
  /** Nodes started at once (starting a node is CPU-heavy); default 5. */
  readonly startConcurrency?: number
  /**
   * Member and contact devices in one DHT with each other (through the server, their one bootstrap). Default false:
   * each device runs a DHT of its own. All devices live in this one process on the machine the server runs on,
   * and in one DHT 50 members dialled each other until ~650 connections, whose pings, identify and gossip swamped
   * the process — load that 50 phones would carry on their own processors — while pings that took over 5 s made
   * libp2p's connection monitor cut connections, the server's among them (RESILIENCE.md, replication load).
   */
  readonly sharedDht?: boolean
  /** Each phase (add, sync, catch-up) is abandoned after this long, and reported as such; default 5 min. */
  readonly phaseTimeoutMs?: number
  readonly log?: (line: string) => void
}

export interface ReplicationLoadReport {
  readonly members: number
  readonly sharedDht: boolean
  readonly groups: number
  readonly messages: number
  /** Every member asks the server to replicate its groups at once (`/wesh/replication/1.0.0`, token). */
  readonly addMs: number
  readonly added: number
  /** Of the requests that failed at first, those that succeeded when asked again (one at a time). */
  readonly addedOnRetry: number
  /** Failed add requests (first attempts and retries) by error. */
  readonly addErrors: Readonly<Record<string, number>>
  readonly addP50Ms: number
  readonly addMaxMs: number
  /** Every member writes its messages at once; until the server holds them all (undefined: not within the phase). */
  readonly syncMs: number | undefined
  /** The members gone, a fresh device of each contact reads its groups from the server alone, all at once. */
  readonly catchUpMs: number
  readonly caughtUp: number
  readonly memory: {
    readonly empty: ServerMemory
    readonly added: ServerMemory
    readonly synced: ServerMemory
  }
  readonly counters: Record<string, unknown>
  readonly problems: readonly string[]
}

const LOOPBACK = { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, dht: 'lan', rendezvousServers: [] } as const

interface Device {
  readonly node: WeshNode
  readonly sessions: GroupSession[]
}

/**
 * The replication server's load test (issue 10): `members` member devices, each in `groupsPerMember` contact
 * groups, ask a replication server (a child process, with a token) to replicate their groups, all at once; then
 * all write `messages` messages in each group at once while the server syncs; then, the members gone, a fresh
 * device of each of their contacts catches up from the server alone, all at once. Bounded by `timeoutMs`.
 */
export async function runReplicationLoad(options: ReplicationLoadOptions): Promise<ReplicationLoadReport> {
  const { members, groupsPerMember, messages, startConcurrency = 5, log = () => undefined } = options
  const sharedDht = options.sharedDht ?? false
  const phaseTimeoutMs = options.phaseTimeoutMs ?? 300_000
  let deadline = AbortSignal.timeout(phaseTimeoutMs)
  const problems: string[] = []
  const root = await mkdtemp(join(tmpdir(), 'wesh-sim-replication-load-'))
  const token = toHex(randomBytes(16))
  const server = await ServerProcess.start(options.serverScript, {
    role: 'replication',
    directory: join(root, 'server'),
    token,
    maxGroups: members * groupsPerMember,
  })
  const devices: Device[] = []
  const stopDevice = async (device: Device) => {
    for (const session of device.sessions) await session.close()
    await device.node.stop()
  }
  /** Starts `count` devices, `startConcurrency` at a time; `open` opens the device's sessions. */
  const startDevices = async (
    label: string,
    open: (node: WeshNode, index: number) => Promise<GroupSession[]>,
  ) => {
    const started: Device[] = []
    for (let first = 0; first < members; first += startConcurrency) {
      const batch = Array.from({ length: Math.min(startConcurrency, members - first) }, (_, i) => first + i)
      await Promise.all(
        batch.map(async (index) => {
          const network = sharedDht
            ? LOOPBACK
            : { ...LOOPBACK, dhtProtocol: `/wesh-load/${label}-${index}/kad/1.0.0` }
          const node = await createWeshNode({ directory: join(root, `${label}-${index}`), network })
          const device: Device = { node, sessions: [] }
          devices.push(device)
          device.sessions.push(...(await open(node, index)))
          started[index] = device
        }),
      )
    }
    log(`${members} ${label} devices started`)
    return started
  }
  const accounts = Array.from({ length: members }, () => ({
    member: AccountKeys.create(),
    contacts: Array.from({ length: groupsPerMember }, () => AccountKeys.create()),
  }))
  const open = (node: WeshNode, account: AccountKeys, contact: AccountKeys) => {
    const { group } = contactGroup(account.accountSeed(), contact.accountId)
    // Our chain goes to the contact at once (PROTOCOL.md §5), so the contact reads us from the server alone.
    return GroupSession.open({
      node,
      secrets: new MemorySecretStore(),
      group,
      ...membershipOf(account, group),
      knownMembers: [contact.accountId],
    })
  }
  try {
    const empty = (await server.measure()).memory
    const memberDevices = await startDevices('member', (node, i) => {
      const { member, contacts } = accounts[i] as (typeof accounts)[number]
      return Promise.all(contacts.map((contact) => open(node, member, contact)))
    })

    const address = multiaddr(server.address)
    const addTimes: number[] = []
    let added = 0
    const failed: { device: Device; session: GroupSession }[] = []
    const add = async (device: Device, session: GroupSession, retry: boolean) => {
      const start = performance.now()
      try {
        await replicateGroup({
          session,
          libp2p: device.node.libp2p,
          replica: address,
          token,
          signal: deadline,
        })
        if (retry) addedOnRetry++
        else added++
      } catch (error) {
        const reason = isWeshError(error) ? `${error.code} ${JSON.stringify(error.data)}` : String(error)
        addErrors[reason] = (addErrors[reason] ?? 0) + 1
        if (retry) problems.push(`add, retried: ${reason}`)
        else failed.push({ device, session })
      }
      if (!retry) addTimes.push(performance.now() - start)
    }
    let addedOnRetry = 0
    const addErrors: Record<string, number> = {}
    const addStart = performance.now()
    await Promise.all(
      memberDevices.flatMap((device) => device.sessions.map((session) => add(device, session, false))),
    )
    const addMs = performance.now() - addStart
    // What a client does with a failed request: ask again, here once, one request at a time.
    for (const { device, session } of failed) await add(device, session, true)
    const afterAdd = (await server.measure()).memory
    log(`${added} groups added at once in ${(addMs / 1000).toFixed(1)} s, ${addedOnRetry} more on retry`)

    const body = randomBytes(1000)
    deadline = AbortSignal.timeout(phaseTimeoutMs)
    const syncStart = performance.now()
    await Promise.all(
      memberDevices.flatMap((device) =>
        device.sessions.map(async (session) => {
          for (let i = 0; i < messages; i++) await session.send(body)
        }),
      ),
    )
    const groupIds = memberDevices.flatMap((device) => device.sessions.map((s) => toHex(s.group.publicKey)))
    let syncMs: number | undefined
    try {
      await Promise.race([server.waitForEntries(groupIds, messages), aborted(deadline)])
      syncMs = performance.now() - syncStart
    } catch {
      const { counters } = await server.measure()
      problems.push(
        `sync: the server holds ${String(counters.messageEntries)} of ${groupIds.length * messages} messages after ${phaseTimeoutMs / 1000} s`,
      )
    }
    const synced = (await server.measure()).memory
    log(`sync: ${syncMs === undefined ? 'not done' : `${(syncMs / 1000).toFixed(1)} s`}`)

    for (const device of memberDevices) await stopDevice(device)
    devices.length = 0
    const readers = await startDevices('contact', (node, i) => {
      const { member, contacts } = accounts[i] as (typeof accounts)[number]
      return Promise.all(contacts.map((contact) => open(node, contact, member)))
    })
    deadline = AbortSignal.timeout(phaseTimeoutMs)
    const catchUpStart = performance.now()
    let caughtUp = 0
    await Promise.all(
      readers.map(async (device) => {
        await device.node.libp2p.dial(address, { signal: deadline })
        await Promise.all(
          device.sessions.map(async (session) => {
            try {
              await untilMessages(session, messages, deadline)
              caughtUp++
            } catch {
              problems.push(`a contact read ${(await session.messages()).length} of ${messages} messages`)
            }
          }),
        )
      }),
    )
    const catchUpMs = performance.now() - catchUpStart
    const { counters } = await server.measure()
    addTimes.sort((a, b) => a - b)
    return {
      members,
      sharedDht,
      groups: groupIds.length,
      messages: groupIds.length * messages,
      addMs,
      added,
      addedOnRetry,
      addErrors,
      addP50Ms: addTimes[Math.floor(addTimes.length / 2)] ?? 0,
      addMaxMs: addTimes.at(-1) ?? 0,
      syncMs,
      catchUpMs,
      caughtUp,
      memory: { empty, added: afterAdd, synced },
      counters,
      problems,
    }
  } finally {
    await Promise.allSettled(devices.map(stopDevice))
    await server.stop()
    await rm(root, { recursive: true, force: true })
  }
}

/** Resolves once `session` reads `count` messages, checking after each log update; rejects when `signal` aborts. */
async function untilMessages(session: GroupSession, count: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const next = session.nextUpdate()
    if ((await session.messages()).length >= count) return
    await Promise.race([next, aborted(signal)])
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => {
      reject(new Error('the load test ran out of time', { cause: signal.reason }))
    }
    if (signal.aborted) fail()
    else signal.addEventListener('abort', fail, { once: true })
  })
}
