import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, stop } from './server-process.ts'

/** Groups the fuzz's token may hold: the fuzz's corpus has one more, so that the quota refusal is reached too. */
export const FUZZ_MAX_GROUPS = 2

export interface FuzzServer {
  readonly api: { url: string; token: string }
  /** Whether the server still answers an authenticated `GET /v1/groups`, after the fuzz. */
  alive(): Promise<boolean>
  /**
   * The 5xx answers the server counted (`/metrics`), those its clients never read included: a request that failed
   * after its client had gone is a finding too.
   */
  serverErrors(): Promise<number>
  /** Stops the server (SIGTERM; its exit code is returned) and removes its data directory. */
  stop(): Promise<number | null>
}

/**
 * A real `wesh-replication` in a child process on a fresh data directory, its libp2p node and HTTP API on 127.0.0.1
 * only, with one token of {@link FUZZ_MAX_GROUPS} groups: what the API fuzz sends its requests to.
 */
export async function startFuzzServer(): Promise<FuzzServer> {
  const root = await mkdtemp(join(tmpdir(), 'wesh-repl-api-fuzz-'))
  const token = 'a-token-for-the-api-fuzz-0123456789'
  const tokens = join(root, 'tokens.json')
  await writeFile(
    tokens,
    JSON.stringify({ v: 1, tokens: [{ name: 'fuzz', token, maxGroups: FUZZ_MAX_GROUPS }] }),
  )
  const args = ['--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0', '--dht', 'lan']
  const server = await start([...args, '--data', join(root, 'repl'), '--tokens', tokens], { keepLogs: false })
  const api = { url: server.listening.http, token }
  return {
    api,
    async alive() {
      return fetch(`${api.url}/v1/groups`, { headers: { authorization: `Bearer ${token}` } }).then(
        (response) => response.ok,
        () => false,
      )
    },
    async serverErrors() {
      const metrics = await (await fetch(`${api.url}/metrics`)).text()
      return [...metrics.matchAll(/^wesh_replication_http_responses_total\{status="5\d\d"\} (\d+)$/gm)]
        .map(([, count]) => Number(count))
        .reduce((sum, count) => sum + count, 0)
    },
    async stop() {
      const code = await stop(server.child)
      await rm(root, { recursive: true, force: true })
      return code
    },
  }
}
