// Time from "send request" to "request received" per discovery system (PROTOCOL.md §2), p50/p95, with the bare
// handshake over an open connection as the same-run baseline. Run with `pnpm build && pnpm bench` (Node 24 strips
// the types; `@wesh/contacts` resolves to this package's dist). TRIALS sets the trials per row.
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import {
  ContactRequests,
  CONTACT_REQUEST_PROTOCOL,
  answerContactRequestOn,
  sendContactRequestOn,
} from '@wesh/contacts'
import { AccountKeys } from '@wesh/groups'
import { MemorySecretStore, WeshAccount, createWeshNode, type WeshNode } from '@wesh/groups/node'
import { rendezvousDht, rendezvousServer, type Discovery } from '@wesh/rendezvous'
import { SimulatedRadio, ble } from '@wesh/transport-ble'
import { createLibp2p } from 'libp2p'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'

const TRIALS = Number(process.env.TRIALS ?? 10)
const DHT_PROTOCOL = '/wesh-contacts-bench/kad/1.0.0'
const stops: (() => Promise<void>)[] = []
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

function light(services: Record<string, unknown>): Promise<Libp2p> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), ...services },
  })
}

async function weshNode(network: Record<string, unknown>): Promise<WeshNode> {
  const directory = await mkdtemp(join(os.tmpdir(), 'wesh-contacts-bench-'))
  const node = await createWeshNode({
    directory,
    network: {
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
      dht: 'lan',
      dhtProtocol: DHT_PROTOCOL,
      ...network,
    },
    libp2p: { connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] } },
  })
  stops.push(async () => {
    await node.stop()
    await rm(directory, { recursive: true, force: true })
  })
  return node
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

function until(target: EventTarget, type: string): Promise<void> {
  return new Promise((resolve) => target.addEventListener(type, () => resolve(), { once: true }))
}

/** Bob takes requests on `pick(bobNode)`; each trial a new account on Alice's node sends one. */
async function requestTimes(
  alice: WeshNode,
  bob: WeshNode,
  pick: (node: WeshNode) => Discovery[],
): Promise<number[]> {
  const onBob = await WeshAccount.open({ node: bob, secrets: new MemorySecretStore() })
  const bobService = await ContactRequests.start({ account: onBob, discovery: pick(bob) })
  const registered = until(bobService, 'announce:register')
  await onBob.enableContactRequests()
  await registered
  const times: number[] = []
  for (let trial = 0; trial < TRIALS; trial++) {
    const onAlice = await WeshAccount.open({
      node: alice,
      secrets: new MemorySecretStore(),
      keys: AccountKeys.create(),
    })
    const service = await ContactRequests.start({
      account: onAlice,
      discovery: pick(alice),
      retryInitialMs: 100,
      retryMaxMs: 1_000,
    })
    const received = until(bobService, 'request:received')
    const start = performance.now()
    await service.send(onBob.contactCard())
    await received
    times.push(performance.now() - start)
    await service.stop()
    await onAlice.close()
  }
  await bobService.stop()
  await onBob.close()
  return times
}

async function handshakeTimes(): Promise<number[]> {
  const [a, b] = await Promise.all([light({}), light({})])
  stops.push(async () => {
    await a.stop()
    await b.stop()
  })
  const bob = AccountKeys.create()
  await b.handle(CONTACT_REQUEST_PROTOCOL, async (stream) => {
    const answer = await answerContactRequestOn(stream, { keys: bob, admit: () => {} })
    await answer.close()
  })
  await a.dial(b.getMultiaddrs()[0]!)
  const times: number[] = []
  for (let trial = 0; trial < TRIALS; trial++) {
    const alice = AccountKeys.create()
    const start = performance.now()
    const stream = await a.dialProtocol(b.peerId, CONTACT_REQUEST_PROTOCOL)
    await sendContactRequestOn(stream, {
      keys: alice,
      responderAccountId: bob.accountId,
      ownCard: {
        accountId: alice.accountId,
        publicRendezvousSeed: alice.publicRendezvousSeed(),
        metadata: new Uint8Array(0),
      },
    })
    times.push(performance.now() - start)
  }
  return times
}

const rows: { name: string; setup: string; times: number[] }[] = []
try {
  log('baseline: handshake on an open connection')
  rows.push({
    name: 'handshake only (baseline)',
    setup: 'two libp2p nodes, connection open',
    times: await handshakeTimes(),
  })

  log('rendezvous server')
  const server = await light({ rendezvous: rendezvousServer() })
  stops.push(async () => {
    await server.stop()
  })
  const serverAddress = server.getMultiaddrs()[0]!.toString()
  const viaServer = { rendezvousServers: [serverAddress] }
  const [a1, b1] = await Promise.all([weshNode(viaServer), weshNode(viaServer)])
  rows.push({
    name: 'rendezvous server',
    setup: 'in-process server, 2 Wesh nodes',
    times: await requestTimes(a1, b1, (node) => [node.libp2p.services.rendezvousServers!]),
  })

  log('DHT')
  const fillers = await Promise.all(
    Array.from({ length: 18 }, () =>
      light({ dht: rendezvousDht({ lan: true, protocol: DHT_PROTOCOL, kBucketSize: 5 }) }),
    ),
  )
  stops.push(async () => {
    for (const node of fillers) await node.stop()
  })
  await Promise.all(
    fillers.slice(2).flatMap((node) => fillers.slice(0, 2).map((hub) => node.dial(hub.getMultiaddrs()[0]!))),
  )
  const [a2, b2] = await Promise.all([weshNode({}), weshNode({})])
  await a2.libp2p.dial(fillers[0]!.getMultiaddrs()[0]!)
  await b2.libp2p.dial(fillers[1]!.getMultiaddrs()[0]!)
  rows.push({
    name: 'DHT (20 nodes, k = 5 on the 18 others)',
    setup: 'Wesh nodes know different hubs',
    times: await requestTimes(a2, b2, (node) => [node.libp2p.services.dhtDiscovery]),
  })

  log('local records over simulated BLE')
  const radio = new SimulatedRadio({ seed: 3, latencyMs: 2 })
  const transport = (id: string) => ({
    listen: [`/ble/${id}`],
    transports: [ble({ driver: radio.createDevice(id) })],
  })
  const [a3, b3] = await Promise.all([weshNode(transport('alice')), weshNode(transport('bob'))])
  await a3.libp2p.dial(multiaddr(`/ble/bob/p2p/${b3.libp2p.peerId.toString()}`))
  rows.push({
    name: 'local records (simulated BLE, 2 ms latency)',
    setup: 'BLE link only, no TCP path',
    times: await requestTimes(a3, b3, (node) => [node.libp2p.services.localRecords]),
  })
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined)
}

const format = (ms: number) => (ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`)
console.log(
  `\nTime from send to received, ${TRIALS} trials per row (Node ${process.versions.node}, ${os.cpus().length} cores)\n`,
)
console.log('| discovery | setup | p50 | p95 | max |')
console.log('| --- | --- | ---: | ---: | ---: |')
for (const { name, setup, times } of rows) {
  const sorted = [...times].sort((x, y) => x - y)
  console.log(
    `| ${name} | ${setup} | ${format(percentile(sorted, 50))} | ${format(percentile(sorted, 95))} | ${format(sorted.at(-1)!)} |`,
  )
}
process.exit(0)
