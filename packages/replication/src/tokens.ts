import { constantTimeEqual, sha256, toHex, utf8ToBytes, fromHex, isWeshError } from '@wesh/crypto'
import { MAX_TOKEN_LENGTH, MAX_TOKENS, MIN_TOKEN_LENGTH } from './constants.js'
import { replicationError, ReplicationErrorCode } from './errors.js'

/** What an operator grants one token: a name for logs and ownership, and its quotas. */
export interface TokenGrant {
  /** Unique name of the token's holder; groups are owned by this name. */
  readonly name: string
  /** Most groups the token may have replicated at once. */
  readonly maxGroups: number
  /** Most bytes of log entries stored for the token's groups, all counted in full. */
  readonly maxBytes: number
}

/** Quotas of a token that names none. */
export const DEFAULT_MAX_GROUPS = 100
export const DEFAULT_MAX_BYTES = 1_073_741_824

/**
 * The bearer tokens an operator issued (a tokens file). A token is kept only as its SHA-256, so a leaked file
 * or a heap dump does not reveal working tokens; the file itself may hold either the token or its hash:
 *
 * `{ "v": 1, "tokens": [{ "name": "alice", "token": "…" | "sha256": "<hex>", "maxGroups": 10, "maxBytes": 1e8 }] }`
 */
export class ReplicationTokens {
  readonly #byHash: Map<string, { hash: Uint8Array; grant: TokenGrant }>

  private constructor(entries: Map<string, { hash: Uint8Array; grant: TokenGrant }>) {
    this.#byHash = entries
  }

  /** Parses a tokens file's JSON value; throws `INVALID_TOKENS_FILE` naming the first problem. */
  static fromJSON(value: unknown): ReplicationTokens {
    const invalid = (reason: string): never => {
      throw replicationError(ReplicationErrorCode.INVALID_TOKENS_FILE, `invalid tokens file: ${reason}`, {
        data: { reason },
      })
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid('not a JSON object')
    const file = value as Record<string, unknown>
    if (file.v !== 1) invalid('v must be 1')
    if (!Array.isArray(file.tokens)) invalid('tokens must be an array')
    const tokens = file.tokens as unknown[]
    if (tokens.length > MAX_TOKENS) invalid(`more than ${MAX_TOKENS} tokens`)
    const entries = new Map<string, { hash: Uint8Array; grant: TokenGrant }>()
    const names = new Set<string>()
    tokens.forEach((item, index) => {
      const at = `tokens[${index}]`
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        return invalid(`${at} is not an object`)
      const {
        name,
        token,
        sha256: hashHex,
        maxGroups = DEFAULT_MAX_GROUPS,
        maxBytes = DEFAULT_MAX_BYTES,
        ...rest
      } = item as Record<string, unknown>
      const unknown = Object.keys(rest)
      if (unknown.length > 0) invalid(`${at} has unknown field ${unknown[0]}`)
      // Names are letters, digits, `.`, `_` and `-`: they cannot collide with the node's own `@local` owner.
      if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
        invalid(`${at}.name must be 1–64 letters, digits, '.', '_' or '-'`)
      }
      if (names.has(name as string)) invalid(`${at}.name ${String(name)} is used twice`)
      names.add(name as string)
      if (!Number.isSafeInteger(maxGroups) || (maxGroups as number) < 0)
        invalid(`${at}.maxGroups must be an integer ≥ 0`)
      if (!Number.isSafeInteger(maxBytes) || (maxBytes as number) < 0)
        invalid(`${at}.maxBytes must be an integer ≥ 0`)
      let hash: Uint8Array
      if (token !== undefined && hashHex === undefined) {
        if (typeof token !== 'string' || token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) {
          return invalid(`${at}.token must be ${MIN_TOKEN_LENGTH}–${MAX_TOKEN_LENGTH} characters`)
        }
        hash = tokenHash(token)
      } else if (hashHex !== undefined && token === undefined) {
        try {
          hash = fromHex(hashHex as string)
        } catch (error) {
          if (!isWeshError(error)) throw error
          return invalid(`${at}.sha256 must be 64 hex digits`)
        }
        if (hash.byteLength !== 32) invalid(`${at}.sha256 must be 64 hex digits`)
      } else {
        return invalid(`${at} must have exactly one of token and sha256`)
      }
      const key = toHex(hash)
      if (entries.has(key)) invalid(`${at} repeats a token`)
      entries.set(key, {
        hash,
        grant: { name: name as string, maxGroups: maxGroups as number, maxBytes: maxBytes as number },
      })
    })
    return new ReplicationTokens(entries)
  }

  /** Number of tokens. */
  get size(): number {
    return this.#byHash.size
  }

  /** The grant of `token`, or undefined for a missing, oversized or unknown token. */
  authenticate(token: string | undefined): TokenGrant | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined
    const hash = tokenHash(token)
    const found = this.#byHash.get(toHex(hash))
    // The map lookup is by hash, which tells a timing observer nothing about the token; compare anyway.
    return found !== undefined && constantTimeEqual(found.hash, hash) ? found.grant : undefined
  }

  /** The grant of the token named `name`, for quotas of groups owned by that name. */
  grantOf(name: string): TokenGrant | undefined {
    for (const { grant } of this.#byHash.values()) if (grant.name === name) return grant
    return undefined
  }

  /** Names and quotas only: no token or hash is ever printed. */
  toJSON(): { tokens: TokenGrant[] } {
    return { tokens: [...this.#byHash.values()].map(({ grant }) => grant) }
  }
}

/** SHA-256 of a token's UTF-8 bytes: what a tokens file's `sha256` field holds. */
export function tokenHash(token: string): Uint8Array {
  return sha256(utf8ToBytes(token))
}
