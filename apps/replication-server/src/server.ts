import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ReplicationTokens } from '@wesh/replication'
import {
  createReplicationNode,
  linkReplicationDevice,
  replicationHttpApi,
  type ReplicaEventDetail,
  type ReplicationNode,
} from '@wesh/replication/node'
import type { ServerConfig } from './config.js'
import type { Log } from './log.js'
import { renderMetrics } from './metrics.js'

export interface RunningServer {
  readonly replicas: ReplicationNode
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly httpUrl: string
  stop(): Promise<void>
}

async function loadTokens(path: string | undefined, log: Log): Promise<ReplicationTokens | undefined> {
  if (path === undefined) {
    log('warn', 'no tokens file: every request to add a group will be refused')
    return undefined
  }
  return ReplicationTokens.fromJSON(JSON.parse(await readFile(path, 'utf8')) as unknown)
}

/** Wires the package's replication node, its HTTP API and metrics into one process; no protocol logic here. */
export async function startServer(config: ServerConfig, log: Log): Promise<RunningServer> {
  const tokens = await loadTokens(config.tokens, log)
  const replicas = await createReplicationNode({
    directory: config.data,
    network: { listen: config.listen, mdns: false, dht: config.dht },
    ...(tokens === undefined ? {} : { tokens }),
  })
  for (const key of replicas.unreadableRecords) log('warn', 'skipped an unreadable group record', { key })
  for (const { groupId, error } of replicas.unopenedGroups) {
    log('error', 'could not open the storage of a group: not served until repaired', {
      groupId: Buffer.from(groupId).toString('hex'),
      reason: error.data?.reason ?? 'unknown',
    })
  }
  const groupEvent = (level: 'info' | 'warn', msg: string) => (event: Event) => {
    const { groupId, error } = (event as CustomEvent<ReplicaEventDetail>).detail
    const fields: Record<string, unknown> = { groupId: Buffer.from(groupId).toString('hex') }
    if (error !== undefined) fields.error = error instanceof Error ? error.message : 'unknown error'
    log(level, msg, fields)
  }
  replicas.addEventListener('rejected', groupEvent('warn', 'rejected a forged entry'))
  replicas.addEventListener('paused', groupEvent('warn', 'paused a group over its quota'))
  replicas.addEventListener('removed', groupEvent('info', 'removed a group'))
  replicas.addEventListener('error', groupEvent('warn', 'replication error'))

  const api = replicationHttpApi(replicas)
  const http: Server = createServer((request, response) => {
    response.on('finish', () => {
      log('info', 'http', { method: request.method, path: request.url, status: response.statusCode })
    })
    if (api.handle(request, response)) return
    if (request.method === 'GET' && request.url === '/metrics') {
      response
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(renderMetrics(replicas, api.stats))
      return
    }
    api.notFound(request, response)
  })
  http.on('clientError', (error, socket) => {
    api.clientError(error, socket)
  })
  const at = config.http.lastIndexOf(':')
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen(Number(config.http.slice(at + 1)), config.http.slice(0, at), resolve)
    })
  } catch (error) {
    await replicas.stop()
    throw error
  }
  if (config.link !== undefined) {
    // In the background: the server serves its groups (and the accounts linked before) whatever the outcome.
    linkReplicationDevice({ replica: replicas, code: config.link }).then(
      (linked) => {
        log('info', 'linked to an account as its replication device', {
          accountId: Buffer.from(linked.accountId).toString('hex'),
        })
      },
      (error: unknown) => {
        log('error', 'linking to an account failed', {
          code: (error as { code?: unknown }).code ?? 'unknown',
          error: error instanceof Error ? error.message : 'unknown error',
        })
      },
    )
  }
  const port = (http.address() as AddressInfo).port
  return {
    replicas,
    httpUrl: `http://${config.http.slice(0, at)}:${port}`,
    async stop() {
      http.closeAllConnections()
      await new Promise<void>((resolve) => {
        http.close(() => {
          resolve()
        })
      })
      await replicas.stop()
    },
  }
}
