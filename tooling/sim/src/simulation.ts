import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isWeshError, toHex, utf8ToBytes } from '@wesh/crypto'
import { createMultiMemberGroup, encodeInvitation, parseInvitation, type Group } from '@wesh/groups'
import type { GroupSession } from '@wesh/groups/node'
import { viewOf, waitForConvergence } from './convergence.js'
import { groupStateDigest } from './group-state-digest.js'
import { describeLinks } from './link-report.js'
import { SeededRandom } from './random.js'
import { describeStep, type SimStep } from './schedule.js'
import { SimDevice } from './sim-device.js'
import { SimNetwork } from './sim-network.js'

export interface SimulationOptions {
  /** Number of devices (nodes), each a member of one group. */
  readonly devices: number
  /** Members per group: devices 0 … G − 1 form the first group, and so on (the last may be smaller). Default: all. */
  readonly groupSize?: number
  readonly schedule: readonly SimStep[]
  /** Seeds the runtime choices (who sends, who votes what) and the radio; print it to repeat a run. */
  readonly seed: number
  /** TCP connections each device opens to members of its groups within its island; default 3. */
  readonly degree?: number
  /** How long replicas may take to agree after healing before the run is declared not converged; default 10 min. */
  readonly convergeTimeoutMs?: number
  /** How long the join flow (every member holding every member's chain) may take; default 10 min. */
  readonly setupTimeoutMs?: number
  /** Where device directories go (removed at the end); a temp directory by default. */
  readonly directory?: string
  /** Progress lines (the CLI writes them to stderr). */
  readonly log?: (line: string) => void
}

export interface SimulationReport {
  readonly devices: number
  readonly groupSize: number
  readonly groups: number
  readonly seed: number
  /** Start of every node and the join flow, until every member holds every member's chain key. */
  readonly setupMs: number
  /** When the join flow did not finish in time: how far it went ("k of n chain keys"). */
  readonly joinProgress?: string
  /** Messages whose `send` resolved. */
  readonly messagesSent: number
  /** Of those, per second of the load steps' wall time. */
  readonly sendRate: number
  /** From the heal step to every group's replicas agreeing; undefined when they did not within the timeout. */
  readonly convergeMs: number | undefined
  /** Growth of the process's RSS and V8 heap (after a GC when exposed) since before the first node, per device. */
  readonly rssPerDeviceMiB: number
  readonly heapPerDeviceMiB: number
  /** Sum over members of sent messages a member does not read after healing. 0 is the only good answer. */
  readonly lost: number
  /** Every failed check, in words. Empty on a good run. */
  readonly problems: readonly string[]
  /** What sessions refused or reported along the way, by `what:code`. */
  readonly rejections: Readonly<Record<string, number>>
}

interface SimGroup {
  readonly group: Group
  readonly members: readonly SimDevice[]
  /** IDs of messages whose send resolved. */
  readonly sent: Set<string>
  readonly polls: Uint8Array[]
}

const MIB = 1024 * 1024
const gc = (globalThis as { gc?: () => void }).gc

/**
 * Runs `options.devices` real Wesh nodes in this process through `options.schedule`, heals the network, and
 * checks that every group converged: every message sent is read by every member, every replica has both logs in
 * the same order, and every replica folds the same metadata (members, devices, polls and votes).
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const { devices: count, seed, degree = 3, log = () => undefined } = options
  const groupSize = Math.min(options.groupSize ?? count, count)
  const root = options.directory ?? (await mkdtemp(join(tmpdir(), 'wesh-sim-')))
  const started = performance.now()
  const say = (line: string) => {
    log(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`)
  }
  const random = new SeededRandom(seed)
  const network = new SimNetwork(seed)
  const problems: string[] = []
  const rejections: Record<string, number> = {}
  const onRejected = (device: string, what: string, error: unknown) => {
    const code = isWeshError(error) ? error.code : error instanceof Error ? error.name : 'unknown'
    const key = `${what}:${code}`
    rejections[key] = (rejections[key] ?? 0) + 1
    if (process.env.SIM_VERBOSE) say(`${device} ${what}: ${String(error)}`)
  }
  gc?.()
  const baseline = process.memoryUsage()
  const devices = Array.from(
    { length: count },
    (_, i) =>
      new SimDevice({
        name: `d${String(i).padStart(2, '0')}`,
        directory: join(root, `d${i}`),
        network,
        onRejected,
      }),
  )
  const groups: SimGroup[] = []
  const running = () => devices.filter((device) => device.running)

  /** Each running device dials members of its groups in its TCP island until it has `degree` of them. */
  const connect = async () => {
    const dials: Promise<unknown>[] = []
    for (const device of running()) {
      const connected = new Set(device.node.libp2p.getConnections().map((c) => c.remotePeer.toString()))
      const peers = new Set(
        groups
          .filter((g) => g.members.includes(device))
          .flatMap((g) => g.members)
          .filter(
            (other) => other !== device && other.running && network.tcpReachable(device.name, other.name),
          ),
      )
      const isConnected = (other: SimDevice) => connected.has(other.node.libp2p.peerId.toString())
      const have = [...peers].filter(isConnected).length
      const candidates = [...peers].filter((other) => !isConnected(other))
      for (const other of random.sample(candidates, Math.max(0, degree - have))) {
        const addresses = other.node.libp2p.getMultiaddrs().filter((a) => a.toString().includes('/tcp/'))
        dials.push(
          device.node.libp2p.dial(addresses).catch((error: unknown) => {
            onRejected(device.name, 'dial', error)
          }),
        )
      }
    }
    await Promise.all(dials)
  }

  let messagesSent = 0
  let loadMs = 0
  let convergeMs: number | undefined
  let setupMs = 0
  let joinProgress: string | undefined
  const report = (memory: NodeJS.MemoryUsage, lost: number): SimulationReport => ({
    devices: count,
    groupSize,
    groups: groups.length,
    seed,
    setupMs,
    ...(joinProgress === undefined ? {} : { joinProgress }),
    messagesSent,
    sendRate: loadMs > 0 ? messagesSent / (loadMs / 1000) : 0,
    convergeMs,
    rssPerDeviceMiB: (memory.rss - baseline.rss) / count / MIB,
    heapPerDeviceMiB: (memory.heapUsed - baseline.heapUsed) / count / MIB,
    lost,
    problems,
    rejections,
  })
  try {
    say(`starting ${count} devices, groups of ${groupSize}, seed ${seed}`)
    for (let i = 0; i < count; i += 4) await Promise.all(devices.slice(i, i + 4).map((d) => d.start()))
    for (let first = 0; first < count; first += groupSize) {
      const members = devices.slice(first, first + groupSize)
      const { group, groupSeed } = createMultiMemberGroup()
      const invitation = encodeInvitation(group)
      const [creator, ...others] = members as [SimDevice, ...SimDevice[]]
      await creator.join(group, groupSeed)
      for (const member of others) await member.join(parseInvitation(invitation))
      groups.push({ group, members, sent: new Set(), polls: [] })
    }
    await connect()
    say(`${groups.length} group(s) open; waiting for every member to hold every chain key`)
    const setupSignal = AbortSignal.timeout(options.setupTimeoutMs ?? 600_000)
    const joins = await Promise.allSettled(
      groups.flatMap(({ group, members }) =>
        members.map((member) =>
          member
            .session(group)
            .waitFor((session) => session.state.chainKeys.size >= members.length, { signal: setupSignal }),
        ),
      ),
    )
    setupMs = performance.now() - started
    if (joins.some((join) => join.status === 'rejected')) {
      // Measured as far as it went: how many of the chain keys every member needs had arrived.
      const held = groups.flatMap(({ group, members }) =>
        members.map((m) => Math.min(m.session(group).state.chainKeys.size, members.length)),
      )
      const needed = groups.reduce((sum, g) => sum + g.members.length ** 2, 0)
      const total = held.reduce((sum, n) => sum + n, 0)
      joinProgress = `${total} of ${needed} chain keys`
      problems.push(`join flow not done after ${(setupMs / 1000).toFixed(0)} s: ${joinProgress} held`)
      say(problems.at(-1) ?? '')
      gc?.()
      return report(process.memoryUsage(), 0)
    }
    say(`join flow done in ${(setupMs / 1000).toFixed(1)} s`)

    const schedule = options.schedule.at(-1)?.kind === 'heal' ? options.schedule : [...options.schedule, heal]
    for (const [index, step] of schedule.entries()) {
      say(`step ${index + 1}/${schedule.length}: ${describeStep(step)}`)
      const stepStart = performance.now()
      switch (step.kind) {
        case 'partition': {
          const islands = new Map<string, string | null>(devices.map((d) => [d.name, null]))
          step.islands.forEach((island, i) => {
            for (const d of island) islands.set(deviceAt(devices, d).name, `tcp-${i}`)
          })
          await network.applyTcpIslands(islands, running())
          await connect()
          break
        }
        case 'bluetooth': {
          const islands = new Map<string, string | null>(devices.map((d) => [d.name, null]))
          step.islands.forEach((island, i) => {
            for (const d of island) islands.set(deviceAt(devices, d).name, `ble-${i}`)
          })
          for (const [name, island] of islands) network.moveRadio(name, island)
          break
        }
        case 'stop':
          await Promise.all(step.devices.map((d) => deviceAt(devices, d).stop()))
          break
        case 'restart':
          for (const d of step.devices) await deviceAt(devices, d).start()
          await connect()
          break
        case 'load': {
          const senders = new Map<GroupSession, { texts: string[]; sent: Set<string> }>()
          const candidates = groups.flatMap((g) =>
            g.members.filter((m) => m.running).map((m) => ({ session: m.session(g.group), sent: g.sent })),
          )
          if (candidates.length === 0) break
          for (let i = 0; i < step.messages; i++) {
            const { session, sent } = random.pick(candidates)
            const batch = senders.get(session) ?? { texts: [], sent }
            batch.texts.push(`step ${index} message ${i}`)
            senders.set(session, batch)
          }
          await Promise.all(
            [...senders].map(async ([session, { texts, sent }]) => {
              for (const text of texts) {
                try {
                  sent.add(await session.send(utf8ToBytes(text)))
                  messagesSent++
                } catch (error) {
                  problems.push(`step ${index + 1}: send failed: ${String(error)}`)
                }
              }
            }),
          )
          loadMs += performance.now() - stepStart
          break
        }
        case 'poll':
          for (const g of groups) {
            const author = g.members.filter((m) => m.running)
            if (author.length === 0) continue
            const session = random.pick(author).session(g.group)
            g.polls.push(await session.createPoll(`poll ${g.polls.length}`, ['yes', 'no', 'maybe']))
          }
          break
        case 'vote':
          await Promise.all(
            groups.flatMap((g) =>
              g.members
                .filter((m) => m.running)
                .map(async (m) => {
                  const session = m.session(g.group)
                  const known = [...session.state.polls.values()]
                  if (known.length === 0) return
                  const poll = random.pick(known)
                  await session.vote(poll.pollId, random.int(0, poll.options.length - 1))
                }),
            ),
          )
          break
        case 'settle': {
          const island = step.devices.map((d) => deviceAt(devices, d)).filter((d) => d.running)
          const signal = AbortSignal.timeout(options.convergeTimeoutMs ?? 600_000)
          const shared = groups
            .map((g) => g.members.filter((m) => island.includes(m)).map((m) => m.session(g.group)))
            .filter((sessions) => sessions.length >= 2)
          try {
            await Promise.all(shared.map((sessions) => waitForConvergence(sessions, new Set(), { signal })))
          } catch (error) {
            say(
              await describeLinks(
                island,
                groups.map((g) => g.group),
              ),
            )
            throw error
          }
          say(`settled in ${((performance.now() - stepStart) / 1000).toFixed(1)} s`)
          break
        }
        case 'heal': {
          const healStart = performance.now()
          for (const device of devices) if (!device.running) await device.start()
          await network.applyTcpIslands(new Map(devices.map((d) => [d.name, 'internet'])), running())
          for (const device of devices) network.moveRadio(device.name, null)
          await connect()
          say('healed; waiting for every group to converge')
          const signal = AbortSignal.timeout(options.convergeTimeoutMs ?? 600_000)
          const results = await Promise.allSettled(
            groups.map((g) =>
              waitForConvergence(
                g.members.map((m) => m.session(g.group)),
                g.sent,
                { signal, names: g.members.map((m) => m.name) },
              ),
            ),
          )
          for (const [i, result] of results.entries())
            if (result.status === 'rejected') problems.push(`group ${i}: ${String(result.reason)}`)
          if (problems.length > 0)
            say(
              await describeLinks(
                running(),
                groups.map((g) => g.group),
              ),
            )
          if (problems.length === 0) convergeMs = performance.now() - healStart
          say(
            convergeMs === undefined
              ? 'NOT converged'
              : `converged in ${(convergeMs / 1000).toFixed(1)} s after healing`,
          )
          break
        }
      }
    }

    gc?.()
    const memory = process.memoryUsage()
    const lost = await checkReplicas(groups, problems)
    // The log-order check reopens each log on its own; every device goes offline first. A log opened while a peer
    // is connected can crash the process if its first head exchange fails (RESILIENCE.md, bug 5).
    await network.applyTcpIslands(new Map(devices.map((d) => [d.name, null])), running())
    for (const device of devices) network.moveRadio(device.name, null)
    await checkLogOrder(groups, problems)
    say(problems.length === 0 ? 'all checks passed' : `${problems.length} problem(s)`)
    return report(memory, lost)
  } finally {
    for (const device of devices) await device.stop()
    if (options.directory === undefined) await rm(root, { recursive: true, force: true })
  }
}

const heal: SimStep = { kind: 'heal' }

function deviceAt(devices: readonly SimDevice[], index: number): SimDevice {
  const device = devices[index]
  if (device === undefined)
    throw new RangeError(`the schedule names device ${index}, out of ${devices.length}`)
  return device
}

/**
 * Every member reads every message sent (returns how many reads are missing), in the same order, and folds the
 * same state; every poll created is known everywhere. Failures are added to `problems`.
 */
async function checkReplicas(groups: readonly SimGroup[], problems: string[]): Promise<number> {
  let lost = 0
  for (const [i, g] of groups.entries()) {
    const sessions = g.members.map((m) => m.session(g.group))
    const views = await Promise.all(sessions.map(viewOf))
    for (const [j, view] of views.entries()) {
      const ids = new Set(view.messageIds)
      const missing = [...g.sent].filter((id) => !ids.has(id)).length
      lost += missing
      if (missing > 0) problems.push(`group ${i}: ${g.members[j]?.name} lacks ${missing} of ${g.sent.size}`)
      const extra = view.messageIds.length - (g.sent.size - missing)
      if (extra !== 0) problems.push(`group ${i}: ${g.members[j]?.name} reads ${extra} unexpected message(s)`)
    }
    const orders = new Set(views.map((view) => view.messageIds.join(',')))
    if (orders.size > 1) problems.push(`group ${i}: ${orders.size} different message orders`)
    const digests = sessions.map((s) => groupStateDigest(s.state))
    if (new Set(digests).size > 1)
      problems.push(`group ${i}: ${new Set(digests).size} different folded states`)
    for (const session of sessions) {
      if (session.state.members.size !== g.members.length)
        problems.push(`group ${i}: a replica folds ${session.state.members.size} members`)
      const unknown = g.polls.filter((poll) => !session.state.polls.has(toHex(poll))).length
      if (unknown > 0) problems.push(`group ${i}: a replica lacks ${unknown} poll(s)`)
    }
  }
  return lost
}

/** Both logs of every group hold the same entries in the same order on every member (sessions close here). */
async function checkLogOrder(groups: readonly SimGroup[], problems: string[]): Promise<void> {
  for (const [i, g] of groups.entries()) {
    const orders = await Promise.all(g.members.map((m) => m.logOrder(g.group)))
    for (const kind of ['metadata', 'messages'] as const) {
      const distinct = new Set(orders.map((order) => order[kind].join(',')))
      if (distinct.size > 1) problems.push(`group ${i}: ${distinct.size} different ${kind} log orders`)
    }
  }
}
