import { noise } from '@libp2p/noise'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { isWeshError } from '@wesh/crypto'
import {
  decodeResponse,
  encodeMessage,
  MAX_RESPONSE_BYTES,
  MessageType,
  openPeerRecord,
  RENDEZVOUS_PROTOCOL,
  rendezvousClient,
  ResponseStatus,
  type RendezvousClient,
  type RendezvousResponse,
} from '@wesh/rendezvous'
import { lpStream } from '@libp2p/utils'
import { createLibp2p, type Libp2p } from 'libp2p'
import { ServerProcess } from './server-process.js'
import type { ServerMemory } from './server-protocol.js'

export interface RendezvousLoadOptions {
  /** Registering peers (each its own libp2p node and peer ID). */
  readonly peers: number
  /** Namespaces each peer registers in: every namespace ends up with one registration per peer. */
  readonly namespacesPerPeer: number
  /** The server's per-peer limit; each peer then tries one namespace more, which must be refused. */
  readonly maxRegistrationsPerPeer: number
  /** Peers registering at once. */
  readonly concurrency: number
  /** Peers paging through DISCOVER while the others register; default 4. */
  readonly discoverers?: number
  /** DISCOVER page size of the discoverers; default 10. */
  readonly pageSize?: number
  /** The built server entry (`dist/load/server-child.js`). */
  readonly serverScript: string
  /** The whole run is abandoned after this long (every request then fails); default 10 min. */
  readonly timeoutMs?: number
  readonly log?: (line: string) => void
}

export interface RendezvousLoadReport {
  readonly peers: number
  readonly registrations: number
  readonly registerMs: number
  /** REGISTER latency percentiles while every registering peer is at work, ms. */
  readonly registerP50Ms: number
  readonly registerP99Ms: number
  /** Registrations over the per-peer limit that the server refused (E_NOT_AUTHORIZED), out of `peers` tried. */
  readonly refusedOverLimit: number
  /** Renewals of a namespace already held at the limit, accepted. */
  readonly renewalsAtLimit: number
  /** DISCOVER pages read while registrations ran, and how many passes saw a peer twice (must be 0). */
  readonly pagesUnderLoad: number
  readonly duplicatePasses: number
  /** After the load: namespaces whose full paging returned exactly one registration per peer. */
  readonly completeNamespaces: number
  readonly namespaces: number
  /** After the load: registrations returned by paging the whole server (empty namespace). */
  readonly allPaged: number
  readonly allPages: number
  /** A second round: every peer registers every namespace again (renewals). */
  readonly renewMs: number
  readonly memory: {
    readonly empty: ServerMemory
    readonly loaded: ServerMemory
    readonly renewed: ServerMemory
  }
  readonly counters: Record<string, unknown>
  readonly problems: readonly string[]
}

type ClientNode = Libp2p<{ rendezvous: RendezvousClient }>

const namespaceOf = (index: number) => `wesh-load/ns-${index}`

/**
 * The rendezvous server's load test (issue 10): `peers` peers each register in `namespacesPerPeer` namespaces
 * (`concurrency` peers at a time), try one more than the server's per-peer limit allows, and renew one at the
 * limit; meanwhile `discoverers` peers page through DISCOVER. Then every namespace is paged through in full,
 * then the whole server; then every registration is renewed once. The server runs in a child process, measured
 * (after a GC) empty, loaded and after the renewals. Loops are bounded by the counts given and by `timeoutMs`.
 */
export async function runRendezvousLoad(options: RendezvousLoadOptions): Promise<RendezvousLoadReport> {
  const { peers, namespacesPerPeer, maxRegistrationsPerPeer, concurrency, log = () => undefined } = options
  const { discoverers = 4, pageSize = 10, timeoutMs = 600_000 } = options
  const deadline = AbortSignal.timeout(timeoutMs)
  const problems: string[] = []
  const server = await ServerProcess.start(options.serverScript, {
    role: 'rendezvous',
    maxRegistrationsPerPeer,
  })
  const nodes: ClientNode[] = []
  const startClient = async () => {
    const node = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { rendezvous: rendezvousClient({ servers: [server.address], pageSize }) },
    })
    nodes.push(node)
    return node
  }
  const address: Multiaddr = multiaddr(server.address)
  try {
    const empty = (await server.measure()).memory
    const registrants = await Promise.all(Array.from({ length: peers }, startClient))
    let registering = true
    let pagesUnderLoad = 0
    let duplicatePasses = 0
    const discovering = Array.from({ length: discoverers }, async (_, d) => {
      const node = await startClient()
      for (let pass = 0; registering && pass < 10_000 && !deadline.aborted; pass++) {
        // One registration returned twice in a pass would be a paging bug; a renewal comes back as a new record.
        const seen = new Set<string>()
        let duplicate = false
        const namespace = namespaceOf((pass * discoverers + d) % namespacesPerPeer)
        for await (const page of pages(node, address, namespace, pageSize, deadline)) {
          pagesUnderLoad++
          for (const registration of page) {
            const key = Buffer.from(registration.signedPeerRecord).toString('base64')
            if (seen.has(key)) duplicate = true
            seen.add(key)
          }
        }
        if (duplicate) duplicatePasses++
      }
    })

    const latencies: number[] = []
    let refusedOverLimit = 0
    let renewalsAtLimit = 0
    let registrations = 0
    const registerAll = async (index: number) => {
      const client = (registrants[index] as ClientNode).services.rendezvous
      for (let n = 0; n < namespacesPerPeer; n++) {
        const start = performance.now()
        await client.registerNamespace(address, namespaceOf(n), 7200, deadline)
        latencies.push(performance.now() - start)
        registrations++
      }
      // One over the limit: refused. A renewal at the limit: accepted (spec "Registration Lifetime").
      if (namespacesPerPeer < maxRegistrationsPerPeer) return
      try {
        await client.registerNamespace(address, `wesh-load/over-limit-${index}`, 7200, deadline)
        problems.push(`peer ${index}: a registration over the limit was accepted`)
      } catch (error) {
        if (isWeshError(error) && error.data?.status === ResponseStatus.E_NOT_AUTHORIZED) refusedOverLimit++
        else problems.push(`peer ${index}: over the limit: ${String(error)}`)
      }
      await client.registerNamespace(address, namespaceOf(0), 7200, deadline)
      renewalsAtLimit++
    }
    const inBatches = async (run: (index: number) => Promise<void>, what: string) => {
      for (let first = 0; first < peers; first += concurrency) {
        const batch = Array.from({ length: Math.min(concurrency, peers - first) }, (_, i) => first + i)
        await Promise.all(batch.map(run))
        log(`${what}: ${first + batch.length} of ${peers} peers done`)
      }
    }
    const registerStart = performance.now()
    await inBatches(registerAll, 'register')
    const registerMs = performance.now() - registerStart
    registering = false
    await Promise.all(discovering)
    const loaded = (await server.measure()).memory

    // Every namespace in full: one registration per peer, whose record names that peer.
    const reader = await startClient()
    let completeNamespaces = 0
    for (let n = 0; n < namespacesPerPeer; n++) {
      const seen = new Set<string>()
      for await (const page of pages(reader, address, namespaceOf(n), 30, deadline))
        for (const registration of page) {
          const record = await openPeerRecord(registration.signedPeerRecord)
          if (record !== undefined) seen.add(record.peerId.toString())
        }
      if (seen.size === peers) completeNamespaces++
      else problems.push(`${namespaceOf(n)}: ${seen.size} peers paged, ${peers} registered`)
    }
    // The whole server, in the largest pages.
    let allPaged = 0
    let allPages = 0
    for await (const page of pages(reader, address, '', 1000, deadline)) {
      allPages++
      allPaged += page.length
    }
    if (allPaged !== registrations)
      problems.push(`the whole server paged ${allPaged} of ${registrations} registrations`)
    log(`paged ${completeNamespaces} namespaces in full, and ${allPaged} registrations in ${allPages} pages`)

    const renewStart = performance.now()
    await inBatches(async (index) => {
      const client = (registrants[index] as ClientNode).services.rendezvous
      for (let n = 0; n < namespacesPerPeer; n++)
        await client.registerNamespace(address, namespaceOf(n), 7200, deadline)
    }, 'renew')
    const renewMs = performance.now() - renewStart
    const { memory: renewed, counters } = await server.measure()
    return {
      peers,
      registrations,
      registerMs,
      registerP50Ms: percentile(latencies, 50),
      registerP99Ms: percentile(latencies, 99),
      refusedOverLimit,
      renewalsAtLimit,
      pagesUnderLoad,
      duplicatePasses,
      completeNamespaces,
      namespaces: namespacesPerPeer,
      allPaged,
      allPages,
      renewMs,
      memory: { empty, loaded, renewed },
      counters,
      problems,
    }
  } finally {
    await Promise.allSettled(nodes.map(async (node) => node.stop()))
    await server.stop()
  }
}

/**
 * One full DISCOVER paging of `namespace`, page by page: one stream per request as the client does, following
 * the cookie until an empty page. At most 1 000 pages.
 */
async function* pages(
  node: ClientNode,
  server: Multiaddr,
  namespace: string,
  limit: number,
  signal: AbortSignal,
): AsyncGenerator<Extract<RendezvousResponse, { type: 'DISCOVER_RESPONSE' }>['registrations']> {
  let cookie: Uint8Array<ArrayBuffer> | undefined
  for (let page = 0; page < 1000; page++) {
    const stream = await node.dialProtocol(server, RENDEZVOUS_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: MAX_RESPONSE_BYTES })
    await lp.write(
      encodeMessage({
        type: MessageType.DISCOVER,
        discover: { ns: namespace, limit: BigInt(limit), ...(cookie === undefined ? {} : { cookie }) },
      }),
      { signal },
    )
    const response = decodeResponse(await lp.read({ signal }))
    await stream.close({ signal })
    if (response.type !== 'DISCOVER_RESPONSE' || response.status !== ResponseStatus.OK)
      throw new Error(`DISCOVER ${namespace}: ${response.type} ${response.status}`)
    if (response.registrations.length === 0 || response.cookie === undefined) return
    yield response.registrations
    cookie = new Uint8Array(response.cookie)
  }
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}
