import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'

/** A server app running as its own process, as an operator would run it. */
export interface ServerProcess {
  /** The libp2p address that clients dial, ending with `/p2p/<peer ID>`. */
  readonly address: string
  /** The HTTP API's base URL, when the server has one. */
  readonly http: string | undefined
  stop(): Promise<void>
}

/**
 * Starts the built `bin` of a server app of this repository (`@wesh/rendezvous-server`, `@wesh/replication-server`)
 * with Node, and resolves once it prints its `{"event":"listening",…}` line.
 */
export async function startServerProcess(app: string, args: readonly string[]): Promise<ServerProcess> {
  const main = join(dirname(createRequire(import.meta.url).resolve(`${app}/package.json`)), 'dist', 'main.js')
  const child: ChildProcess = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000)
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  try {
    const ready = await new Promise<{ peerId: string; multiaddrs: string[]; http?: string }>(
      (resolve, reject) => {
        if (!child.stdout) throw new Error('no stdout')
        createInterface({ input: child.stdout }).once('line', (line) => {
          resolve(JSON.parse(line) as { peerId: string; multiaddrs: string[]; http?: string })
        })
        child.once('exit', (code) => {
          reject(new Error(`${app} exited with ${String(code)}: ${stderr}`))
        })
      },
    )
    const tcp = ready.multiaddrs.find((address) => address.includes('/tcp/'))
    if (tcp === undefined) throw new Error(`${app} listens on no TCP address`)
    return {
      address: tcp.includes('/p2p/') ? tcp : `${tcp}/p2p/${ready.peerId}`,
      http: ready.http,
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
