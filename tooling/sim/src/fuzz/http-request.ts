import { WeshError } from '@wesh/crypto'

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
  /** Any string: one that `fetch` refuses to send (not a token, `CONNECT`) is counted as `SKIPPED_UNSENDABLE`. */
  readonly method: string
  /** Appended to the API's URL; the client normalizes it as a browser would (`\` to `/`, dot segments). */
  readonly path: string
  /** Header values `fetch` refuses (a control character, one over U+00FF) are counted as `SKIPPED_UNSENDABLE`. */
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** A stream route: a 2xx is read to its first chunk, then hung up on. */
  readonly stream?: boolean
  readonly timeoutMs?: number
}

/**
 * Sends one fuzzed request and classifies the answer, for {@link fuzzTarget}: a 2xx returns; a refusal carrying the
 * API's `{ "error": { "code" } }` JSON is thrown as a `WeshError` with that code (counted by code); a 5xx, an
 * internal code, an error body that is not that JSON, or a server that no longer answers is thrown as a plain
 * `Error`: a finding. A `HEAD` answer has no body, so only its status is judged (`HTTP_<status>` below 500).
 */
export async function fuzzHttpRequest(api: FuzzHttpApi, request: FuzzHttpRequest): Promise<void> {
  const signal = AbortSignal.timeout(request.timeoutMs ?? FUZZ_HTTP_TIMEOUT_MS)
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
    throw new WeshError('SKIPPED_UNSENDABLE', `fetch refuses to send it: ${String(error)}`)
  }
  let response: Response
  try {
    response = await fetch(prepared)
  } catch (error) {
    // The client's own refusal, at send time (a header value with a control character).
    if ((error as { cause?: { code?: unknown } }).cause?.code === 'UND_ERR_INVALID_ARG') {
      throw new WeshError('SKIPPED_UNSENDABLE', `fetch refuses to send it: ${String(error)}`)
    }
    if (signal.aborted && api.waits)
      throw new WeshError('CLIENT_TIMEOUT', 'no answer in time (a waiting request)')
    throw new Error(
      signal.aborted ? 'the server did not answer in time' : `the server did not answer: ${String(error)}`,
    )
  }
  if (response.ok) {
    try {
      if (request.stream === true && response.body !== null) {
        const reader = response.body.getReader()
        await reader.read()
        await reader.cancel()
      } else await response.arrayBuffer()
    } catch {
      // A stream still waiting when the request timed out: the hang-up is ours.
    }
    return
  }
  const text = await response.text()
  if (prepared.method === 'HEAD') {
    if (response.status >= 500) throw new Error(`HTTP ${response.status} to HEAD`)
    throw new WeshError(`HTTP_${response.status}`, 'a refused HEAD request')
  }
  let code: unknown
  try {
    code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code
  } catch {
    throw new Error(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 80)}`)
  }
  if (typeof code !== 'string' || code === '' || api.internalCodes.includes(code) || response.status >= 500) {
    throw new Error(`HTTP ${response.status} ${String(code)}: ${text.slice(0, 160)}`)
  }
  throw new WeshError(code, `HTTP ${response.status}`)
}
