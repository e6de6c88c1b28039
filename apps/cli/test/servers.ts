import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { app, startProcess } from './processes.js'

/** A server app (`apps/rendezvous-server`, `apps/replication-server`) running as its own process on 127.0.0.1. */
export interface ServerProcess {
  /** Its TCP multiaddr with /p2p/<peer ID>. */
  readonly address: string
  stop(): Promise<void>
}

// The servers are devDependencies of the CLI: turbo builds them before these tests run.
const serverMain = (name: string) => join(app, 'node_modules', '@wesh', name, 'dist', 'main.js')

async function startServer(name: string, args: (data: string) => Promise<string[]>): Promise<ServerProcess> {
  const data = await mkdtemp(join(tmpdir(), `wesh-cli-${name}-`))
  const server = startProcess(process.execPath, [serverMain(name), ...(await args(data))], {})
  const stop = async () => {
    await server.stop('SIGTERM')
    await rm(data, { recursive: true, force: true })
  }
  try {
    // Both print one JSON line once listening: { peerId, multiaddrs, … }.
    const ready = JSON.parse(await server.line((line) => line.includes('"multiaddrs"'))) as {
      peerId: string
      multiaddrs: string[]
    }
    const tcp = ready.multiaddrs.find((address) => address.includes('/tcp/'))!
    return { address: tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${ready.peerId}`, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

export function startRendezvousServer(): Promise<ServerProcess> {
  return startServer('rendezvous-server', (data) =>
    Promise.resolve(['--listen', '/ip4/127.0.0.1/tcp/0', '--data', data]),
  )
}

/** A replication server that accepts one token, returned with it. */
export async function startReplicationServer(): Promise<ServerProcess & { token: string }> {
  const token = randomBytes(32).toString('hex')
  const server = await startServer('replication-server', async (data) => {
    const tokens = join(data, 'tokens.json')
    await writeFile(tokens, JSON.stringify({ v: 1, tokens: [{ name: 't', token, maxGroups: 5 }] }), {
      mode: 0o600,
    })
    return [
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--http',
      '127.0.0.1:0',
      '--data',
      join(data, 'store'),
      '--tokens',
      tokens,
    ]
  })
  return { ...server, token }
}
