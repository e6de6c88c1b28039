import type { Transport } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { SimulatedRadio, ble, isDirectTransportConnection } from '@wesh/transport-ble'
import { afterEach, expect, it } from 'vitest'
import type { LogSyncEvent } from '../../../src/node/log-sync/log-sync.js'
import { Nodes, TestLog, appendMany, untilEntries } from './helpers.js'

const nodes = new Nodes()
afterEach(() => nodes.cleanup())

const ENTRIES = 400
const BATCH_BYTES = 4_096

/** A node whose only way to its peers is the simulated Bluetooth LE radio. */
function onRadio(radio: SimulatedRadio, id: string) {
  return {
    listen: [`/ble/${id}`],
    transports: [ble({ driver: radio.createDevice(id) })] as ((components: never) => Transport)[],
  }
}

it(`brings a log of ${ENTRIES} entries over Bluetooth LE alone, in small batches under back-pressure`, async () => {
  // The radio's default throughput (100 kB/s) and MTU (185): a batch is many radio packets, and a writer that
  // outruns the link waits for the transport's window to open.
  const radio = new SimulatedRadio({ seed: 11, latencyMs: 2 })
  const log = new TestLog()
  const a = await nodes.start({ network: onRadio(radio, 'alice') })
  const b = await nodes.start({
    network: onRadio(radio, 'bob'),
    logSync: { batchBytes: BATCH_BYTES, credit: 2 },
  })
  const writer = await log.open(a)
  await appendMany(writer, log, ENTRIES)
  const events: LogSyncEvent[] = []
  const replica = await log.open(b, { onSyncEvent: (event) => events.push(event) })
  await b.libp2p.dial(multiaddr(`/ble/alice/p2p/${a.libp2p.peerId.toString()}`))
  await untilEntries(replica, ENTRIES)

  expect((await replica.all()).map((e) => e.hash)).toEqual((await writer.all()).map((e) => e.hash))
  const connections = b.libp2p.getConnections(a.libp2p.peerId)
  expect(connections.length).toBeGreaterThan(0)
  expect(connections.every(isDirectTransportConnection)).toBe(true)
  // Everything behind the head in one walk, in batches of at most the size asked for.
  const pulled = events.filter((event) => event.type === 'pulled')
  expect(pulled).toEqual([
    { type: 'pulled', peer: a.libp2p.peerId.toString(), received: ENTRIES - 1, end: 'SATISFIED' },
  ])
  const bytes = await blockBytes(writer)
  const batches = events.filter((event) => event.type === 'batch').length
  expect(batches).toBeGreaterThanOrEqual(Math.ceil(bytes / BATCH_BYTES))
})

/** The entry blocks' size behind the head (what the walk had to move). */
async function blockBytes(db: Awaited<ReturnType<TestLog['open']>>): Promise<number> {
  let total = 0
  const [head] = await db.log.heads()
  for await (const entry of db.log.traverse()) {
    if (entry.hash === head?.hash) continue
    total += ((await db.log.storage.get(entry.hash)) as Uint8Array).length
  }
  return total
}
