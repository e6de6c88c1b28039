/** One request as a route sees it: path parameters, query, parsed JSON body, and a signal that aborts on hang-up. */
export interface ApiRequest {
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: unknown
  readonly signal: AbortSignal
}

/**
 * An API endpoint. `json` routes answer one JSON value; `stream` routes answer JSON lines (NDJSON, chunked) until
 * their iterable ends or the client hangs up.
 */
export type Route =
  | {
      readonly method: 'GET' | 'POST'
      readonly path: string
      readonly kind: 'json'
      handle(request: ApiRequest): Promise<unknown>
    }
  | {
      readonly method: 'GET' | 'POST'
      readonly path: string
      readonly kind: 'stream'
      /** Resolves once the request is known to be valid, so that refusals still get an HTTP status. */
      handle(request: ApiRequest): Promise<AsyncIterable<unknown>>
    }

/** Matches `/v1/groups/:group` against a path; returns the decoded parameters or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/')
  const have = path.split('/')
  if (want.length !== have.length) return undefined
  const params: Record<string, string> = {}
  for (const [index, part] of want.entries()) {
    const actual = have[index] ?? ''
    if (part.startsWith(':')) {
      if (actual === '') return undefined
      try {
        params[part.slice(1)] = decodeURIComponent(actual)
      } catch {
        return undefined
      }
    } else if (part !== actual) return undefined
  }
  return params
}
