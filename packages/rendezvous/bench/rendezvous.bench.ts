// Time from register to a successful look-up on each discovery system, rendezvous-server throughput, and server
// memory at 10 000 registrations, in one run on this machine. Run with `pnpm build && pnpm bench` (Node 24 strips
// the types; `@wesh/rendezvous` resolves to this package's dist). TRIALS scales the latency trials.
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import type { KadDHT } from '@libp2p/kad-dht'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from '@wesh/crypto'
import { runBenchTable } from '@wesh/tooling/bench'
import {
  dhtDiscovery,
  localRecords,
  MemoryRegistrationStore,
  pointToNamespace,
  rendezvousClient,
  rendezvousDht,
  decodeResponse,
  encodeMessage,
  MAX_RESPONSE_BYTES,
  MessageType,
  RENDEZVOUS_PROTOCOL,
  RendezvousService,
  rendezvousServer,
  ResponseStatus,
  sealPeerRecord,
  type DhtDiscovery,
  type Discovery,
  type LocalRecords,
  type RegistrationStore,
  type RendezvousClient,
  type RendezvousServer,
} from '@wesh/rendezvous'
import { LevelRegistrationStore } from '@wesh/rendezvous/level'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'

const TRIALS = Number(process.env.TRIALS ?? 50)
const DHT_NODES = 20
const DHT_K = 5
const REGISTRATIONS = 10_000
const CLIENTS = 8
const OPS_PER_CLIENT = 250

const gc = (globalThis as { gc?: () => void }).gc
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

function base(): Omit<Libp2pOptions, 'services'> {
  return {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    connectionManager: { allow: ['/ip4/127.0.0.1/ipcidr/32'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  }
}

async function stopAll(nodes: Array<{ stop(): void | Promise<void> }>): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      await node.stop()
    }),
  )
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

interface LatencyRow {
  system: string
  setup: string
  samples: number[]
  target: string
}

/** Register on `registrar`, then look up on `searcher` until it finds the registrar (at most 20 look-ups). */
async function registerToLookup(
  registrar: Discovery,
  searcher: Discovery,
  registrarId: PeerId,
): Promise<number> {
  const point = randomBytes(32)
  const start = performance.now()
  await registrar.register(point)
  for (let attempt = 0; attempt < 20; attempt++) {
    for await (const peer of searcher.lookup(point)) {
      if (peer.id.equals(registrarId)) return performance.now() - start
    }
  }
  throw new Error(`${registrar.name}: not found after 20 look-ups`)
}

async function trials(run: () => Promise<number>): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < TRIALS; i++) samples.push(await run())
  return samples
}

// ---------------------------------------------------------------------------------------------------------------
// Server memory at 10 000 registrations (first, on a quiet heap)

function heapUsed(): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

async function registrations(count: number): Promise<Array<{ id: PeerId; record: Uint8Array }>> {
  const out: Array<{ id: PeerId; record: Uint8Array }> = []
  for (let i = 0; i < count; i++) {
    const key: PrivateKey = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key)
    const address = multiaddr(`/ip4/10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/tcp/4001`)
    out.push({ id, record: await sealPeerRecord(key, id, [address]) })
  }
  return out
}

async function fill(
  store: RegistrationStore,
  peers: Array<{ id: PeerId; record: Uint8Array }>,
): Promise<void> {
  const service = new RendezvousService({ store })
  for (const peer of peers) {
    // A copy per registration, as each one arrives in its own frame.
    const response = await service.handle(peer.id, {
      type: 'REGISTER',
      ns: pointToNamespace(randomBytes(32)),
      signedPeerRecord: peer.record.slice(),
      ttl: 7200n,
    })
    if (response?.registerResponse?.status !== ResponseStatus.OK) throw new Error('registration refused')
  }
}

async function directorySize(path: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(path, { withFileTypes: true })) {
    total += entry.isDirectory()
      ? await directorySize(join(path, entry.name))
      : (await stat(join(path, entry.name))).size
  }
  return total
}

log(`signing ${REGISTRATIONS} peer records…`)
const peers = await registrations(REGISTRATIONS)
const memoryRows: string[] = []
{
  const before = heapUsed()
  const store = new MemoryRegistrationStore()
  await fill(store, peers)
  const after = heapUsed()
  memoryRows.push(
    `| MemoryRegistrationStore | ${REGISTRATIONS.toLocaleString('en-US')} | ${((after - before) / 2 ** 20).toFixed(1)} MiB | ${Math.round((after - before) / REGISTRATIONS)} B | — |`,
  )
  await store.close()
}
{
  const dir = await mkdtemp(join(os.tmpdir(), 'wesh-rdv-bench-'))
  const before = heapUsed()
  const store = await LevelRegistrationStore.open(dir)
  await fill(store, peers)
  const after = heapUsed()
  await store.close()
  memoryRows.push(
    `| LevelRegistrationStore (as \`wesh-rendezvous\`) | ${REGISTRATIONS.toLocaleString('en-US')} | ${((after - before) / 2 ** 20).toFixed(1)} MiB | ${Math.round((after - before) / REGISTRATIONS)} B | ${((await directorySize(dir)) / 2 ** 20).toFixed(1)} MiB |`,
  )
  await rm(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------------------------------------------------------
// Register → look-up latency

const latency: LatencyRow[] = []
const throughputRows: string[] = []

{
  log('rendezvous server: register → look-up…')
  const server: Libp2p<{ rendezvous: RendezvousServer }> = await createLibp2p({
    ...base(),
    services: { rendezvous: rendezvousServer() },
  })
  const servers = server.getMultiaddrs()
  const clients: Array<Libp2p<{ rendezvous: RendezvousClient }>> = await Promise.all(
    [0, 1].map(() => createLibp2p({ ...base(), services: { rendezvous: rendezvousClient({ servers }) } })),
  )
  const [registrar, searcher] = clients as [
    Libp2p<{ rendezvous: RendezvousClient }>,
    Libp2p<{ rendezvous: RendezvousClient }>,
  ]
  await registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId) // warm-up
  latency.push({
    system: 'rendezvous server',
    setup: 'in-process server and 2 clients over TCP on 127.0.0.1',
    samples: await trials(() =>
      registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId),
    ),
    target: '< 100 ms p95',
  })

  // Throughput, CLIENTS clients at once. Server: raw requests, one in flight per client on a stream kept open
  // (what the server itself sustains). Client: `registerNamespace` / `discoverNamespace`, which open a stream per
  // request, sign a fresh peer record per REGISTER and verify every record found.
  log('rendezvous server: REGISTER and DISCOVER throughput…')
  const keys = await Promise.all(Array.from({ length: CLIENTS }, () => generateKeyPair('Ed25519')))
  const throughputClients: Array<Libp2p<{ rendezvous: RendezvousClient }>> = await Promise.all(
    keys.map((privateKey) =>
      createLibp2p({ ...base(), privateKey, services: { rendezvous: rendezvousClient({ servers }) } }),
    ),
  )
  const serverAddr = servers[0]
  if (serverAddr === undefined) throw new Error('server has no address')
  await Promise.all(throughputClients.map((client) => client.dial(serverAddr)))
  const records = await Promise.all(
    throughputClients.map((client, c) =>
      sealPeerRecord(keys[c] as PrivateKey, client.peerId, client.getMultiaddrs()),
    ),
  )
  const namespaces = throughputClients.map(() => pointToNamespace(randomBytes(32)))
  const perSecond = async (run: (c: number) => Promise<void>): Promise<number> => {
    const start = performance.now()
    await Promise.all(throughputClients.map((_client, c) => run(c)))
    return ((CLIENTS * OPS_PER_CLIENT) / (performance.now() - start)) * 1000
  }
  const rawRequests = (request: (c: number, i: number) => Uint8Array) => async (c: number) => {
    const client = throughputClients[c]
    if (client === undefined) throw new Error('no client')
    const stream = await client.dialProtocol(serverAddr, RENDEZVOUS_PROTOCOL)
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    for (let i = 0; i < OPS_PER_CLIENT; i++) {
      await lp.write(request(c, i))
      const response = decodeResponse(await lp.read())
      if (response.status !== ResponseStatus.OK) throw new Error(`server answered ${response.status}`)
    }
    await stream.close()
  }
  const serverRegister = await perSecond(
    rawRequests((c, i) =>
      encodeMessage({
        type: MessageType.REGISTER,
        register: {
          ns: i === 0 ? (namespaces[c] ?? '') : pointToNamespace(randomBytes(32)),
          signedPeerRecord: records[c] ?? new Uint8Array(0),
          ttl: 7200n,
        },
      }),
    ),
  )
  const serverDiscover = await perSecond(
    rawRequests((c) =>
      encodeMessage({
        type: MessageType.DISCOVER,
        discover: { ns: namespaces[(c + 1) % CLIENTS] ?? '', limit: 100n },
      }),
    ),
  )
  const clientOps = (op: (client: RendezvousClient, c: number) => Promise<void>) => async (c: number) => {
    const client = throughputClients[c]
    if (client === undefined) throw new Error('no client')
    for (let i = 0; i < OPS_PER_CLIENT; i++) await op(client.services.rendezvous, c)
  }
  const clientRegister = await perSecond(
    clientOps(async (client) => {
      await client.registerNamespace(serverAddr, pointToNamespace(randomBytes(32)), 7200)
    }),
  )
  const clientLookup = await perSecond(
    clientOps(async (client, c) => {
      const found: string[] = []
      for await (const peer of client.discoverNamespace(serverAddr, namespaces[(c + 1) % CLIENTS] ?? '')) {
        found.push(peer.id.toString())
      }
      if (found.length !== 1) throw new Error(`expected 1 registration, found ${found.length}`)
    }),
  )
  const load = `${CLIENTS} clients × ${OPS_PER_CLIENT}`
  const rate = (value: number): string => Math.round(value).toLocaleString('en-US')
  throughputRows.push(
    `| REGISTER, server (requests on an open stream; the server verifies each record) | ${load} | ${rate(serverRegister)} |`,
    `| DISCOVER, server (requests on an open stream; 1 registration in the namespace) | ${load} | ${rate(serverDiscover)} |`,
    `| register, client (\`registerNamespace\`: new stream, signs a fresh peer record) | ${load} | ${rate(clientRegister)} |`,
    `| look-up, client (\`discoverNamespace\`: new stream per page, 2 pages, verifies the record) | ${load} | ${rate(clientLookup)} |`,
  )
  await stopAll([server, ...clients, ...throughputClients])
}

{
  log(`${DHT_NODES}-node DHT: register → look-up…`)
  type DhtNode = Libp2p<{ identify: unknown; ping: unknown; dht: KadDHT; rendezvous: DhtDiscovery }>
  const nodes: DhtNode[] = await Promise.all(
    Array.from({ length: DHT_NODES }, () =>
      createLibp2p({
        ...base(),
        services: {
          identify: identify(),
          ping: ping(),
          dht: rendezvousDht({ lan: true, protocol: '/wesh-bench/kad/1.0.0', kBucketSize: DHT_K }),
          rendezvous: dhtDiscovery(),
        },
      }),
    ),
  )
  const hubs = nodes.slice(0, 2)
  await Promise.all(nodes.slice(2).flatMap((node) => hubs.map((hub) => node.dial(hub.getMultiaddrs()))))
  await hubs[1]?.dial(hubs[0]?.getMultiaddrs() ?? [])
  const pick = (): [DhtNode, DhtNode] => {
    const others = nodes.slice(2)
    const a = others[Math.floor(Math.random() * others.length)]
    let b = a
    while (b === a) b = others[Math.floor(Math.random() * others.length)]
    if (a === undefined || b === undefined) throw new Error('no nodes')
    return [a, b]
  }
  const dhtTrial = (): Promise<number> => {
    const [registrar, searcher] = pick()
    return registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId)
  }
  for (let i = 0; i < 3; i++) await dhtTrial() // warm-up: the first queries fill the routing tables
  latency.push({
    system: `DHT (${DHT_NODES} nodes, k = ${DHT_K})`,
    setup: 'in-process kad-dht nodes over TCP on 127.0.0.1, 2 bootstrap nodes; random registrar and searcher',
    samples: await trials(dhtTrial),
    target: '< 2 s p95',
  })
  await stopAll(nodes)
}

{
  log('local records: register → look-up…')
  const nodes: Array<Libp2p<{ rendezvous: LocalRecords }>> = await Promise.all(
    [0, 1].map(() =>
      createLibp2p({ ...base(), services: { rendezvous: localRecords({ isDirect: () => true }) } }),
    ),
  )
  const [registrar, searcher] = nodes as [
    Libp2p<{ rendezvous: LocalRecords }>,
    Libp2p<{ rendezvous: LocalRecords }>,
  ]
  // The exchange when the connection opens; afterwards each register pushes the list and waits for the answer.
  const exchanged = new Promise((resolve) => {
    searcher.services.rendezvous.addEventListener('peer:records', resolve, { once: true })
  })
  await searcher.dial(registrar.getMultiaddrs())
  await exchanged
  await registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId) // warm-up
  latency.push({
    system: 'local records',
    setup: '2 nodes over TCP on 127.0.0.1, the link marked direct; register pushes the list',
    samples: await trials(() =>
      registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId),
    ),
    target: '—',
  })
  await stopAll(nodes)
}

// ---------------------------------------------------------------------------------------------------------------
// In-process server core (no network): where the time of a REGISTER and a DISCOVER goes

const core = new RendezvousService()
const corePeer = peers[0]
if (corePeer === undefined) throw new Error('no peers')
const coreNamespace = pointToNamespace(randomBytes(32))
await core.handle(corePeer.id, {
  type: 'REGISTER',
  ns: coreNamespace,
  signedPeerRecord: corePeer.record,
  ttl: 7200n,
})
const coreRows = await runBenchTable('@wesh/rendezvous server core (RendezvousService.handle, in process)', [
  {
    title: 'one request',
    tasks: [
      {
        name: 'DISCOVER (1 registration)',
        fn: () =>
          core.handle(corePeer.id, { type: 'DISCOVER', ns: coreNamespace, limit: 100n, cookie: undefined }),
      },
      {
        name: 'REGISTER (verifies the signed peer record)',
        fn: () =>
          core.handle(corePeer.id, {
            type: 'REGISTER',
            ns: coreNamespace,
            signedPeerRecord: corePeer.record,
            ttl: 7200n,
          }),
      },
    ],
  },
])
await core.store.close()

// ---------------------------------------------------------------------------------------------------------------

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(0))
console.log(
  [
    `## @wesh/rendezvous: register → successful look-up, ${TRIALS} trials each`,
    '',
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    '| system | setup | p50 | p95 | max | target |',
    '|---|---|---:|---:|---:|---|',
    ...latency.map((row) => {
      const sorted = [...row.samples].sort((a, b) => a - b)
      return `| ${row.system} | ${row.setup} | ${ms(percentile(sorted, 50))} ms | ${ms(percentile(sorted, 95))} ms | ${ms(sorted.at(-1) ?? NaN)} ms | ${row.target} |`
    }),
    '',
    '## Rendezvous server throughput',
    '',
    '| operation | load | per second |',
    '|---|---|---:|',
    ...throughputRows,
    ...coreRows.map(
      (row) =>
        `| ${row.name}, in process | sequential | ${Math.round(row.opsPerSecond).toLocaleString('en-US')} |`,
    ),
    '',
    `## Rendezvous server memory at ${REGISTRATIONS.toLocaleString('en-US')} registrations`,
    '',
    `Heap growth after GC${gc === undefined ? ' (run with --expose-gc for exact numbers: GC was not available)' : ''}; distinct peers, one ~${peers[0]?.record.length ?? 0}-byte signed peer record each.`,
    '',
    '| store | registrations | heap | per registration | on disk |',
    '|---|---:|---:|---:|---:|',
    ...memoryRows,
    '',
  ].join('\n'),
)
