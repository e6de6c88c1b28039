import type { SeededRandom } from './random.js'

/**
 * One step of a simulation. Devices are named by index (0 … N − 1). Network steps change who can reach whom;
 * the others make devices work: the simulation runs them in order and waits for each to finish locally (a send
 * resolves once stored), never for the network — replication happens whenever the topology lets it.
 */
export type SimStep =
  /** TCP islands: devices listed together reach each other over TCP; a device in no island has no internet. */
  | { readonly kind: 'partition'; readonly islands: readonly (readonly number[])[] }
  /** Bluetooth islands: devices listed together are within radio range; the others are out of everyone's. */
  | { readonly kind: 'bluetooth'; readonly islands: readonly (readonly number[])[] }
  /** Devices stop (cleanly: the app is closed). */
  | { readonly kind: 'stop'; readonly devices: readonly number[] }
  /** Stopped devices start again from their directories. */
  | { readonly kind: 'restart'; readonly devices: readonly number[] }
  /** `messages` messages in total, each sent by a running member picked at random, all groups together. */
  | { readonly kind: 'load'; readonly messages: number }
  /** In each group a running member creates a poll. */
  | { readonly kind: 'poll' }
  /** Every running member that knows a poll votes (again) for a random option of one. */
  | { readonly kind: 'vote' }
  /**
   * Waits until these devices (those running) agree on both logs of every group they share: what one island
   * wrote has reached every member in it, over whatever links the island has (Bluetooth only, for instance).
   */
  | { readonly kind: 'settle'; readonly devices: readonly number[] }
  /** Everyone back: every device running, one TCP island, radios out of range. The last step of any run. */
  | { readonly kind: 'heal' }

export function describeStep(step: SimStep): string {
  const list = (islands: readonly (readonly number[])[]) =>
    islands.map((island) => `[${island.join(',')}]`).join(' ') || '(none)'
  switch (step.kind) {
    case 'partition':
      return `partition TCP ${list(step.islands)}`
    case 'bluetooth':
      return `bluetooth ${list(step.islands)}`
    case 'stop':
      return `stop ${step.devices.join(',')}`
    case 'restart':
      return `restart ${step.devices.join(',')}`
    case 'load':
      return `load ${step.messages} messages`
    case 'poll':
      return 'poll'
    case 'vote':
      return 'vote'
    case 'settle':
      return `settle ${step.devices.join(',')}`
    case 'heal':
      return 'heal'
  }
}

export interface RandomScheduleOptions {
  readonly devices: number
  /** Rounds of (network change, churn, load); default 4. */
  readonly rounds?: number
  /** Messages per round over all groups; default 10 per device. */
  readonly messagesPerRound?: number
  /** Largest share of devices stopped at once; default 0.2. */
  readonly churn?: number
}

/**
 * A random schedule from `random`: each round splits TCP into 1–3 islands, sometimes cuts a few devices of an
 * island from TCP and puts them within Bluetooth range of each other instead, stops some devices and restarts
 * those stopped the round before, then sends messages and now and then runs a poll. It ends healed.
 */
export function randomSchedule(random: SeededRandom, options: RandomScheduleOptions): SimStep[] {
  const { devices, rounds = 4, messagesPerRound = 10 * devices, churn = 0.2 } = options
  const all = [...Array(devices).keys()]
  const steps: SimStep[] = []
  let stopped: number[] = []
  for (let round = 0; round < rounds; round++) {
    const islandCount = Math.min(devices, random.int(1, 3))
    const islands: number[][] = Array.from({ length: islandCount }, () => [])
    for (const device of random.shuffle(all)) islands[random.int(0, islandCount - 1)]?.push(device)
    let radio: number[][] = []
    const host = random.pick(islands)
    if (host.length >= 2 && random.chance(0.5)) {
      // A Bluetooth island: these devices lose the internet but are within range of each other.
      const cut = random.sample(host, random.int(2, Math.min(host.length, 4)))
      radio = [cut]
      islands.splice(
        islands.indexOf(host),
        1,
        host.filter((device) => !cut.includes(device)),
      )
    }
    steps.push({ kind: 'partition', islands: islands.filter((island) => island.length > 0) })
    steps.push({ kind: 'bluetooth', islands: radio })
    if (stopped.length > 0) steps.push({ kind: 'restart', devices: stopped })
    const running = all.filter((device) => !stopped.includes(device))
    stopped = random.sample(running, random.int(0, Math.floor(devices * churn)))
    if (stopped.length > 0) steps.push({ kind: 'stop', devices: stopped })
    steps.push({ kind: 'load', messages: messagesPerRound })
    if (round === 0) steps.push({ kind: 'poll' })
    else if (random.chance(0.6)) steps.push({ kind: 'vote' })
  }
  steps.push({ kind: 'heal' })
  return steps
}

/**
 * The schedule the CI test runs on 5 devices in one group: a TCP partition with a Bluetooth island (which must
 * agree over Bluetooth alone), a poll voted on from both sides, a device stopped while the others write and restarted in another island, then heal.
 */
export const smallSchedule: readonly SimStep[] = [
  { kind: 'load', messages: 10 },
  { kind: 'poll' },
  // 0, 1, 2 on the internet; 3 and 4 lose it but are within Bluetooth range of each other.
  { kind: 'partition', islands: [[0, 1, 2]] },
  { kind: 'bluetooth', islands: [[3, 4]] },
  { kind: 'load', messages: 15 },
  { kind: 'settle', devices: [3, 4] },
  { kind: 'vote' },
  { kind: 'stop', devices: [1] },
  { kind: 'load', messages: 10 },
  { kind: 'vote' },
  { kind: 'restart', devices: [1] },
  { kind: 'partition', islands: [[0], [1, 2]] },
  { kind: 'load', messages: 10 },
  { kind: 'heal' },
]
