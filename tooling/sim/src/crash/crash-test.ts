import { type ChildProcess, fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isWeshError, randomBytes, toHex } from '@wesh/crypto'
import { AccountKeys, createMultiMemberGroup, encodeInvitation } from '@wesh/groups'
import { headsOf } from '../convergence.js'
import { SeededRandom } from '../random.js'
import { SimDevice } from '../sim-device.js'
import { SimNetwork } from '../sim-network.js'
import type { CrashChildConfig, CrashCommand, CrashReport } from './crash-protocol.js'

export interface CrashTestOptions {
  /** How many times the writer is killed with SIGKILL (then restarted from its directory). */
  readonly killPoints: number
  /** Seeds where and when each kill lands; print it to repeat a run. */
  readonly seed: number
  /** The built child entry (`dist/crash/crash-child.js`). */
  readonly childScript: string
  /** Every this many kill points, and after the last, the peer must hold every acknowledged message; default 10. */
  readonly syncEvery?: number
  /** Share of kill points that land while the node opens (recovers) rather than while it writes; default 0.2. */
  readonly startupKills?: number
  /** Bytes per message; default 1 024. */
  readonly messageBytes?: number
  /** Write before the join flow has reached the peer (reproduces RESILIENCE.md bug 1); default false. */
  readonly writeAtOnce?: boolean
  /** How long the peer may take to receive everything at a sync point; default 5 min. */
  readonly syncTimeoutMs?: number
  readonly log?: (line: string) => void
}

export interface CrashTestResult {
  readonly killPoints: number
  readonly seed: number
  readonly killsDuringWrites: number
  readonly killsDuringStartup: number
  /** Messages whose `send` resolved before a kill. */
  readonly acknowledged: number
  /** Restarts whose node, secret store and group session opened without an error. */
  readonly cleanOpens: number
  readonly opens: number
  /** Acknowledged messages missing on the writer after a restart (summed over restarts). 0 is the only good answer. */
  readonly lostLocally: number
  /** Acknowledged messages the peer lacked at the last sync point (or when it gave up). */
  readonly lostOnPeer: number
  /** Median time to reopen the node and its group after a kill. */
  readonly medianOpenMs: number
  readonly problems: readonly string[]
  readonly rejections: Readonly<Record<string, number>>
}

/** A writer child process, the reports it sent and not yet taken, and its latest heads. */
class Writer {
  readonly process: ChildProcess
  readonly exited: Promise<void>
  /** The writer's heads as last reported (while watched). */
  heads: string | undefined
  readonly #reports: CrashReport[] = []
  #waiters: (() => void)[] = []
  #exited = false

  constructor(script: string, config: CrashChildConfig, onReport: (report: CrashReport) => void) {
    this.process = fork(script, [], {
      env: { ...process.env, WESH_SIM_CRASH: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.process.on('message', (report: CrashReport) => {
      onReport(report)
      if (report.type === 'heads') this.heads = report.heads
      else this.#reports.push(report)
      this.#wake()
    })
    this.exited = new Promise((resolve) =>
      this.process.once('exit', () => {
        this.#exited = true
        this.#wake()
        resolve()
      }),
    )
  }

  send(command: CrashCommand): void {
    this.process.send(command)
  }

  /** Resolves at the next report of any kind, or when the process exits. */
  changed(): Promise<void> {
    return this.#exited ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve))
  }

  /** The next report of one of these types; undefined if the process exits first. */
  async next<T extends CrashReport['type']>(
    ...types: T[]
  ): Promise<Extract<CrashReport, { type: T }> | undefined> {
    for (;;) {
      const index = this.#reports.findIndex((report) => (types as string[]).includes(report.type))
      if (index >= 0) return this.#reports.splice(index, 1)[0] as Extract<CrashReport, { type: T }>
      if (this.#exited) return undefined
      await this.changed()
    }
  }

  kill(): Promise<void> {
    this.process.kill('SIGKILL')
    return this.exited
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake()
  }
}

/**
 * The crash test of issue 10: a writer node in a child process sends messages without pause into a group it
 * shares with a peer (in this process), and is killed with SIGKILL at `killPoints` random points — mostly while
 * writing, sometimes while it opens — and restarted from its directory each time. After each restart every
 * message whose `send` had resolved must still be there and its state must open cleanly; at sync points the peer
 * must hold them all too, in the same order as the writer.
 */
export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestResult> {
  const { killPoints, seed, childScript, log = () => undefined } = options
  const { syncEvery = 10, startupKills = 0.2, messageBytes = 1024, syncTimeoutMs = 300_000 } = options
  const random = new SeededRandom(seed)
  const root = await mkdtemp(join(tmpdir(), 'wesh-crash-'))
  const network = new SimNetwork(seed)
  const problems: string[] = []
  const rejections: Record<string, number> = {}
  const count = (key: string) => (rejections[key] = (rejections[key] ?? 0) + 1)
  const peer = new SimDevice({
    name: 'peer',
    directory: join(root, 'peer'),
    network,
    onRejected: (_, what, error) =>
      count(`peer ${what}:${isWeshError(error) ? error.code : String(error).slice(0, 60)}`),
  })
  const acknowledged = new Set<string>()
  const openTimes: number[] = []
  let killsDuringWrites = 0
  let killsDuringStartup = 0
  let cleanOpens = 0
  let opens = 0
  let lostLocally = 0
  let lostOnPeer = 0
  const onReport = (report: CrashReport) => {
    if (report.type === 'sent') acknowledged.add(report.id)
    if (report.type === 'rejected') count(`writer ${report.what}:${report.code.slice(0, 60)}`)
  }
  let writer: Writer | undefined
  try {
    await peer.start()
    const { group, groupSeed } = createMultiMemberGroup()
    const peerSession = await peer.join(group, groupSeed)
    const config: CrashChildConfig = {
      directory: join(root, 'writer'),
      storeKey: toHex(randomBytes(32)),
      account: AccountKeys.create().exportState(),
      invitation: toHex(encodeInvitation(group)),
      peer: peer.node.libp2p
        .getMultiaddrs()
        .map(String)
        .filter((address) => address.includes('/tcp/')),
      messageBytes,
      writeAtOnce: options.writeAtOnce ?? false,
    }

    /** Starts the writer and checks that it opens cleanly and holds every acknowledged message. */
    const start = async (label: string): Promise<Writer | undefined> => {
      const child = new Writer(childScript, config, onReport)
      const ready = await child.next('ready', 'open-failed')
      opens++
      if (ready?.type !== 'ready') {
        problems.push(
          `${label}: the writer did not open: ${ready?.type === 'open-failed' ? `${ready.stage}: ${ready.error}` : 'it exited'}`,
        )
        await child.kill()
        return undefined
      }
      cleanOpens++
      openTimes.push(ready.openMs)
      const held = new Set(ready.held)
      const missing = [...acknowledged].filter((id) => !held.has(id)).length
      if (missing > 0) {
        lostLocally += missing
        problems.push(
          `${label}: ${missing} of ${acknowledged.size} acknowledged messages gone after the restart`,
        )
      }
      return child
    }

    /**
     * Writer and peer reach the same heads on both logs (waiting on the peer's log updates and the writer's heads
     * reports, never on a clock), the peer reads every acknowledged message, and both read them in one order.
     */
    const sync = async (child: Writer, label: string) => {
      const deadline = AbortSignal.timeout(syncTimeoutMs)
      const expired = new Promise<void>((resolve) => {
        deadline.addEventListener('abort', () => {
          resolve()
        })
      })
      child.send({ type: 'watch' })
      for (;;) {
        const changed = Promise.race([peerSession.nextUpdate(), child.changed(), expired])
        const held = new Set((await peerSession.messages()).map((message) => message.id))
        lostOnPeer = [...acknowledged].filter((id) => !held.has(id)).length
        if (lostOnPeer === 0 && child.heads === (await headsOf(peerSession))) break
        if (deadline.aborted) {
          const peerHeads = await headsOf(peerSession)
          problems.push(
            `${label}: writer and peer did not agree within ${syncTimeoutMs} ms: the peer lacks ${lostOnPeer} ` +
              `of ${acknowledged.size} acknowledged messages; heads ${child.heads === peerHeads ? 'equal' : `differ (writer ${child.heads ?? 'unknown'}, peer ${peerHeads})`}`,
          )
          return
        }
        await changed
      }
      child.send({ type: 'view' })
      const writerView = await child.next('view')
      const peerIds = (await peerSession.messages()).map((message) => message.id)
      if (writerView?.ids.join(',') !== peerIds.join(','))
        problems.push(`${label}: writer and peer read the messages in different orders`)
      log(`${label}: the peer holds all ${acknowledged.size} acknowledged messages, in the writer's order`)
    }

    for (let point = 1; point <= killPoints; point++) {
      const label = `kill point ${point}/${killPoints}`
      if (random.chance(startupKills)) {
        // Kill while the node opens: after a random share of a typical open.
        const delay = random.int(0, Math.max(200, Math.round(median(openTimes) || 2000)))
        const child = new Writer(childScript, config, onReport)
        await Promise.race([new Promise((resolve) => setTimeout(resolve, delay)), child.exited])
        await child.kill()
        killsDuringStartup++
        log(`${label}: killed ${delay} ms into opening`)
        continue
      }
      writer = await start(label)
      if (writer === undefined) break
      if (point % syncEvery === 0) await sync(writer, label)
      const before = acknowledged.size
      const writes = random.int(1, 40)
      const jitterMs = random.int(0, 25)
      writer.send({ type: 'write' })
      while (acknowledged.size < before + writes) if ((await writer.next('sent')) === undefined) break
      // A little more writing past the acknowledgement counted, so the kill lands mid-write.
      await new Promise((resolve) => setTimeout(resolve, jitterMs))
      await writer.kill()
      writer = undefined
      killsDuringWrites++
      log(`${label}: killed after ${acknowledged.size - before} acknowledged sends (+${jitterMs} ms)`)
    }
    writer = await start('after the last kill')
    if (writer !== undefined) await sync(writer, 'final check')
  } finally {
    if (writer !== undefined) {
      writer.send({ type: 'stop' })
      await writer.exited
    }
    await peer.stop()
    await rm(root, { recursive: true, force: true })
  }
  return {
    killPoints,
    seed,
    killsDuringWrites,
    killsDuringStartup,
    acknowledged: acknowledged.size,
    cleanOpens,
    opens,
    lostLocally,
    lostOnPeer,
    medianOpenMs: median(openTimes),
    problems,
    rejections,
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}
