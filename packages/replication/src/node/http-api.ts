import { isWeshError, toHex } from '@wesh/crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { MAX_HTTP_BODY_BYTES } from '../constants.js'
import { malformed, replicationError, ReplicationErrorCode } from '../errors.js'
import { groupIdFromHex, replicaStatusToJson, replicationGroupFromJson } from '../json-codec.js'
import type { ReplicationRequest } from '../protocol-messages.js'
import type { TokenGrant } from '../tokens.js'
import { answerReplicationRequest, describeFailure } from './request-handler.js'
import type { ReplicationNode } from './replication-node.js'

/** HTTP status of each error code of the JSON API. */
export const HTTP_STATUS_OF: Readonly<Record<ReplicationErrorCode, number>> = {
  MALFORMED_REQUEST: 400,
  SECRET_REFUSED: 400,
  INVALID_LINK_KEY_SIGNATURE: 400,
  UNAUTHORIZED: 401,
  QUOTA_EXCEEDED: 403,
  UNKNOWN_GROUP: 404,
  REQUEST_TOO_LARGE: 413,
  STORAGE_FAILED: 507,
  REPLICATION_STOPPED: 503,
  REPLICATION_INTERNAL_ERROR: 500,
  INVALID_TOKENS_FILE: 500,
  REPLICA_UNREACHABLE: 502,
  LINK_IN_PROGRESS: 409,
}

/** The JSON API's counters: responses by HTTP status. */
export interface ReplicationHttpStats {
  readonly responses: Record<string, number>
}

/** A `node:http` request listener for the replication API; it answers every path under `/v1/`. */
export interface ReplicationHttpApi {
  readonly stats: ReplicationHttpStats
  /** Answers `request` if its path is under `/v1/` and returns true; returns false (and writes nothing) otherwise. */
  handle(request: IncomingMessage, response: ServerResponse): boolean
  /** Answers 404 `NOT_FOUND` in the API's error JSON: for the paths `handle` leaves that the server does not serve. */
  notFound(request: IncomingMessage, response: ServerResponse): void
  /**
   * A `node:http` server's `clientError` listener: answers a request that Node's HTTP parser refused (an unknown
   * method, a malformed header or target) with 400 `MALFORMED_REQUEST`, headers over Node's limit with 431
   * `REQUEST_TOO_LARGE`, in the API's error JSON rather than Node's bodiless 400, then closes the connection.
   */
  clientError(error: Error, socket: Duplex): void
}

/**
 * The HTTP JSON API of a replica (PROTOCOL.md §8), for `node:http` servers:
 *
 * - `POST /v1/groups` with a `ReplicationGroupJson` body → 201 and the group's status (200 if already
 *   replicated for this token);
 * - `GET /v1/groups` → `{ groups: [status…] }`, the token's groups;
 * - `GET /v1/groups/:id` → the status: entry counts, bytes and heads of both logs, entries rejected;
 * - `DELETE /v1/groups/:id` → 204.
 *
 * Every request needs `Authorization: Bearer <token>`. Errors are `{ "error": { "code", "message" } }` with
 * the status of {@link HTTP_STATUS_OF}.
 */
export function replicationHttpApi(replicas: ReplicationNode): ReplicationHttpApi {
  const stats: ReplicationHttpStats = { responses: {} }
  const count = (status: number): void => {
    stats.responses[status] = (stats.responses[status] ?? 0) + 1
  }
  const send = (response: ServerResponse, status: number, body?: unknown): void => {
    // A client that hung up gets no answer and none is counted (its hang-up is no server failure).
    if (response.destroyed) return
    count(status)
    if (body === undefined) {
      response.writeHead(status).end()
      return
    }
    const text = JSON.stringify(body)
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    })
    response.end(text)
  }
  const fail = (response: ServerResponse, error: unknown): void => {
    const { code, message } = describeFailure(error)
    // The rest of an oversized body is not read: the connection cannot be reused.
    if (code === ReplicationErrorCode.REQUEST_TOO_LARGE) response.setHeader('connection', 'close')
    send(response, HTTP_STATUS_OF[code], { error: { code, message } })
  }
  const noRoute = (response: ServerResponse, status: number, method = '', path = ''): void => {
    send(response, status, { error: { code: 'NOT_FOUND', message: `no route for ${method} ${path}` } })
  }
  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://replica')
    const token = bearerToken(request)
    const withToken = token === undefined ? {} : { token }
    const id = /^\/v1\/groups\/([^/]+)$/.exec(url.pathname)?.[1]
    if (url.pathname === '/v1/groups' && request.method === 'POST') {
      const body = await readJson(request)
      // Authenticate before checking the body's signature: an unknown caller learns nothing about validity.
      const owner = authenticate(replicas, token).name
      const group = replicationGroupFromJson(body)
      const hex = toHex(group.publicKey)
      const already = replicas.list({ owner }).some((status) => toHex(status.groupId) === hex)
      const status = await answerReplicationRequest(replicas, { kind: 'add', group, ...withToken })
      send(response, already ? 200 : 201, status && replicaStatusToJson(status))
      return
    }
    if (url.pathname === '/v1/groups' && request.method === 'GET') {
      const { name } = authenticate(replicas, token)
      send(response, 200, { groups: replicas.list({ owner: name }).map(replicaStatusToJson) })
      return
    }
    if (id !== undefined && (request.method === 'GET' || request.method === 'DELETE')) {
      const groupId = groupIdFromHex(id)
      const kind = request.method === 'GET' ? 'status' : 'remove'
      const ask: ReplicationRequest = { kind, groupId, ...withToken }
      const status = await answerReplicationRequest(replicas, ask)
      if (status === undefined) send(response, 204)
      else send(response, 200, replicaStatusToJson(status))
      return
    }
    noRoute(
      response,
      url.pathname === '/v1/groups' || id !== undefined ? 405 : 404,
      request.method,
      url.pathname,
    )
  }
  return {
    stats,
    handle(request, response) {
      if (!(request.url ?? '').startsWith('/v1/')) return false
      route(request, response).catch((error: unknown) => {
        fail(response, error)
      })
      return true
    },
    notFound(request, response) {
      noRoute(response, 404, request.method, request.url)
    },
    clientError(error, socket) {
      const code = (error as { code?: unknown }).code
      // As Node's own answer: a reset or timed-out connection, or one whose answer to an earlier request has
      // begun (bytes of ours would corrupt it), is closed without a word.
      const answering =
        (socket as { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true
      if (typeof code !== 'string' || !code.startsWith('HPE_') || !socket.writable || answering) {
        socket.destroy()
        return
      }
      const tooLarge = code === 'HPE_HEADER_OVERFLOW'
      const status = tooLarge ? 431 : 400
      const body = JSON.stringify({
        error: {
          code: tooLarge ? ReplicationErrorCode.REQUEST_TOO_LARGE : ReplicationErrorCode.MALFORMED_REQUEST,
          message: tooLarge ? 'the request headers are too large' : 'not a valid HTTP request',
        },
      })
      count(status)
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `connection: close\r\n\r\n${body}`,
      )
    },
  }
}

function authenticate(replicas: ReplicationNode, token: string | undefined): TokenGrant {
  const grant = replicas.authenticate(token)
  if (grant === undefined) {
    throw replicationError(ReplicationErrorCode.UNAUTHORIZED, 'a valid bearer token is required')
  }
  return grant
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header)
  return match?.[1]
}

/** Reads a JSON body of at most {@link MAX_HTTP_BODY_BYTES}; stops reading as soon as it is over. */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > MAX_HTTP_BODY_BYTES) throw tooLarge(declared)
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.byteLength
      if (size > MAX_HTTP_BODY_BYTES) throw tooLarge(size)
      chunks.push(chunk)
    }
  } catch (error) {
    if (isWeshError(error)) throw error
    throw malformed('the body ended before its length', error) // the client hung up
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
  } catch (error) {
    throw malformed('the body is not JSON', error)
  }
}

function tooLarge(actual: number): Error {
  return replicationError(
    ReplicationErrorCode.REQUEST_TOO_LARGE,
    `bodies are at most ${MAX_HTTP_BODY_BYTES} bytes`,
    {
      data: { max: MAX_HTTP_BODY_BYTES, actual },
    },
  )
}
