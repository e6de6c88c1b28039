import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { createOrbitDB } from '@orbitdb/core'
import { createHelia } from 'helia'
import { afterEach, describe, expect, it } from 'vitest'
import { SimulatedRadio, isDirectTransportConnection } from '../../src/index.js'
import { bleNodeBase } from '../nodes.js'

const ENTRIES = 500
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function replicaNode(radio: SimulatedRadio, deviceId: string) {
  const helia = createHelia({
    libp2p: {
      ...bleNodeBase(radio, deviceId),
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }),
      },
    },
  })
  cleanups.push(async () => {
    await helia.stop()
  })
  await helia.start() // helia 7 exposes libp2p only once started (STACK.md)
  const directory = await mkdtemp(join(tmpdir(), `wesh-ble-${deviceId}-`))
  cleanups.push(() => rm(directory, { recursive: true, force: true }))
  const orbitdb = await createOrbitDB({ ipfs: helia, directory, id: deviceId })
  cleanups.push(() => orbitdb.stop())
  return { helia, orbitdb }
}

describe('OrbitDB over the BLE transport only', () => {
  it(`replicates an events log of ${ENTRIES} entries`, async () => {
    const radio = new SimulatedRadio({ seed: 21, latencyMs: 2, throughput: 1_000_000 })
    const alice = await replicaNode(radio, 'alice')
    const bob = await replicaNode(radio, 'bob')
    const db = await alice.orbitdb.open('ble-events', { type: 'events' })
    cleanups.push(() => db.close())
    for (let i = 0; i < ENTRIES; i++) await db.add(`entry ${i}`)

    const replica = await bob.orbitdb.open(db.address)
    cleanups.push(() => replica.close())
    // Each 'update' comes once a replicated head and everything before it are in the replica's log.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        replica.all().then((entries) => {
          if (entries.length === ENTRIES) resolve()
        }, reject)
      }
      replica.events.on('update', check)
      check()
    })
    const values = (await replica.all()).map((entry) => entry.value)
    expect(new Set(values)).toEqual(new Set(Array.from({ length: ENTRIES }, (_, i) => `entry ${i}`)))
    const connections = bob.helia.libp2p.getConnections(alice.helia.libp2p.peerId)
    expect(connections.length).toBeGreaterThan(0)
    expect(connections.every(isDirectTransportConnection)).toBe(true)
  })
})
