import { WeshError } from '@wesh/crypto'
import { CliErrorCode, cliError, type ErrorBody } from '../errors.js'
import type { Profile } from '../profile.js'

/** The CLI's side of the daemon API: finds the daemon through the profile's files and turns errors back into codes. */
export class ApiClient {
  readonly #url: string
  readonly #token: string
  readonly #profile: Profile

  private constructor(profile: Profile, url: string, token: string) {
    this.#profile = profile
    this.#url = url
    this.#token = token
  }

  /** Throws `DAEMON_NOT_RUNNING` (or `PROFILE_NOT_FOUND`) when the profile has no daemon. */
  static async connect(profile: Profile): Promise<ApiClient> {
    const { endpoint, token } = await profile.api()
    return new ApiClient(profile, endpoint.url, token)
  }

  get<T>(path: string, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.#json<T>('GET', path, undefined, options.signal)
  }

  post<T>(path: string, body: unknown, options: { signal?: AbortSignal } = {}): Promise<T> {
    return this.#json<T>('POST', path, body, options.signal)
  }

  /**
   * Reads a JSON-lines stream (a GET, or a POST when `body` is given); a line `{ error }` (a failure after the
   * stream began) is thrown.
   */
  async *lines<T>(path: string, options: { signal?: AbortSignal; body?: unknown } = {}): AsyncIterable<T> {
    const method = options.body === undefined ? 'GET' : 'POST'
    const response = await this.#fetch(method, path, options.body, options.signal)
    if (!response.ok || response.body === null) throw await failure(response)
    const decoder = new TextDecoder()
    let buffered = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true })
        let newline: number
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline)
          buffered = buffered.slice(newline + 1)
          if (line === '') continue
          const item = JSON.parse(line) as T | { error: ErrorBody }
          if (item !== null && typeof item === 'object' && 'error' in item) throw fromBody(item.error)
          yield item
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return
      throw error
    }
  }

  async #json<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const response = await this.#fetch(method, path, body, signal)
    if (!response.ok) throw await failure(response)
    return (await response.json()) as T
  }

  async #fetch(method: string, path: string, body: unknown, signal: AbortSignal | undefined) {
    try {
      return await fetch(this.#url + path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      })
    } catch (error) {
      if (signal?.aborted) throw error
      // The API file outlived its daemon (killed, crashed): nobody listens at its address.
      throw cliError(CliErrorCode.DAEMON_NOT_RUNNING, `no wesh daemon answers at ${this.#url}`, {
        data: { profile: this.#profile.directory },
        cause: error,
      })
    }
  }
}

async function failure(response: Response): Promise<WeshError> {
  try {
    const { error } = (await response.json()) as { error: ErrorBody }
    return fromBody(error)
  } catch {
    return cliError(CliErrorCode.INTERNAL, `the daemon answered HTTP ${response.status}`)
  }
}

function fromBody(body: ErrorBody): WeshError {
  return new WeshError(body.code, body.message, body.data ? { data: { ...body.data } } : {})
}
