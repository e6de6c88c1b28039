import { request as httpRequest } from 'node:http'
import { isWeshError, WeshError } from '@wesh/crypto'

/** How long one fuzzed request may take unless the caller says otherwise. */
export const FUZZ_HTTP_TIMEOUT_MS = 3_000

/** The HTTP JSON API under fuzz, on 127.0.0.1, and how it answers a failure of its own. */
export interface FuzzHttpApi {
  /** Base URL, e.g. `http://127.0.0.1:8080`; each request's path is appended to it. */
  readonly url: string
  /** Error codes that mean the server failed (not the request): a finding whatever the HTTP status. */
  readonly internalCodes: readonly string[]
  /**
   * Whether some requests wait on purpose (a long poll, a stream): then no answer in time is counted as the
   * `CLIENT_TIMEOUT` refusal; otherwise it is a finding (a request that hangs the server).
   */
  readonly waits: boolean
}

export interface FuzzHttpRequest {
  /** Any string: one the client refuses to send (not a token, `CONNECT`) is counted as `SKIPPED_UNSENDABLE`. */
  readonly method: string
  /** Appended to the API's URL; `fetch` normalizes it as a browser would (`\` to `/`, dot segments). */
  readonly path: string
  /**
   * Sends `path` as the request target byte for byte (with `node:http`, which refuses only characters outside
   * U+0021–U+00FF), so that the server's own URL parsing meets what `fetch` would have normalized.
   */
  readonly rawTarget?: boolean
  /** Header values the client refuses (a control character, one over U+00FF) are counted as `SKIPPED_UNSENDABLE`. */
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** A stream route: a 2xx is read to its first chunk, then hung up on (with `fetch` only). */
  readonly stream?: boolean
  readonly timeoutMs?: number
}

/** A refusal's status and body; a 2xx is read (or hung up on) by the sender and gives none. */
type Refusal = { readonly status: number; readonly method: string; readonly text: string } | undefined

/**
 * Sends one fuzzed request and classifies the answer, for {@link fuzzTarget}: a 2xx returns; a refusal carrying the
 * API's `{ "error": { "code" } }` JSON is thrown as a `WeshError` with that code (counted by code); a 5xx, an
 * internal code, an error body that is not that JSON, or a server that no longer answers is thrown as a plain
 * `Error`: a finding. A `HEAD` answer has no body, so only its status is judged (`HTTP_<status>` below 500).
 */
export async function fuzzHttpRequest(api: FuzzHttpApi, request: FuzzHttpRequest): Promise<void> {
  const signal = AbortSignal.timeout(request.timeoutMs ?? FUZZ_HTTP_TIMEOUT_MS)
  const refusal = await (request.rawTarget === true ? sendRaw : sendWithFetch)(api, request, signal).catch(
    (error: unknown) => {
      if (isWeshError(error)) throw error
      if (signal.aborted && api.waits) {
        throw new WeshError('CLIENT_TIMEOUT', 'no answer in time (a waiting request)')
      }
      throw new Error(
        signal.aborted ? 'the server did not answer in time' : `the server did not answer: ${String(error)}`,
      )
    },
  )
  if (refusal === undefined) return
  const { status, method, text } = refusal
  if (method === 'HEAD') {
    if (status >= 500) throw new Error(`HTTP ${status} to HEAD`)
    throw new WeshError(`HTTP_${status}`, 'a refused HEAD request')
  }
  let code: unknown
  try {
    code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code
  } catch {
    throw new Error(`HTTP ${status} with a body that is not JSON: ${text.slice(0, 80)}`)
  }
  if (typeof code !== 'string' || code === '' || api.internalCodes.includes(code) || status >= 500) {
    throw new Error(`HTTP ${status} ${String(code)}: ${text.slice(0, 160)}`)
  }
  throw new WeshError(code, `HTTP ${status}`)
}

const unsendable = (error: unknown) =>
  new WeshError('SKIPPED_UNSENDABLE', `the client refuses to send it: ${String(error)}`)

async function sendWithFetch(
  api: FuzzHttpApi,
  request: FuzzHttpRequest,
  signal: AbortSignal,
): Promise<Refusal> {
  let prepared: Request
  try {
    prepared = new Request(`${api.url}${request.path}`, {
      method: request.method,
      ...(request.headers === undefined ? {} : { headers: request.headers }),
      ...(request.body === undefined
        ? {}
        : { body: typeof request.body === 'string' ? request.body : Buffer.from(request.body) }),
      signal,
    })
  } catch (error) {
    throw unsendable(error)
  }
  let response: Response
  try {
    response = await fetch(prepared)
  } catch (error) {
    // The client's own refusal, at send time (a header value with a control character).
    if ((error as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_INVALID_ARG')
      throw unsendable(error)
    throw error
  }
  if (!response.ok) return { status: response.status, method: prepared.method, text: await response.text() }
  try {
    if (request.stream === true && response.body !== null) {
      const reader = response.body.getReader()
      await reader.read()
      await reader.cancel()
    } else await response.arrayBuffer()
  } catch {
    // A stream still waiting when the request timed out: the hang-up is ours.
  }
  return undefined
}

function sendRaw(api: FuzzHttpApi, request: FuzzHttpRequest, signal: AbortSignal): Promise<Refusal> {
  let outgoing: ReturnType<typeof httpRequest>
  try {
    outgoing = httpRequest(api.url, {
      method: request.method,
      path: request.path,
      ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
      signal,
    })
  } catch (error) {
    return Promise.reject(unsendable(error))
  }
  return new Promise((resolve, reject) => {
    outgoing.once('error', reject)
    outgoing.once('response', (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.once('error', reject)
      response.once('end', () => {
        const status = response.statusCode ?? 0
        const text = Buffer.concat(chunks).toString('utf8')
        resolve(status >= 200 && status < 300 ? undefined : { status, method: outgoing.method, text })
      })
    })
    outgoing.end(request.body === undefined ? undefined : Buffer.from(request.body))
  })
}
