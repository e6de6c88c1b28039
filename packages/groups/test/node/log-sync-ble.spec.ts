import type { PeerDiscovery, Transport } from '@libp2p/interface'
import type { EventsDatabase } from '@orbitdb/core'
import { randomBytes } from '@wesh/crypto'
import { SimulatedRadio, ble, bleDiscovery } from '@wesh/transport-ble'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  LOG_SYNC_BATCH_TARGET_MS,
  LOG_SYNC_DEFAULT_BATCH_BLOCKS,
  LOG_SYNC_FIRST_BATCH_BLOCKS,
  nextBatchBlocks,
} from '../../src/node/log-catch-up.js'
import type { LogSyncProgress } from '../../src/node/log-sync.js'
import type { WeshNode } from '../../src/node/wesh-node.js'
import { LogFixture } from './log-fixture.js'

describe('batch sizing', () => {
  const target = LOG_SYNC_BATCH_TARGET_MS
  it('doubles a batch back within the target, up to the configured size', () => {
    expect(nextBatchBlocks(32, 0, 256)).toBe(64)
    expect(nextBatchBlocks(32, target, 256)).toBe(64)
    expect(nextBatchBlocks(256, target, 256)).toBe(256)
    expect(nextBatchBlocks(200, 1, 256)).toBe(256)
  })

  it('keeps the size up to twice the target, and shrinks it in proportion past that', () => {
    expect(nextBatchBlocks(32, target + 1, 256)).toBe(32)
    expect(nextBatchBlocks(32, 2 * target, 256)).toBe(32)
    expect(nextBatchBlocks(32, 2 * target + 1, 256)).toBe(15)
    expect(nextBatchBlocks(256, 16 * target, 256)).toBe(16)
    expect(nextBatchBlocks(4, 60 * target, 256)).toBe(1) // never below one block
  })
})

// Two Wesh nodes that meet only over the simulated Bluetooth LE radio (`@wesh/transport-ble`, 100 kB/s a
// direction, MTU 185): no TCP address is listened on, so every byte of the catch-up crosses the radio.
describe('log sync over Bluetooth LE', () => {
  const ENTRIES = 1_000
  /** About 1.45 kB an entry block: the whole log is ~1.45 MB, some 15 s of radio. */
  const PAYLOAD_BYTES = 256
  /**
   * The largest batch the radio allows: a batch doubles only after one of half its size came back within
   * `LOG_SYNC_BATCH_TARGET_MS`, and 128 blocks (~185 kB) take longer than that at 100 kB/s however fast the CPU.
   */
  const MAX_BLE_BATCH = 128
  const BUDGET_MS = 120_000
  const radio = new SimulatedRadio({ seed: 11, scanIntervalMs: 100 })
  const fixture = new LogFixture('wesh-log-sync-ble-')
  let writer: WeshNode
  let writerLog: EventsDatabase

  function node(name: string): Promise<WeshNode> {
    const driver = radio.createDevice(name)
    return fixture.node({
      network: {
        listen: [`/ble/${name}`],
        mdns: false,
        dht: 'lan',
        rendezvousServers: [],
        transports: [ble({ driver })] as ((components: never) => Transport)[],
        peerDiscovery: [bleDiscovery({ driver })] as ((components: never) => PeerDiscovery)[],
      },
    })
  }

  const open = (on: WeshNode) => fixture.open(on)

  /** Resolves once the radio's discovery has connected `reader` to the writer; the connection is returned. */
  function connectedToWriter(reader: WeshNode) {
    const current = () => reader.libp2p.getConnections(writer.libp2p.peerId)[0]
    return new Promise<NonNullable<ReturnType<typeof current>>>((resolve) => {
      const check = () => {
        const connection = current()
        if (connection === undefined) return
        reader.libp2p.removeEventListener('connection:open', check)
        resolve(connection)
      }
      reader.libp2p.addEventListener('connection:open', check)
      check()
    })
  }

  const hashesOf = async (log: EventsDatabase) => {
    const hashes: string[] = []
    for await (const { hash } of log.iterator()) hashes.push(hash)
    return hashes
  }
  const headsOf = async (log: EventsDatabase) =>
    (await log.log.heads())
      .map((head) => head.hash)
      .sort()
      .join()

  /** Resolves once `log` has the writer's heads, checked on each of its updates. */
  async function converged(log: EventsDatabase): Promise<void> {
    const target = await headsOf(writerLog)
    await new Promise<void>((resolve) => {
      const check = () => {
        void headsOf(log).then((heads) => {
          if (heads !== target) return
          log.events.off('update', check)
          resolve()
        })
      }
      log.events.on('update', check)
      check()
    })
  }

  /** The size of every batch `reader` stores, in order. */
  function batchSizes(reader: WeshNode): number[] {
    const sizes: number[] = []
    reader.logSync!.addEventListener('progress', (event) => {
      sizes.push((event as CustomEvent<LogSyncProgress>).detail.stored)
    })
    return sizes
  }

  beforeAll(async () => {
    writer = await node('writer')
    writerLog = await open(writer)
    await fixture.append(writerLog, ENTRIES, () => randomBytes(PAYLOAD_BYTES))
  }, BUDGET_MS)

  afterAll(() => fixture.cleanup())

  it(
    'catches a fresh reader up in batches sized to the radio, in the writer order',
    async () => {
      const reader = await node('reader')
      const sizes = batchSizes(reader)
      const connection = await connectedToWriter(reader)
      expect(connection.remoteAddr.toString()).toMatch(/^\/ble\/writer\//)
      const readerLog = await open(reader)
      await converged(readerLog)

      expect(await hashesOf(readerLog)).toEqual(await hashesOf(writerLog))
      expect(reader.logSync!.stats.blocksReceived).toBeGreaterThanOrEqual(ENTRIES - 1) // all but the head
      expect(sizes[0]).toBe(LOG_SYNC_FIRST_BATCH_BLOCKS)
      expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BLE_BATCH)
      expect(MAX_BLE_BATCH).toBeLessThan(LOG_SYNC_DEFAULT_BATCH_BLOCKS)
      for (const each of reader.libp2p.getConnections())
        expect(each.remoteAddr.toString()).toMatch(/^\/ble\//)
      // Out of the next test: the reader there is to catch up from the writer alone.
      await fixture.stop(reader)
    },
    BUDGET_MS,
  )

  it(
    'resumes a catch-up cut off when the reader walks out of range, once it is back',
    async () => {
      const reader = await node('walker')
      const sync = reader.logSync!
      await connectedToWriter(reader)
      const midway = new Promise<void>((resolve) => {
        const check = () => {
          if (sync.stats.blocksReceived < ENTRIES / 4) return
          sync.removeEventListener('progress', check)
          resolve()
        }
        sync.addEventListener('progress', check)
      })
      const readerLog = await open(reader)
      await midway

      const closed = new Promise((resolve) => {
        reader.libp2p.addEventListener('connection:close', resolve, { once: true })
      })
      radio.moveDevice('walker', null)
      await closed
      const storedAtBreak = sync.stats.blocksReceived
      expect(storedAtBreak).toBeLessThan(ENTRIES - 1)
      expect(await hashesOf(readerLog)).toEqual([]) // checked blocks kept, nothing joined

      radio.moveDevice('walker', 'default')
      await converged(readerLog)
      expect(await hashesOf(readerLog)).toEqual(await hashesOf(writerLog))
      // Through log sync, and resumed from what was stored: starting over would fetch those blocks twice.
      expect(sync.stats.blocksReceived).toBeGreaterThanOrEqual(ENTRIES - 1)
      expect(sync.stats.blocksReceived).toBeLessThan(ENTRIES - 1 + storedAtBreak)
    },
    BUDGET_MS,
  )
})
