import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isWeshError } from '@wesh/crypto'
import { MAX_REQUEST_BYTES } from '../constants.js'
import { CliErrorCode, cliError, errorBody } from '../errors.js'
import type { Log } from '../log.js'
import { matchPath, type Route } from './route.js'

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Ends open streams, closes every connection and stops listening. */
  close(): Promise<void>
}

export interface ApiServerOptions {
  readonly routes: readonly Route[]
  /** Every request must carry `Authorization: Bearer <token>`. */
  readonly token: string
  /** 0 (default) picks a free port. */
  readonly port?: number
  readonly log: Log
}

/** HTTP status per error code; every other code is the caller's input (400). */
const STATUS: Record<string, number> = {
  [CliErrorCode.UNAUTHORIZED]: 401,
  [CliErrorCode.NOT_FOUND]: 404,
  GROUP_UNKNOWN: 404,
  [CliErrorCode.POLL_UNKNOWN]: 404,
  [CliErrorCode.CONTACT_UNKNOWN]: 404,
  [CliErrorCode.INTERNAL]: 500,
}

/**
 * The daemon's local API: JSON over HTTP on 127.0.0.1 only, behind a bearer token that only the profile's owner can
 * read, so other users of the machine and web pages (which cannot set the header cross-origin) cannot use it.
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const expected = Buffer.from(`Bearer ${options.token}`)
  const hangUps = new Set<AbortController>()
  const server = createServer((request, response) => {
    const hangUp = new AbortController()
    hangUps.add(hangUp)
    response.once('close', () => {
      hangUp.abort()
      hangUps.delete(hangUp)
    })
    handle(request, response, hangUp.signal).catch((error: unknown) => {
      options.log('error', 'API request failed', { error: String(error) })
      response.destroy()
    })
  })

  async function handle(request: IncomingMessage, response: ServerResponse, signal: AbortSignal) {
    try {
      const given = Buffer.from(request.headers.authorization ?? '')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw cliError(CliErrorCode.UNAUTHORIZED, 'missing or wrong API token')
      }
      const url = requestUrl(request.url ?? '/')
      let params: Record<string, string> | undefined
      const route = options.routes.find(
        (candidate) =>
          candidate.method === request.method &&
          (params = matchPath(candidate.path, url.pathname)) !== undefined,
      )
      if (route === undefined || params === undefined) {
        throw cliError(CliErrorCode.NOT_FOUND, `no API route ${request.method ?? ''} ${url.pathname}`)
      }
      const body = request.method === 'POST' ? await readJson(request) : undefined
      const apiRequest = { params, query: url.searchParams, body, signal }
      if (route.kind === 'json') {
        const result = await route.handle(apiRequest)
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null))
        return
      }
      const lines = await route.handle(apiRequest)
      response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
      response.flushHeaders()
      try {
        for await (const item of lines) {
          if (!response.write(`${JSON.stringify(item)}\n`)) {
            await new Promise((resolve) => response.once('drain', resolve))
          }
        }
      } catch (error) {
        // Headers are gone: a stream reports its failure as its last line.
        if (!signal.aborted) response.write(`${JSON.stringify({ error: errorBody(error) })}\n`)
      }
      response.end()
    } catch (error) {
      if (!isWeshError(error)) options.log('error', 'API request failed', { error: String(error) })
      const body = errorBody(error)
      if (response.headersSent) {
        response.end()
        return
      }
      response
        .writeHead(STATUS[body.code] ?? 400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: body }))
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const hangUp of hangUps) hangUp.abort()
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve()
        }),
      )
      server.closeAllConnections()
      await closed
    },
  }
}

/** The request target as a URL; one that is not a path (`/\host`, found by the API fuzz) is the client's error. */
function requestUrl(target: string): URL {
  try {
    return new URL(target, 'http://127.0.0.1')
  } catch {
    throw cliError(CliErrorCode.BAD_REQUEST, 'the request target is not a valid path')
  }
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_REQUEST_BYTES) {
      throw cliError(CliErrorCode.BAD_REQUEST, `request body over ${MAX_REQUEST_BYTES} bytes`, {
        data: { max: MAX_REQUEST_BYTES },
      })
    }
    chunks.push(chunk)
  }
  if (size === 0) return {}
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch {
    throw cliError(CliErrorCode.BAD_REQUEST, 'request body is not JSON')
  }
}
