// Time from register to a successful look-up on each discovery system, rendezvous-server throughput, and server
// memory at 10 000 registrations, in one run on this machine, each next to a baseline measured in the same run:
// as many request/response exchanges on a bare libp2p protocol over the same connections (latency), requests and
// responses of the same sizes on that protocol (throughput), a plain `Map` of the same registrations (memory).
// Run with `pnpm build && pnpm bench` (Node 24 strips the types; `@wesh/rendezvous` resolves to this package's
// dist). TRIALS scales the latency trials.
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
// The baselines' protocol: it answers each frame with a frame of a set size and does nothing else.
const REPLY_PROTOCOL = '/wesh-bench/reply/1.0.0'
const EXCHANGE_BYTES = 32

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

/** `value` in units of `baseline`, as `runBenchTable` prints it. */
function times(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`
}

/** Makes `node` answer every frame on a {@link REPLY_PROTOCOL} stream with `reply`, until the remote closes. */
async function serveReplies(node: Libp2p, reply: Uint8Array): Promise<void> {
  await node.handle(REPLY_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    try {
      while (stream.readStatus === 'readable') {
        await lp.read()
        await lp.write(reply)
      }
    } catch (error) {
      // The remote closed its end: the end of its requests.
      if (!(error instanceof Error && error.name === 'UnexpectedEOFError')) {
        stream.abort(error instanceof Error ? error : new Error(String(error)))
        return
      }
    }
    await stream.close()
  })
}

/**
 * Milliseconds for one bare exchange as a rendezvous client or local-records push makes it: open a new stream to
 * `to` (on the connection already there), write one frame, read the answer, close.
 */
async function exchange(from: Libp2p, to: PeerId): Promise<number> {
  const start = performance.now()
  const stream = await from.dialProtocol(to, REPLY_PROTOCOL)
  const lp = lpStream(stream)
  await lp.write(randomBytes(EXCHANGE_BYTES))
  await lp.read()
  await stream.close()
  return performance.now() - start
}

interface LatencyRow {
  system: string
  setup: string
  /** What the baseline does: as many bare exchanges, over the same connections. */
  baseline: string
  samples: number[]
  baselineSamples: number[]
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

/**
 * TRIALS trials, each its baseline right before its measurement, so that both see the same load on the shared
 * machine.
 */
async function trials(
  run: () => Promise<{ baseline: number; sample: number }>,
): Promise<Pick<LatencyRow, 'samples' | 'baselineSamples'>> {
  const samples: number[] = []
  const baselineSamples: number[] = []
  for (let i = 0; i < TRIALS; i++) {
    const trial = await run()
    baselineSamples.push(trial.baseline)
    samples.push(trial.sample)
  }
  return { samples, baselineSamples }
}

// ---------------------------------------------------------------------------------------------------------------
// Server memory at 10 000 registrations (first, on a quiet heap)

/** The JS heap and the ArrayBuffers outside it (where signed peer records over 64 bytes live), after GC. */
function memoryUsed(): number {
  gc?.()
  gc?.()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

/**
 * Memory growth, after GC, by what `build` returns, which `release` then frees. A function per measurement: a
 * top-level block's variables can outlive the block in the module's suspended frame (it awaits), and be freed in
 * the middle of the next measurement.
 */
async function memoryGrowth<T>(
  build: () => Promise<T>,
  release: (held: T) => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const before = memoryUsed()
  const held = await build()
  const after = memoryUsed()
  await release(held)
  return after - before
}

async function registrations(count: number): Promise<Array<{ id: PeerId; record: Uint8Array }>> {
  const out: Array<{ id: PeerId; record: Uint8Array }> = []
  for (let i = 0; i < count; i++) {
    const key: PrivateKey = await generateKeyPair('Ed25519')
    const id = peerIdFromPrivateKey(key)
    id.toString() // cached in the PeerId, which every store below shares, so that none of them pays for it
    const address = multiaddr(`/ip4/10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/tcp/4001`)
    out.push({ id, record: await sealPeerRecord(key, id, [address]) })
  }
  return out
}

/**
 * A fresh namespace as a server holds it, decoded from a frame: one flat string. (Built by concatenation, as
 * `pointToNamespace` builds it, a string is a rope of pieces until something reads it whole, several times larger.)
 */
function receivedNamespace(): string {
  return new TextDecoder().decode(new TextEncoder().encode(pointToNamespace(randomBytes(32))))
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
      ns: receivedNamespace(),
      signedPeerRecord: peer.record.slice(),
      ttl: 7200n,
    })
    if (response?.registerResponse?.status !== ResponseStatus.OK) throw new Error('registration refused')
  }
}

/**
 * The memory baseline: the registrations' data and nothing else, one plain Map entry each (namespace → peer id,
 * signed peer record, expiry), from the same copies a store gets.
 */
function plainMap(
  peers: Array<{ id: PeerId; record: Uint8Array }>,
): Map<string, { peerId: string; signedPeerRecord: Uint8Array; expiresAt: number }> {
  const plain = new Map<string, { peerId: string; signedPeerRecord: Uint8Array; expiresAt: number }>()
  for (const peer of peers) {
    plain.set(receivedNamespace(), {
      peerId: peer.id.toString(),
      signedPeerRecord: peer.record.slice(),
      expiresAt: Date.now() + 7_200_000,
    })
  }
  if (plain.size !== peers.length) throw new Error('namespaces collided')
  return plain
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
const memory: Array<{ store: string; bytes: number; onDisk?: number }> = [
  {
    store: 'plain `Map` of the same registrations (baseline)',
    bytes: await memoryGrowth(() => Promise.resolve(plainMap(peers))),
  },
  {
    store: 'MemoryRegistrationStore',
    bytes: await memoryGrowth(
      async () => {
        const store = new MemoryRegistrationStore()
        await fill(store, peers)
        return store
      },
      (store) => store.close(),
    ),
  },
]
{
  const dir = await mkdtemp(join(os.tmpdir(), 'wesh-rdv-bench-'))
  const bytes = await memoryGrowth(
    async () => {
      const store = await LevelRegistrationStore.open(dir)
      await fill(store, peers)
      return store
    },
    (store) => store.close(),
  )
  memory.push({
    store: 'LevelRegistrationStore (as `wesh-rendezvous`)',
    bytes,
    onDisk: await directorySize(dir),
  })
  await rm(dir, { recursive: true, force: true })
}
const namespaceLength = receivedNamespace().length
const rawBytes = peers.reduce(
  (sum, peer) => sum + namespaceLength + peer.id.toString().length + peer.record.length + 8,
  0,
)

// ---------------------------------------------------------------------------------------------------------------
// Register → look-up latency, and the rendezvous server's throughput

const latency: LatencyRow[] = []
interface ThroughputRow {
  operation: string
  load: string
  perSecond: number
}
const throughput: { register: ThroughputRow[]; discover: ThroughputRow[] } = { register: [], discover: [] }

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
  await serveReplies(server, randomBytes(EXCHANGE_BYTES))
  await registerToLookup(registrar.services.rendezvous, searcher.services.rendezvous, registrar.peerId) // warm-up
  latency.push({
    system: 'rendezvous server',
    setup: 'in-process server and 2 clients over TCP on 127.0.0.1',
    // REGISTER on one stream, then DISCOVER on another (the first page finds the registrar).
    baseline: 'registrar → server, then searcher → server',
    ...(await trials(async () => ({
      baseline: (await exchange(registrar, server.peerId)) + (await exchange(searcher, server.peerId)),
      sample: await registerToLookup(
        registrar.services.rendezvous,
        searcher.services.rendezvous,
        registrar.peerId,
      ),
    }))),
    target: '< 100 ms p95',
  })

  // Throughput, CLIENTS clients at once. Server: raw requests, one in flight per client on a stream kept open
  // (what the server itself sustains); its baseline, frames of the same sizes each way on the reply protocol of
  // the same server node (what libp2p alone sustains). Client: `registerNamespace` / `discoverNamespace`, which
  // open a stream per request, sign a fresh peer record per REGISTER and verify every record found.
  log('rendezvous server: REGISTER and DISCOVER throughput…')
  await server.unhandle(REPLY_PROTOCOL)
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
  /** Frame sizes of the last exchange, in bytes, for the baseline to copy. */
  interface FrameSizes {
    request: number
    response: number
  }
  /** Client `c`'s OPS_PER_CLIENT requests, one in flight, on one stream; records the frames' sizes in `sizes`. */
  const requestsOnOpenStream = async (
    c: number,
    protocol: string,
    request: (i: number) => Uint8Array,
    check: (response: Uint8Array) => void,
    sizes: FrameSizes,
  ): Promise<void> => {
    const client = throughputClients[c]
    if (client === undefined) throw new Error('no client')
    const stream = await client.dialProtocol(serverAddr, protocol)
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    for (let i = 0; i < OPS_PER_CLIENT; i++) {
      const frame = request(i)
      await lp.write(frame)
      const response = (await lp.read()).subarray()
      check(response)
      sizes.request = frame.byteLength
      sizes.response = response.byteLength
    }
    await stream.close()
  }
  const rendezvousRequests = (request: (c: number, i: number) => Uint8Array, sizes: FrameSizes) =>
    perSecond((c) =>
      requestsOnOpenStream(
        c,
        RENDEZVOUS_PROTOCOL,
        (i) => request(c, i),
        (frame) => {
          const response = decodeResponse(frame)
          if (response.status !== ResponseStatus.OK) throw new Error(`server answered ${response.status}`)
        },
        sizes,
      ),
    )
  /** The baseline of an operation whose frames had `sizes`: frames of the same sizes on the reply protocol. */
  const bare = async (sizes: FrameSizes): Promise<number> => {
    const request = randomBytes(sizes.request)
    await serveReplies(server, randomBytes(sizes.response))
    const perSecondBare = await perSecond((c) =>
      requestsOnOpenStream(
        c,
        REPLY_PROTOCOL,
        () => request,
        (response) => {
          if (response.byteLength !== sizes.response) throw new Error('the reply has the wrong size')
        },
        { ...sizes },
      ),
    )
    await server.unhandle(REPLY_PROTOCOL)
    return perSecondBare
  }
  const registerSizes: FrameSizes = { request: 0, response: 0 }
  const serverRegister = await rendezvousRequests(
    (c, i) =>
      encodeMessage({
        type: MessageType.REGISTER,
        register: {
          ns: i === 0 ? (namespaces[c] ?? '') : pointToNamespace(randomBytes(32)),
          signedPeerRecord: records[c] ?? new Uint8Array(0),
          ttl: 7200n,
        },
      }),
    registerSizes,
  )
  const bareRegister = await bare(registerSizes)
  const discoverSizes: FrameSizes = { request: 0, response: 0 }
  const serverDiscover = await rendezvousRequests(
    (c) =>
      encodeMessage({
        type: MessageType.DISCOVER,
        discover: { ns: namespaces[(c + 1) % CLIENTS] ?? '', limit: 100n },
      }),
    discoverSizes,
  )
  const bareDiscover = await bare(discoverSizes)
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
  const bareRow = (sizes: FrameSizes, perSecond: number): ThroughputRow => ({
    operation: `bare libp2p request/response, ${sizes.request} B → ${sizes.response} B, on an open stream (baseline)`,
    load,
    perSecond,
  })
  throughput.register.push(
    bareRow(registerSizes, bareRegister),
    {
      operation: 'REGISTER, server (requests on an open stream; the server verifies each record)',
      load,
      perSecond: serverRegister,
    },
    {
      operation: 'register, client (`registerNamespace`: new stream, signs a fresh peer record)',
      load,
      perSecond: clientRegister,
    },
  )
  throughput.discover.push(
    bareRow(discoverSizes, bareDiscover),
    {
      operation: 'DISCOVER, server (requests on an open stream; 1 registration in the namespace)',
      load,
      perSecond: serverDiscover,
    },
    {
      operation: 'look-up, client (`discoverNamespace`: new stream per page, 2 pages, verifies the record)',
      load,
      perSecond: clientLookup,
    },
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
  const [hub] = hubs
  if (hub === undefined) throw new Error('no hub')
  // One node at a time: 36 Noise handshakes at once can outlast libp2p's upgrade timeout on a busy machine.
  for (const node of nodes.slice(2)) await Promise.all(hubs.map((other) => node.dial(other.getMultiaddrs())))
  await hubs[1]?.dial(hub.getMultiaddrs())
  await serveReplies(hub, randomBytes(EXCHANGE_BYTES))
  const pick = (): [DhtNode, DhtNode] => {
    const others = nodes.slice(2)
    const a = others[Math.floor(Math.random() * others.length)]
    let b = a
    while (b === a) b = others[Math.floor(Math.random() * others.length)]
    if (a === undefined || b === undefined) throw new Error('no nodes')
    return [a, b]
  }
  const dhtTrial = async (): Promise<{ baseline: number; sample: number }> => {
    const [registrar, searcher] = pick()
    return {
      baseline: (await exchange(registrar, hub.peerId)) + (await exchange(searcher, hub.peerId)),
      sample: await registerToLookup(
        registrar.services.rendezvous,
        searcher.services.rendezvous,
        registrar.peerId,
      ),
    }
  }
  for (let i = 0; i < 3; i++) await dhtTrial() // warm-up: the first queries fill the routing tables
  latency.push({
    system: `DHT (${DHT_NODES} nodes, k = ${DHT_K})`,
    setup: 'in-process kad-dht nodes over TCP on 127.0.0.1, 2 bootstrap nodes; random registrar and searcher',
    // The least a DHT could do: the registrar puts the record on one node, the searcher gets it from there.
    baseline: 'registrar → a bootstrap node, then searcher → the same node',
    ...(await trials(dhtTrial)),
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
  await serveReplies(searcher, randomBytes(EXCHANGE_BYTES))
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
    // One push on a new stream and its answer; the look-up is local.
    baseline: 'registrar → searcher',
    ...(await trials(async () => ({
      baseline: await exchange(registrar, searcher.peerId),
      sample: await registerToLookup(
        registrar.services.rendezvous,
        searcher.services.rendezvous,
        registrar.peerId,
      ),
    }))),
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
const [coreDiscover, coreRegister] = await runBenchTable(
  '@wesh/rendezvous server core (RendezvousService.handle, in process)',
  [
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
  ],
)
await core.store.close()
if (coreDiscover === undefined || coreRegister === undefined) throw new Error('no in-process figures')
throughput.register.push({
  operation: `${coreRegister.name}, in process (\`RendezvousService.handle\`, no network)`,
  load: 'sequential',
  perSecond: coreRegister.opsPerSecond,
})
throughput.discover.push({
  operation: `${coreDiscover.name}, in process (\`RendezvousService.handle\`, no network)`,
  load: 'sequential',
  perSecond: coreDiscover.opsPerSecond,
})

// ---------------------------------------------------------------------------------------------------------------

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value.toFixed(0))
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`
const count = (value: number): string => Math.round(value).toLocaleString('en-US')
const memoryBaseline = memory[0]?.bytes ?? NaN
console.log(
  [
    `## @wesh/rendezvous: register → successful look-up, ${TRIALS} trials each`,
    '',
    `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    '',
    'Each system next to its baseline: as many bare libp2p exchanges over the same connections (each a new stream,',
    `${EXCHANGE_BYTES} bytes each way, then close: what a rendezvous request or a local-records push costs on the wire),`,
    'timed in the same trial just before the register.',
    '',
    '| system | measured | p50 | p95 | max | vs baseline (p50, p95) | target |',
    '|---|---|---:|---:|---:|---:|---|',
    ...latency.flatMap((row) => {
      const sorted = [...row.samples].sort((a, b) => a - b)
      const baseline = [...row.baselineSamples].sort((a, b) => a - b)
      const [p50, p95, baseline50, baseline95] = [
        percentile(sorted, 50),
        percentile(sorted, 95),
        percentile(baseline, 50),
        percentile(baseline, 95),
      ]
      return [
        `| ${row.system} | ${row.baseline} (baseline) | ${ms(baseline50)} ms | ${ms(baseline95)} ms | ${ms(baseline.at(-1) ?? NaN)} ms | baseline | — |`,
        `| ${row.system} | register → look-up (${row.setup}) | ${ms(p50)} ms | ${ms(p95)} ms | ${ms(sorted.at(-1) ?? NaN)} ms | ${times(p50, baseline50)}, ${times(p95, baseline95)} | ${row.target} |`,
      ]
    }),
    '',
    '## Rendezvous server throughput',
    '',
    'Each operation next to a bare libp2p request/response with frames of the same sizes, on the same server node',
    'and connections, answered by a protocol that does nothing else; `vs baseline` is time per operation, as in',
    '`runBenchTable`.',
    '',
    '| operation | load | per second | vs baseline |',
    '|---|---|---:|---:|',
    ...[throughput.register, throughput.discover].flatMap((group) =>
      group.map(
        (row, i) =>
          `| ${row.operation} | ${row.load} | ${count(row.perSecond)} | ${i === 0 ? 'baseline' : `${times(group[0]?.perSecond ?? NaN, row.perSecond)} time`} |`,
      ),
    ),
    '',
    `## Rendezvous server memory at ${REGISTRATIONS.toLocaleString('en-US')} registrations`,
    '',
    `Growth of the JS heap plus ArrayBuffers after GC${gc === undefined ? ' (run with --expose-gc for exact numbers: GC was not available)' : ''}; distinct peers, one ~${peers[0]?.record.length ?? 0}-byte signed peer record each. The raw data (namespace, peer id, signed peer record, 8-byte expiry) is ${count(rawBytes / REGISTRATIONS)} B per registration, ${mib(rawBytes)} in all.`,
    '',
    '| store | registrations | memory | per registration | vs baseline | on disk |',
    '|---|---:|---:|---:|---:|---:|',
    ...memory.map(
      (row, i) =>
        `| ${row.store} | ${count(REGISTRATIONS)} | ${mib(row.bytes)} | ${count(row.bytes / REGISTRATIONS)} B | ${i === 0 ? 'baseline' : times(row.bytes, memoryBaseline)} | ${row.onDisk === undefined ? '—' : mib(row.onDisk)} |`,
    ),
    '',
  ].join('\n'),
)
