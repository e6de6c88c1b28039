import { afterEach, expect, it } from 'vitest'
import { SimDevice, SimNetwork, runSimulation, smallSchedule } from '../src/index.js'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const progress = (line: string) => process.stderr.write(`${line}\n`)
const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

it('five devices converge after a TCP partition, a Bluetooth island, votes on both sides and a restart', async () => {
  const seed = 1
  progress(`simulation seed ${seed}`)
  const report = await runSimulation({
    devices: 5,
    schedule: smallSchedule,
    seed,
    log: progress,
    convergeTimeoutMs: 120_000,
    setupTimeoutMs: 120_000,
  })
  expect(report.problems).toEqual([])
  expect(report.lost).toBe(0)
  expect(report.messagesSent).toBe(45)
  expect(report.convergeMs).toBeGreaterThan(0)
})

it('a device cut from TCP reaches a neighbour over Bluetooth only, and no one across TCP islands', async () => {
  const root = await mkdtemp(join(tmpdir(), 'wesh-sim-net-'))
  const network = new SimNetwork(2)
  const [a, b, c] = ['a', 'b', 'c'].map(
    (name) => new SimDevice({ name, directory: join(root, name), network }),
  )
  cleanup.push(() => rm(root, { recursive: true, force: true }))
  for (const device of [a!, b!, c!]) {
    cleanup.push(() => device.stop())
    await device.start()
  }
  const tcpOf = (device: SimDevice) =>
    device.node.libp2p.getMultiaddrs().filter((address) => address.toString().includes('/tcp/'))
  await network.applyTcpIslands(
    new Map([
      ['a', null],
      ['b', 'one'],
      ['c', 'two'],
    ]),
    [a!, b!, c!],
  )
  await expect(b!.node.libp2p.dial(tcpOf(c!))).rejects.toThrow()
  await expect(b!.node.libp2p.dial(tcpOf(a!))).rejects.toThrow()

  // a and b come within radio range: discovery connects them over the simulated Bluetooth link.
  const connected = new Promise<string>((resolve) =>
    a!.node.libp2p.addEventListener(
      'connection:open',
      (event) => resolve(event.detail.remoteAddr.toString()),
      {
        once: true,
      },
    ),
  )
  network.moveRadio('a', 'room')
  network.moveRadio('b', 'room')
  expect(await connected).toContain('/ble/b')
})
