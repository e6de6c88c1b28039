import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { randomBytes } from '@wesh/crypto'
import { pointToNamespace, rendezvousClient, sealPeerRecord, type RendezvousClient } from '@wesh/rendezvous'
import { collectPeers } from '@wesh/rendezvous/compliance'
import { LevelRegistrationStore } from '@wesh/rendezvous/level'
import { createLibp2p } from 'libp2p'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'

const app = fileURLToPath(new URL('..', import.meta.url))
const main = join(app, 'dist', 'main.js')

interface Listening {
  event: 'listening'
  peerId: string
  multiaddrs: string[]
  metrics?: string
}

interface Started {
  child: ChildProcess
  listening: Listening
}

/** Starts the server process and resolves with its "listening" line. */
function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout })
    lines.once('line', (line) => resolve({ child, listening: JSON.parse(line) as Listening }))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)))
  })
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    child.once('exit', (code) => resolve(code))
    child.kill('SIGTERM')
  })
}

async function client(servers: string[]): Promise<Libp2p<{ rendezvous: RendezvousClient }>> {
  return createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), rendezvous: rendezvousClient({ servers }) },
  })
}

describe('wesh-rendezvous process', () => {
  let data: string
  const children: ChildProcess[] = []
  const nodes: Libp2p[] = []

  beforeAll(async () => {
    execFileSync(process.execPath, [join(app, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: app,
      stdio: 'ignore',
    })
    data = await mkdtemp(join(tmpdir(), 'wesh-rdv-app-'))
  }, 60_000)
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop()
    await Promise.all(children.splice(0).map((child) => stop(child)))
  })
  afterAll(async () => {
    await rm(data, { recursive: true, force: true })
  })

  it('prints its help', () => {
    const help = execFileSync(process.execPath, [main, '--help'], { encoding: 'utf8' })
    expect(help).toContain('--listen <multiaddr>')
  })

  it('lets two clients meet, serves metrics, stops on SIGTERM and keeps registrations across a restart', async () => {
    const args = ['--listen', '/ip4/127.0.0.1/tcp/0', '--data', data, '--metrics', '127.0.0.1:0']
    const first = await start(args)
    children.push(first.child)
    const servers = first.listening.multiaddrs
    const [alice, bob] = await Promise.all([client(servers), client(servers)])
    nodes.push(alice, bob)
    const point = randomBytes(32)
    expect(await alice.services.rendezvous.register(point)).toEqual({ ttl: 7200 })
    const found = await collectPeers(bob.services.rendezvous.lookup(point))
    expect(found.map((peer) => peer.id.toString())).toEqual([alice.peerId.toString()])

    const metrics = await (await fetch(first.listening.metrics!)).text()
    expect(metrics).toContain('wesh_rendezvous_registrations 1')
    expect(metrics).toContain('wesh_rendezvous_register_total{status="OK"} 1')

    expect(await stop(first.child)).toBe(0)
    children.pop()
    const second = await start(['--listen', '/ip4/127.0.0.1/tcp/0', '--data', data])
    children.push(second.child)
    expect(second.listening.peerId).toBe(first.listening.peerId)
    const searcher = await client(second.listening.multiaddrs)
    nodes.push(searcher)
    const again = await collectPeers(searcher.services.rendezvous.lookup(point))
    expect(again.map((peer) => peer.id.toString())).toEqual([alice.peerId.toString()])
  }, 60_000)

  it('pages a client through 2 500 registrations', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wesh-rdv-crowd-'))
    try {
      // 2 500 peers registered with signed records (each peer may only register itself over its own
      // connection, so the registrations are written into the server's store before it starts).
      const point = randomBytes(32)
      const store = await LevelRegistrationStore.open(join(dir, 'registrations'))
      for (let i = 0; i < 2500; i++) {
        const key = await generateKeyPair('Ed25519')
        const id = peerIdFromPrivateKey(key)
        await store.put({
          namespace: pointToNamespace(point),
          peerId: id.toString(),
          signedPeerRecord: await sealPeerRecord(key, id, [multiaddr(`/ip4/127.0.0.1/tcp/${1000 + i}`)]),
          expiresAt: Date.now() + 3_600_000,
        })
      }
      await store.close()
      const server = await start(['--listen', '/ip4/127.0.0.1/tcp/0', '--data', dir])
      children.push(server.child)
      const searcher = await client(server.listening.multiaddrs)
      nodes.push(searcher)
      const found = await collectPeers(searcher.services.rendezvous.lookup(point))
      expect(new Set(found.map((peer) => peer.id.toString())).size).toBe(2500)
    } finally {
      await Promise.all(children.splice(0).map((child) => stop(child)))
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('exits with 2 and the usage on a bad flag', () => {
    let status = 0
    try {
      execFileSync(process.execPath, [main, '--bogus'], { stdio: 'pipe' })
    } catch (error) {
      status = (error as { status: number }).status
    }
    expect(status).toBe(2)
  })
})
