// libp2p's own transport compliance suite (@libp2p/interface-compliance-tests/transport), run unchanged on the
// simulated radio. The suite is written for mocha; the shim below maps its `describe`/`it`/`afterEach` and its
// `this.timeout()`/`this.skip()` onto vitest.
import * as vitest from 'vitest'
import { SimulatedRadio, ble, isBleMultiaddr } from '../src/index.js'
import type { TransportTestFixtures } from '@libp2p/interface-compliance-tests/transport'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Cases that cannot apply to a radio, with why. */
const NOT_APPLICABLE: Record<string, string> = {
  // A radio has one address; the suite needs two listen addresses that reach the same node.
  'should listen on multiple addresses': 'one radio, one /ble address',
}

interface MochaContext {
  timeout(ms: number): void
  skip(): void
}
type MochaTest = (this: MochaContext) => unknown

const globals = globalThis as Record<string, unknown>
// Mocha runs cases in declaration order and the suite relies on it ('emits close' reads a matcher that 'emits
// listening' sets), so its cases never run shuffled, even under `--sequence.shuffle`.
globals.describe = (name: string, fn: () => void) => vitest.describe(name, { shuffle: false }, fn)
globals.afterEach = vitest.afterEach
globals.it = (name: string, fn: MochaTest) => {
  if (name in NOT_APPLICABLE) {
    vitest.it.skip(`${name} (not applicable: ${NOT_APPLICABLE[name]})`, () => undefined)
    return
  }
  vitest.it(
    name,
    async (context) => {
      await fn.call({ timeout: () => undefined, skip: () => context.skip() })
    },
    600_000,
  )
}

const { default: transportCompliance } = await import('@libp2p/interface-compliance-tests/transport')

const bleMatcher: TransportTestFixtures['dialMultiaddrMatcher'] = {
  matchers: [],
  matches: (ma?: Multiaddr) => ma !== undefined && isBleMultiaddr(ma),
  exactMatch: (ma?: Multiaddr) => ma !== undefined && isBleMultiaddr(ma),
}

// libp2p pings every connection every 10 s and by default aborts it when the answer misses a 5 s wall-clock deadline.
// The suite's mock muxer has no flow control, so during its 10 MiB echo that ping waits behind megabytes queued in
// both directions; on a busy machine the echo outlasts a heartbeat and the late (not lost) answer killed the
// connection. A late ping is only logged here: the suite then fails on what the transport delivers, not on a clock.
const monitor = { connectionMonitor: { abortConnectionOnPingFailure: false } }

let run = 0
transportCompliance({
  setup(): Promise<TransportTestFixtures> {
    // Fast links: the suite moves 10 MiB several times; MTU 517 is the largest BLE allows.
    const radio = new SimulatedRadio({ seed: ++run, mtu: 517, throughput: 1e9, latencyMs: 0 })
    const dialer = radio.createDevice('dialer')
    const listener = radio.createDevice('listener')
    return Promise.resolve({
      dialer: { ...monitor, transports: [ble({ driver: dialer })] },
      listener: {
        ...monitor,
        addresses: { listen: ['/ble/listener'] },
        transports: [ble({ driver: listener })],
      },
      dialMultiaddrMatcher: bleMatcher,
      listenMultiaddrMatcher: bleMatcher,
    })
  },
  teardown: () => Promise.resolve(),
})
